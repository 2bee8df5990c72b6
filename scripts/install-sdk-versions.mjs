// Installs what the suite runs against, each folder pinned by its own lockfile:
// each @google/genai major into test/sdk-versions/vN/node_modules, and each
// framework that drives it (test/frameworks/NAME: Google's ADK) beside it.
// Skips a folder whose install already matches; safe to run before every test.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const testDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

for (const group of ['sdk-versions', 'frameworks']) {
  const groupDir = join(testDir, group);
  if (!existsSync(groupDir)) continue;
  for (const name of readdirSync(groupDir).sort()) {
    const dir = join(groupDir, name);
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const dependencies = JSON.parse(readFileSync(manifest, 'utf8')).dependencies ?? {};
    const stale = Object.entries(dependencies).filter(([dep, wanted]) => {
      const installed = join(dir, 'node_modules', ...dep.split('/'), 'package.json');
      return !existsSync(installed) || JSON.parse(readFileSync(installed, 'utf8')).version !== wanted;
    });
    if (stale.length === 0) continue;
    console.log(`installing ${stale.map(([dep, v]) => `${dep} ${v}`).join(', ')} into test/${group}/${name}`);
    execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
  }
}
