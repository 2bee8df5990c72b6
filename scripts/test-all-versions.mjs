// `npm test`: the whole suite once per supported @google/genai major
// (test/sdk-versions/v1, v2, v3), then one closing line "N passed, N failed".
// GENAI_SDK_MAJORS=3 npm test runs a subset.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const majors = (
  process.env.GENAI_SDK_MAJORS ??
  readdirSync(join(root, 'test', 'sdk-versions'))
    .map((d) => d.replace(/^v/, ''))
    .join(',')
)
  .split(',')
  .filter(Boolean)
  .sort();
const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');

let passed = 0;
let failed = 0;
let pending = 0;
for (const major of majors) {
  console.log(`\n=== @google/genai ${major}.x on Node ${process.version} ===`);
  const run = spawnSync(process.execPath, [mocha, '--reporter', 'spec', ...process.argv.slice(2)], {
    cwd: root,
    env: { ...process.env, GENAI_SDK_MAJOR: major },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(run.stdout ?? '');
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(run.stdout ?? '')?.[1] ?? 0);
  passed += count('passing');
  pending += count('pending');
  const f = count('failing');
  // A crash before mocha could report still counts as a failure.
  failed += f > 0 ? f : run.status === 0 ? 0 : 1;
}
console.log(`\n${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
