// Installs each @google/genai major the suite runs against into
// test/sdk-versions/vN/node_modules, pinned by that folder's lockfile.
// Skips a folder whose install already matches; safe to run before every test.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const versionsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'sdk-versions');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

for (const name of readdirSync(versionsDir).sort()) {
  const dir = join(versionsDir, name);
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) continue;
  const wanted = JSON.parse(readFileSync(manifest, 'utf8')).dependencies['@google/genai'];
  const installed = join(dir, 'node_modules', '@google', 'genai', 'package.json');
  if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === wanted) continue;
  console.log(`installing @google/genai ${wanted} into test/sdk-versions/${name}`);
  execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit' });
}
