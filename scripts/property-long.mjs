// `npm run test:long`: the property-based transparency test with many more
// cases than `npm test` runs (default 50,000 requests + 50,000 streams per SDK
// major, on 3.x) and a new seed each time, printed so a failure can be replayed
// with PROPERTY_SEED=<seed>. Run `npm run build` and `npm test` once before.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = process.env.PROPERTY_RUNS ?? '50000';
const seed = process.env.PROPERTY_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const majors = (process.env.GENAI_SDK_MAJORS ?? '3').split(',').filter(Boolean);
const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
let failed = 0;
for (const major of majors) {
  console.log(`=== @google/genai ${major}.x, Node ${process.version}, ${runs} cases per method, seed ${seed} ===`);
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [mocha, '--no-config', '--exit', '--timeout', '0', join(root, 'build', 'test', 'transparency.test.js')],
    {
      cwd: root,
      env: { ...process.env, GENAI_SDK_MAJOR: major, PROPERTY_RUNS: runs, PROPERTY_SEED: seed },
      stdio: 'inherit',
    }
  );
  console.log(
    `${major}.x: ${run.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s`
  );
  if (run.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
