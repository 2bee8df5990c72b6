// `npm run bench`: what each tracer adds to @google/genai, in one run, on the
// Node our users run (24, where the targets are judged) and beside it on 22
// and 20 (binaries from the npm registry, as .ci/run takes them).
//
// Every configuration runs in its own process (bench/child.cjs), the
// configurations alternate, and the whole set is repeated ROUNDS times; we
// report medians and the spread (min–max) of CPU time per operation
// (process.cpuUsage). The SDK talks to an in-process fetch stub, so HTTP noise
// does not hide the cost. Every configuration but `bare` registers a tracer
// provider and a meter provider: each figure is "added over the SDK with
// OpenTelemetry in use". The yardstick is the conformant floor (child.cjs): a
// careful hand-written instrumentation doing the least the conventions ask
// of the call, and its unsampled twin. Then the preload's start-up and import
// cost (bench/startup.mjs). Writes bench/results.json and prints the tables.
//
//   BENCH_ROUNDS=5 BENCH_MAJORS=3,1 BENCH_NODES=24,22,20 npm run bench
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary, startupBench } from './startup.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SIDE_ROUNDS = Number(process.env.BENCH_SIDE_ROUNDS ?? 2);
const MAJORS = (process.env.BENCH_MAJORS ?? '3,1').split(',').filter(Boolean);
const NODES = (process.env.BENCH_NODES ?? '24,22,20').split(',').filter(Boolean);
const JUDGED = '24';

const LABELS = {
  bare: 'bare SDK',
  'otel-ctx': 'SDK + OTel (providers registered, context in use)',
  conformant: 'conformant floor',
  'conformant-unsampled': 'conformant floor, not sampled',
  ours: 'ours, content off',
  'ours-content': 'ours, content on spans',
  'ours-unsampled': 'ours, span not sampled',
  sentry: 'Sentry',
  'dd-trace': 'dd-trace',
  traceloop: 'Traceloop',
};
const PEERS = ['sentry', 'dd-trace', 'traceloop'];

function configsFor(major, full) {
  // Beside the judged line: what OpenTelemetry, the floor and ours cost there (the context manager differs most).
  if (!full) return ['bare', 'otel-ctx', 'conformant', 'ours'];
  const list = ['bare', 'otel-ctx', 'conformant', 'conformant-unsampled', 'ours', 'ours-unsampled'];
  if (major === MAJORS[0]) list.push('ours-content');
  list.push('sentry', 'dd-trace');
  // Traceloop supports 1.x only.
  if (major === '1') list.push('traceloop');
  return list;
}

function runChild(bin, config, major, memory = false) {
  const args = [
    ...(memory ? ['--expose-gc'] : []),
    join(here, 'child.cjs'),
    config,
    major,
    ...(memory ? ['--memory'] : []),
  ];
  // Sentry's automatic integration records nothing on 3.x: measure its manual client wrapper there.
  const env = { ...process.env, BENCH_SENTRY_MANUAL: config === 'sentry' && major !== '1' ? '1' : '' };
  const run = spawnSync(bin, args, { encoding: 'utf8', env, timeout: 300_000 });
  if (run.status !== 0) throw new Error(`${config} ${major} failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round1 = (x) => Math.round(x * 10) / 10;
const round2 = (x) => Math.round(x * 100) / 100;

// The peers and the start-up section's libraries live in bench/node_modules, pinned by bench/package-lock.json.
if (!['dd-trace', 'lodash-es', 'd3'].every((p) => existsSync(join(here, 'node_modules', p, 'package.json')))) {
  console.error('Installing the peer tracers into bench/ (npm ci) ...');
  const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
  if (ci.status !== 0) process.exit(ci.status ?? 1);
}

/** One Node line, one SDK major: every configuration, `rounds` alternating rounds. */
function benchLine(bin, node, major, rounds, full) {
  const configs = configsFor(major, full);
  const samples = Object.fromEntries(configs.map((c) => [c, []]));
  const meta = {};
  for (let r = 0; r < rounds; r++) {
    // Rotate the order each round, so drift of the machine spreads over all configurations.
    const order = configs.map((_, i) => configs[(i + r) % configs.length]);
    for (const config of order) {
      const out = runChild(bin, config, major);
      meta[config] = { sdkVersion: out.sdkVersion, note: out.note, spansSeen: out.spansSeen };
      // Per chunk: the slope between 50- and 1,000-chunk streams, free of the per-stream cost.
      const perChunk = (out.stream1000.cpuPerOpUs - out.stream50.cpuPerOpUs) / 950;
      samples[config].push({
        // Over the same process with the tracer switched off (ours and the floors): see child.cjs.
        pairedCall: out.paired?.addedPerCallUs,
        pairedChunk: out.paired?.addedPerChunkUs,
        unary: out.unary.cpuPerOpUs,
        stream50: out.stream50.cpuPerOpUs,
        stream1000: out.stream1000.cpuPerOpUs,
        perChunk,
        loop: out.loop.cpuPerOpUs,
      });
      process.stderr.write('.');
    }
  }
  process.stderr.write('\n');
  const stat = (config, key) => {
    const xs = samples[config].map((s) => s[key]).filter((x) => x !== undefined);
    if (xs.length === 0) return undefined;
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
  };
  const rows = {};
  for (const config of configs) {
    rows[config] = {
      label: LABELS[config],
      ...meta[config],
      pairedCall: stat(config, 'pairedCall'),
      pairedChunk: stat(config, 'pairedChunk'),
      unary: stat(config, 'unary'),
      perChunk: stat(config, 'perChunk'),
      stream50: stat(config, 'stream50'),
      loop: stat(config, 'loop'),
    };
  }
  const base = rows.bare;
  const floorAdded = rows.conformant.unary.median - base.unary.median;
  for (const config of configs) {
    const row = rows[config];
    row.addedPerCallUs = row.unary.median - base.unary.median;
    row.addedPerChunkUs = row.perChunk.median - base.perChunk.median;
    row.addedPerLoopUs = row.loop.median - base.loop.median;
    row.ratioToFloor = row.addedPerCallUs / floorAdded;
  }
  return { sdkVersion: meta.bare.sdkVersion, rows };
}

/**
 * Ours against the conformant floor in one process (child.cjs `compare`), `rounds` times: the
 * medians over rounds of each run's medians (added µs over the SDK with OpenTelemetry in use).
 */
function compareLine(bin, major, rounds) {
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    runs.push(runChild(bin, 'compare', major).compare);
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const pick = (f) => median(runs.map(f));
  const modes = ['floor', 'ours', 'floor-unsampled', 'ours-unsampled'];
  return {
    perCallUs: Object.fromEntries(modes.map((m) => [m, pick((x) => x.perCall.addedUs[m])])),
    perChunkUs: Object.fromEntries(modes.map((m) => [m, pick((x) => x.perChunk.addedUs[m])])),
    ratio: {
      sampled: pick((x) => x.perCall.addedUs.ours / x.perCall.addedUs.floor),
      unsampled: pick((x) => x.perCall.addedUs['ours-unsampled'] / x.perCall.addedUs['floor-unsampled']),
    },
  };
}

/** The targets of issue 19, on the judged Node line. */
function targetsFor(rows, memory, compare) {
  const ours = rows.ours;
  const t = [];
  if (compare) {
    const c = compare.perCallUs;
    const k = compare.perChunkUs;
    t.push(
      {
        target: 'per call, sampled: ≤ 1.15 × the conformant floor (same process, alternating batches)',
        value: `${round1(c.ours)} µs vs ${round1(c.floor)} µs: × ${round2(compare.ratio.sampled)}`,
        holds: compare.ratio.sampled <= 1.15,
      },
      {
        target: 'per call, not sampled: ≤ 1.15 × the unsampled floor (metrics recorded)',
        value: `${round1(c['ours-unsampled'])} µs vs ${round1(c['floor-unsampled'])} µs: × ${round2(compare.ratio.unsampled)}`,
        holds: compare.ratio.unsampled <= 1.15,
      },
      {
        target: 'per chunk, time_per_output_chunk on: ≤ 1.15 × the floor + 0.3 µs (1,000-chunk streams)',
        value: `${round2(k.ours)} µs vs ${round2(1.15 * k.floor + 0.3)} µs`,
        holds: k.ours <= 1.15 * k.floor + 0.3,
      }
    );
  }
  for (const p of PEERS.filter((c) => rows[c])) {
    if (!(rows[p].spansSeen > 0)) {
      // A peer that records nothing for this SDK is no yardstick: said, not scored.
      t.push({ target: `below ${LABELS[p]}`, value: 'not comparable: it records no span for this SDK', holds: null });
      continue;
    }
    t.push(
      {
        target: `per call: below ${LABELS[p]}`,
        value: `${round1(ours.addedPerCallUs)} µs vs ${round1(rows[p].addedPerCallUs)} µs (margin ${round1(rows[p].addedPerCallUs - ours.addedPerCallUs)} µs)`,
        holds: ours.addedPerCallUs < rows[p].addedPerCallUs,
      },
      {
        target: `per chunk: below ${LABELS[p]}`,
        value: `${round2(ours.addedPerChunkUs)} µs vs ${round2(rows[p].addedPerChunkUs)} µs (margin ${round2(rows[p].addedPerChunkUs - ours.addedPerChunkUs)} µs)`,
        holds: ours.addedPerChunkUs < rows[p].addedPerChunkUs,
      }
    );
  }
  if (memory) {
    t.push(
      {
        target: 'heap back to baseline after 100,000 calls (growth < 1 MB)',
        value: `${memory.ours.heapGrowthAfter100kCallsKB} KB (bare ${memory.bare.heapGrowthAfter100kCallsKB} KB)`,
        holds: memory.ours.heapGrowthAfter100kCallsKB < 1024,
      },
      {
        target: "a 10,000-chunk stream's peak heap: within 1 MB of the bare SDK's",
        value: `${memory.ours.streamPeakOverHeapKB} KB (bare ${memory.bare.streamPeakOverHeapKB} KB)`,
        holds: memory.ours.streamPeakOverHeapKB - memory.bare.streamPeakOverHeapKB < 1024,
      }
    );
  }
  return t;
}

function print(node, major, result) {
  const { rows } = result;
  console.log(`\nNode ${node}, @google/genai ${result.sdkVersion}: CPU µs per operation, medians (min–max)`);
  console.table(
    Object.fromEntries(
      Object.entries(rows).map(([c, row]) => {
        const span = (s) => `${round1(s.median)} (${round1(s.min)}–${round1(s.max)})`;
        return [
          row.label + (row.note && c === 'sentry' ? ` [${row.note}]` : ''),
          {
            'per call': span(row.unary),
            'added/call (paired)': row.pairedCall ? span(row.pairedCall) : '',
            'added/chunk (paired)': row.pairedChunk ? round2(row.pairedChunk.median) : '',
            'added/call': c === 'bare' ? '' : round1(row.addedPerCallUs),
            'x floor': c === 'bare' || c === 'otel-ctx' ? '' : round2(row.ratioToFloor),
            'per chunk': span(row.perChunk),
            'added/chunk': c === 'bare' ? '' : round2(row.addedPerChunkUs),
            'AFC loop': round1(row.loop.median),
            traced:
              c === 'bare' || c === 'otel-ctx' ? '' : row.spansSeen > 0 || c.endsWith('unsampled') ? 'yes' : 'NO SPANS',
          },
        ];
      })
    )
  );
  if (result.memory) {
    console.log('Memory (KB): heap growth after 100,000 calls; peak over the heap during a 10,000-chunk stream');
    console.table(result.memory);
  }
  if (result.compare) {
    console.log('Ours against the conformant floor, in one process (added µs; medians of the runs’ medians)');
    console.table({ 'per call': result.compare.perCallUs, 'per chunk': result.compare.perChunkUs });
  }
  if (result.targets) {
    console.table(result.targets.map((t) => ({ ...t, holds: t.holds === null ? 'n/a' : t.holds ? 'yes' : 'NO' })));
  }
}

const started = Date.now();
const results = {};
for (const node of NODES) {
  const bin = nodeBinary(node);
  const judged = node === JUDGED;
  // Beside the judged line: the newest SDK only, fewer rounds, no peers (what the context manager costs there).
  const majors = judged ? MAJORS : MAJORS.slice(0, 1);
  results[node] = {};
  for (const major of majors) {
    const result = benchLine(bin, node, major, judged ? ROUNDS : SIDE_ROUNDS, judged);
    if (judged) {
      // Memory, on the newest major only: heap after 100,000 calls, peak during a 10,000-chunk stream.
      if (major === majors[0]) {
        result.memory = {};
        for (const config of ['bare', 'conformant', 'ours'])
          result.memory[config] = runChild(bin, config, major, true).memory;
      }
      result.compare = compareLine(bin, major, ROUNDS);
      result.targets = targetsFor(result.rows, result.memory, result.compare);
    }
    result.node = spawnSync(bin, ['-p', 'process.version'], { encoding: 'utf8' }).stdout.trim();
    results[node][major] = result;
    print(result.node, major, result);
  }
}

// Start-up and import cost of the preload (bench/startup.mjs).
const startup = await startupBench();

const ours = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8'));
const report = {
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  nodes: Object.fromEntries(Object.entries(results).map(([n, r]) => [n, Object.values(r)[0]?.node])),
  package: `${ours.name} ${ours.version}`,
  rounds: ROUNDS,
  seconds: Math.round((Date.now() - started) / 1000),
  results,
  startup,
};
writeFileSync(join(here, 'results.json'), JSON.stringify(report, null, 2) + '\n');
console.log(`\n${report.machine}, ${report.seconds} s. Written to bench/results.json.`);
const failed = [
  ...Object.values(results)
    .flatMap((byMajor) => Object.values(byMajor))
    .flatMap((r) => (r.targets ?? []).filter((t) => t.holds === false)),
  ...Object.values(startup)
    .filter((r) => r.judged)
    .flatMap((r) => r.targets.filter((t) => !t.holds)),
];
process.exitCode = failed.length ? 1 : 0;
