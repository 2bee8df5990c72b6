// One measurement process of `npm run bench` (bench/run.mjs starts it): one
// tracer configuration, one @google/genai major, every workload, one JSON
// line on stdout. Each configuration gets its own process because peers patch
// globally and for good.
//
//   node [--expose-gc] bench/child.cjs <config> <major> [--memory]
//
// Knobs for investigating: BENCH_WORKLOADS=unary,stream50,stream1000,loop,paired (default: all),
// BENCH_PAIRS and BENCH_PAIR_BATCH (paired calls: pairs × calls per batch), BENCH_LONG_STREAMS,
// BENCH_NO_METRICS=1 (ours without a meter provider), BENCH_OURS_BUILD (another build's build/src/index.js, to compare two versions of ours), BENCH_UNARY and BENCH_LOOP (calls of the unary and loop workloads, for profiling).
'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');
const { performance } = require('node:perf_hooks');

const [config, major] = process.argv.slice(2);
const memoryMode = process.argv.includes('--memory');
const ROOT = path.join(__dirname, '..');
const SDK_DIR = path.join(ROOT, 'test', 'sdk-versions', `v${major}`);
const requireSdk = createRequire(path.join(SDK_DIR, 'package.json'));
const MODEL = 'gemini-2.5-flash';

// ---- Workload sizes (per process; run.mjs repeats processes) -------------------
const SIZES = {
  unary: Number(process.env.BENCH_UNARY ?? 2000),
  stream50: 100,
  stream1000: Number(process.env.BENCH_LONG_STREAMS ?? 10),
  loop: Number(process.env.BENCH_LOOP ?? 400),
};
const WARMUP = { unary: 1500, stream50: 50, stream1000: 4, loop: 300 };
// Paired runs (tracing off, on, on, off, ...) in one process, for tracers that can be switched off.
const PAIRS = {
  unary: Number(process.env.BENCH_PAIRS ?? 12),
  unaryBatch: Number(process.env.BENCH_PAIR_BATCH ?? 150),
  stream1000: 24,
};

// ---- The tracer under test, set up before the SDK loads ------------------------
let tracerNote = '';
let spansSeen = 0;
let wrapClient = (ai) => ai;
let aroundCall = (fn) => fn();
let aroundStream = null;
/** Switches the tracer off and on, where it can be (ours, the floor): for paired measurements. */
let toggle = null;
/** The `compare` configuration's switch: none, floor, ours, floor-unsampled, ours-unsampled. */
let compareMode = null;

/** Decides as the bench says: `switchable.sampled` flips it between batches (the `compare` workload). */
const switchable = { sampled: true };

function otel({ sampled = true, switching = false } = {}) {
  const api = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const {
    BasicTracerProvider,
    BatchSpanProcessor,
    AlwaysOffSampler,
    AlwaysOnSampler,
    SamplingDecision,
  } = require('@opentelemetry/sdk-trace-base');
  const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Spans go through a batch processor to an exporter that counts and drops them, as in production minus the network.
  const exporter = {
    export(spans, done) {
      spansSeen += spans.length;
      done({ code: 0 });
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  const provider = new BasicTracerProvider({
    sampler: switching
      ? {
          shouldSample: () => ({
            decision: switchable.sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
          }),
          toString: () => 'BenchSwitchableSampler',
        }
      : sampled
        ? new AlwaysOnSampler()
        : new AlwaysOffSampler(),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100000, scheduledDelayMillis: 200 })],
  });
  api.trace.setGlobalTracerProvider(provider);
  class Reader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const reader = new Reader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  api.metrics.setGlobalMeterProvider(meterProvider);
  // The context manager in use, as in any app with an active span somewhere:
  // from here on every promise pays Node 20's async-hooks cost.
  const key = api.createContextKey('bench');
  const inContext = (fn) => api.context.with(api.context.active().setValue(key, 1), fn);
  return { api, provider, meterProvider, reader, inContext };
}

/**
 * The conformant floor: a careful hand-written instrumentation doing the least the conventions ask
 * of this call. One CLIENT span with the conventions' attributes for this response, the span in
 * context around the call, the duration and the two token-usage points on the meter provider; for
 * streams a plain iterator wrapper (not an async generator) with time to first chunk, a
 * time-per-output-chunk point per chunk after the first, the chunk count and the last chunk's usage.
 * Its unsampled twin records the same metrics. Attribute sets are built once, as careful code would.
 */
function conformantFloor(setup) {
  const { api } = setup;
  const tracer = api.trace.getTracer('conformant-floor');
  const meter = setup.meterProvider.getMeter('conformant-floor');
  const SECONDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
  const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
  const histogram = (name, unit, buckets) =>
    meter.createHistogram(name, { unit, advice: { explicitBucketBoundaries: buckets } });
  const duration = histogram('gen_ai.client.operation.duration', 's', SECONDS);
  const tokens = histogram('gen_ai.client.token.usage', '{token}', TOKENS);
  const firstChunk = histogram('gen_ai.client.operation.time_to_first_chunk', 's', SECONDS);
  const perChunk = histogram('gen_ai.client.operation.time_per_output_chunk', 's', SECONDS);
  const START = {
    'gen_ai.operation.name': 'generate_content',
    'gen_ai.provider.name': 'gcp.gemini',
    'gen_ai.request.model': MODEL,
    'server.address': 'generativelanguage.googleapis.com',
    'server.port': 443,
    'gen_ai.output.type': 'text',
  };
  const metricSets = new Map();
  const setsFor = (responseModel) => {
    let sets = metricSets.get(responseModel);
    if (!sets) {
      const { 'gen_ai.output.type': _t, ...base } = START;
      const withModel = { ...base, 'gen_ai.response.model': responseModel };
      sets = {
        base: withModel,
        input: { ...withModel, 'gen_ai.token.type': 'input' },
        output: { ...withModel, 'gen_ai.token.type': 'output' },
      };
      metricSets.set(responseModel, sets);
    }
    return sets;
  };
  const PRICE = { input: 0.3, output: 2.5 }; // gemini-2.5-flash, USD per 1M
  const finish = (span, r, t0, extra) => {
    const u = (r && r.usageMetadata) || {};
    const input = (u.promptTokenCount || 0) + (u.toolUsePromptTokenCount || 0);
    const output = (u.candidatesTokenCount || 0) + (u.thoughtsTokenCount || 0);
    const sets = setsFor(r && r.modelVersion);
    if (span.isRecording()) {
      const reasons = [];
      for (const c of (r && r.candidates) || []) if (c && c.finishReason) reasons.push(c.finishReason);
      span.setAttributes({
        'gen_ai.response.model': r && r.modelVersion,
        'gen_ai.response.id': r && r.responseId,
        'gen_ai.response.finish_reasons': reasons,
        'gen_ai.usage.input_tokens': input,
        'gen_ai.usage.output_tokens': output,
        'gen_ai.usage.reasoning.output_tokens': u.thoughtsTokenCount || 0,
        'gen_ai.cost.usd': (input * PRICE.input + output * PRICE.output) / 1e6,
        ...extra,
      });
    }
    duration.record((performance.now() - t0) / 1000, sets.base);
    tokens.record(input, sets.input);
    tokens.record(output, sets.output);
    span.end();
  };
  const failed = (span, e) => {
    span.setAttribute('error.type', (e && e.name) || '_OTHER');
    span.setStatus({ code: api.SpanStatusCode.ERROR });
    span.end();
  };
  const start = () => tracer.startSpan(`generate_content ${MODEL}`, { kind: api.SpanKind.CLIENT, attributes: START });
  const traced = (fn) => {
    const t0 = performance.now();
    const span = start();
    return api.context.with(api.trace.setSpan(api.context.active(), span), fn).then(
      (r) => {
        finish(span, r, t0);
        return r;
      },
      (e) => {
        failed(span, e);
        throw e;
      }
    );
  };
  const tracedStream = async (fn) => {
    const t0 = performance.now();
    const span = start();
    let stream;
    try {
      stream = await api.context.with(api.trace.setSpan(api.context.active(), span), fn);
    } catch (e) {
      failed(span, e);
      throw e;
    }
    const inner = stream[Symbol.asyncIterator]();
    let chunks = 0;
    let firstAt = 0;
    let lastAt = 0;
    let last;
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      const sets = setsFor(last && last.modelVersion);
      if (firstAt) firstChunk.record((firstAt - t0) / 1000, sets.base);
      finish(span, last, t0, { 'gen_ai.response.chunk_count': chunks, 'gen_ai.request.stream': true });
    };
    const onChunk = (result) => {
      if (result.done) end();
      else {
        const t = performance.now();
        if (chunks++ === 0) firstAt = t;
        else perChunk.record((t - lastAt) / 1000, setsFor(result.value.modelVersion).base);
        lastAt = t;
        last = result.value;
      }
      return result;
    };
    const onError = (e) => {
      if (!done) {
        done = true;
        failed(span, e);
      }
      throw e;
    };
    const wrapper = {
      next: () => inner.next().then(onChunk, onError),
      return: (v) => {
        end();
        return inner.return ? inner.return(v) : Promise.resolve({ done: true, value: v });
      },
      [Symbol.asyncIterator]() {
        return wrapper;
      },
    };
    return wrapper;
  };
  return { traced, tracedStream };
}

let setup;
switch (config) {
  case 'bare':
    break;
  case 'otel-ctx':
    setup = otel();
    break;
  case 'conformant':
  case 'conformant-unsampled': {
    setup = otel({ sampled: config === 'conformant' });
    const { traced, tracedStream } = conformantFloor(setup);
    let conformantOn = true;
    aroundCall = (fn) => (conformantOn ? traced(fn) : fn());
    aroundStream = (fn) => (conformantOn ? tracedStream(fn) : fn());
    toggle = (on) => (conformantOn = on);
    break;
  }
  case 'compare': {
    // Ours and the conformant floor in one process, switched between small batches (see compareWorkload).
    setup = otel({ switching: true });
    const floor = conformantFloor(setup);
    const { GeminiInstrumentation } = require(
      process.env.BENCH_OURS_BUILD ?? path.join(ROOT, 'build', 'src', 'index.js')
    );
    const instrumentation = new GeminiInstrumentation();
    instrumentation.setTracerProvider(setup.provider);
    instrumentation.setMeterProvider(setup.meterProvider);
    instrumentation.enable();
    let floorOn = false;
    aroundCall = (fn) => (floorOn ? floor.traced(fn) : fn());
    aroundStream = (fn) => (floorOn ? floor.tracedStream(fn) : fn());
    // Ours passes every call straight through while its enabled flag is down: no re-patching between batches.
    compareMode = (mode) => {
      floorOn = mode.startsWith('floor');
      instrumentation._enabled = mode.startsWith('ours');
      switchable.sampled = !mode.endsWith('unsampled');
    };
    break;
  }
  case 'ours':
  case 'ours-content':
  case 'ours-unsampled': {
    setup = otel({ sampled: config !== 'ours-unsampled' });
    const { GeminiInstrumentation } = require(
      process.env.BENCH_OURS_BUILD ?? path.join(ROOT, 'build', 'src', 'index.js')
    );
    const instrumentation = new GeminiInstrumentation(
      config === 'ours-content' ? { captureMessageContent: 'SPAN_ONLY' } : {}
    );
    instrumentation.setTracerProvider(setup.provider);
    // BENCH_NO_METRICS=1: what the metrics cost (for profiling).
    if (process.env.BENCH_NO_METRICS !== '1') instrumentation.setMeterProvider(setup.meterProvider);
    else instrumentation.setMeterProvider({ getMeter: () => setup.api.createNoopMeter() });
    instrumentation.enable();
    toggle = (on) => (on ? instrumentation.enable() : instrumentation.disable());
    break;
  }
  case 'sentry': {
    const Sentry = require(require.resolve('@sentry/node', { paths: [__dirname] }));
    Sentry.init({
      dsn: 'https://public@127.0.0.1:9/1',
      tracesSampleRate: 1,
      sendDefaultPii: false,
      transport: () => ({
        send: async (envelope) => {
          spansSeen += JSON.stringify(envelope).split('"gen_ai.').length > 1 ? 1 : 0;
          return {};
        },
        flush: async () => true,
      }),
      integrations: [Sentry.googleGenAIIntegration()],
    });
    // Sentry only records spans inside a transaction.
    aroundCall = (fn) => Sentry.startSpan({ name: 'bench' }, fn);
    aroundStream = aroundCall;
    tracerNote = 'googleGenAIIntegration';
    if (process.env.BENCH_SENTRY_MANUAL === '1') {
      wrapClient = (ai) => Sentry.instrumentGoogleGenAIClient(ai);
      tracerNote = 'instrumentGoogleGenAIClient (manual)';
    }
    setup = { sentry: Sentry };
    break;
  }
  case 'dd-trace': {
    // A loopback stand-in for the Datadog agent, so dd-trace's exporter runs as in production.
    const http = require('node:http');
    const agent = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (d) => (bytes += d.length));
      req.on('end', () => {
        if (req.url.includes('/traces') && bytes > 1) spansSeen++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"rate_by_service":{}}');
      });
    });
    agent.listen(0, '127.0.0.1');
    agent.unref();
    const port = 18126 + Math.floor(Math.random() * 1000);
    agent.close();
    const listening = http.createServer(agent.listeners('request')[0]).listen(port, '127.0.0.1');
    listening.unref();
    const tracer = require(require.resolve('dd-trace', { paths: [__dirname] })).init({
      startupLogs: false,
      telemetry: false,
      remoteConfig: { enabled: false },
      runtimeMetrics: false,
      flushInterval: 2000,
      url: `http://127.0.0.1:${port}`,
    });
    tracerNote = 'spansSeen counts trace payloads sent to the agent';
    tracer.use('fetch', false);
    tracer.use('http', false);
    setup = { dd: tracer };
    break;
  }
  case 'traceloop': {
    setup = otel();
    const { GenAIInstrumentation } = require(
      require.resolve('@traceloop/instrumentation-google-generativeai', { paths: [__dirname] })
    );
    const instrumentation = new GenAIInstrumentation({ traceContent: false });
    instrumentation.setTracerProvider(setup.provider);
    instrumentation.enable();
    break;
  }
  default:
    throw new Error(`unknown config ${config}`);
}

// ---- The SDK, over an in-process transport -------------------------------------
const { GoogleGenAI } = requireSdk('@google/genai');
const sdkVersion = require(path.join(SDK_DIR, 'node_modules', '@google', 'genai', 'package.json')).version;

const usageMetadata = { promptTokenCount: 12, candidatesTokenCount: 40, thoughtsTokenCount: 20, totalTokenCount: 72 };
const BODY = JSON.stringify({
  candidates: [
    {
      content: { role: 'model', parts: [{ text: 'The sky is blue because of Rayleigh scattering.' }] },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata,
  modelVersion: 'gemini-2.5-flash-001',
  responseId: 'bench-1',
});
const CALL_BODY = JSON.stringify({
  candidates: [
    {
      content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata,
  modelVersion: 'gemini-2.5-flash-001',
  responseId: 'bench-call',
});
const encoder = new TextEncoder();
const sseChunk = (i, last) =>
  encoder.encode(
    `data: ${JSON.stringify({
      candidates: [
        {
          content: { role: 'model', parts: [{ text: ` w${i}` }] },
          index: 0,
          ...(last ? { finishReason: 'STOP' } : {}),
        },
      ],
      usageMetadata,
      modelVersion: 'gemini-2.5-flash-001',
      responseId: 'bench-s',
    })}\r\n\r\n`
  );
const SSE = new Map();
function sse(n) {
  if (!SSE.has(n))
    SSE.set(
      n,
      Array.from({ length: n }, (_, i) => sseChunk(i, i === n - 1))
    );
  return SSE.get(n);
}
let streamLength = 50;
const HEADERS_JSON = { 'content-type': 'application/json' };
const HEADERS_SSE = { 'content-type': 'text/event-stream' };
globalThis.fetch = async (url, init) => {
  if (String(url).includes('streamGenerateContent')) {
    const chunks = sse(streamLength);
    let i = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (i < chunks.length) controller.enqueue(chunks[i++]);
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: HEADERS_SSE });
  }
  // The loop: ask for the tool until its answer comes back.
  const answered = init && typeof init.body === 'string' && init.body.includes('functionResponse');
  const loop = init && typeof init.body === 'string' && init.body.includes('get_weather');
  return new Response(loop && !answered ? CALL_BODY : BODY, { status: 200, headers: HEADERS_JSON });
};

const ai = wrapClient(new GoogleGenAI({ apiKey: 'bench-key' }));
const weatherTool = {
  tool: async () => ({
    functionDeclarations: [
      {
        name: 'get_weather',
        description: 'Weather in a city',
        parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ],
  }),
  callTool: async (calls) => calls.map((c) => ({ functionResponse: { name: c.name, response: { weather: 'sunny' } } })),
};

const unary = () => aroundCall(() => ai.models.generateContent({ model: MODEL, contents: 'Why is the sky blue?' }));
const loop = () =>
  aroundCall(() =>
    ai.models.generateContent({ model: MODEL, contents: 'Weather in Paris?', config: { tools: [weatherTool] } })
  );
async function stream(n) {
  streamLength = n;
  const open = () => ai.models.generateContentStream({ model: MODEL, contents: 'Tell me a story' });
  const s = aroundStream ? await aroundStream(open) : await open();
  let chunks = 0;
  for await (const _ of s) chunks++;
  if (chunks !== n) throw new Error(`expected ${n} chunks, got ${chunks}`);
}

function cpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function measure(name, count, fn) {
  for (let i = 0; i < WARMUP[name]; i++) await fn();
  const cpu0 = cpuMicros();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await fn();
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const cpuUs = cpuMicros() - cpu0;
  return { cpuPerOpUs: cpuUs / count, wallPerOpUs: wallUs / count };
}

/** Median over pairs of (CPU µs per op with the tracer on) − (off), alternating which goes first. */
async function paired(pairs, batch, fn) {
  const diffs = [];
  const timed = async (on) => {
    toggle(on);
    const cpu0 = cpuMicros();
    for (let i = 0; i < batch; i++) await fn();
    return (cpuMicros() - cpu0) / batch;
  };
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      const off = await timed(false);
      diffs.push((await timed(true)) - off);
    } else {
      const on = await timed(true);
      diffs.push(on - (await timed(false)));
    }
  }
  toggle(true);
  diffs.sort((a, b) => a - b);
  return diffs[Math.floor(diffs.length / 2)];
}

/**
 * Ours against the conformant floor in one process (`compare`): small batches of each mode in
 * turn, the order rotated every cycle, each batch's cost taken over the "none" batch of the same
 * cycle (the SDK with OpenTelemetry in use, neither tracer on). On a machine whose speed drifts by
 * tens of percent within seconds, neighbouring batches see the same speed: the ratio holds where
 * separate processes' figures do not.
 */
async function compareWorkload() {
  const MODES = ['none', 'floor', 'ours', 'floor-unsampled', 'ours-unsampled'];
  const cycles = Number(process.env.BENCH_COMPARE_CYCLES ?? 300);
  const batch = Number(process.env.BENCH_COMPARE_BATCH ?? 20);
  const streamCycles = Number(process.env.BENCH_COMPARE_STREAM_CYCLES ?? 60);
  for (const mode of MODES) {
    compareMode(mode);
    for (let i = 0; i < 400; i++) await unary();
    for (let i = 0; i < 2; i++) await stream(1000);
  }
  const run = async (n, perOp, fn) => {
    const added = Object.fromEntries(MODES.slice(1).map((m) => [m, []]));
    const ratio = { sampled: [], unsampled: [] };
    for (let c = 0; c < n; c++) {
      const t = {};
      for (let k = 0; k < MODES.length; k++) {
        const mode = MODES[(k + c) % MODES.length];
        compareMode(mode);
        // Wall time of a small batch: CPU-bound on one thread, and finer than the CPU clock's accounting;
        // a batch the scheduler interrupts is an outlier the median drops.
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < perOp; i++) await fn();
        t[mode] = Number(process.hrtime.bigint() - t0) / 1000 / perOp;
      }
      for (const m of MODES.slice(1)) added[m].push(t[m] - t.none);
      ratio.sampled.push((t.ours - t.none) / (t.floor - t.none));
      ratio.unsampled.push((t['ours-unsampled'] - t.none) / (t['floor-unsampled'] - t.none));
    }
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return {
      addedUs: Object.fromEntries(Object.entries(added).map(([m, xs]) => [m, med(xs)])),
      ratioMedian: { sampled: med(ratio.sampled), unsampled: med(ratio.unsampled) },
    };
  };
  const perCall = await run(cycles, batch, unary);
  // Per chunk: a 1,000-chunk stream per batch, its added cost / 1,000 (the stream's fixed cost included).
  const long = await run(streamCycles, 1, () => stream(1000));
  const perChunk = {
    addedUs: Object.fromEntries(Object.entries(long.addedUs).map(([m, us]) => [m, us / 1000])),
    ratioMedian: long.ratioMedian,
  };
  compareMode('ours');
  return { perCall, perChunk };
}

async function heapSettled() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 5));
  }
  return process.memoryUsage().heapUsed;
}

async function memory() {
  for (let i = 0; i < 2000; i++) await unary();
  const baseline = await heapSettled();
  for (let i = 0; i < 100000; i++) await unary();
  const after = await heapSettled();
  // Peak during one 10,000-chunk stream, sampled every 250 chunks, over the settled heap before it.
  streamLength = 10000;
  const before = await heapSettled();
  const open = () => ai.models.generateContentStream({ model: MODEL, contents: 'Tell me a long story' });
  const s = aroundStream ? await aroundStream(open) : await open();
  let peak = 0;
  let n = 0;
  for await (const _ of s) {
    if (++n % 250 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  return {
    heapGrowthAfter100kCallsKB: Math.round((after - baseline) / 1024),
    streamPeakOverHeapKB: Math.round((peak - before) / 1024),
  };
}

async function main() {
  const run = async () => {
    if (memoryMode) return { memory: await memory() };
    if (compareMode) return { compare: await compareWorkload() };
    // BENCH_WORKLOADS=stream1000 (for profiling one workload); all by default.
    const only = process.env.BENCH_WORKLOADS ? process.env.BENCH_WORKLOADS.split(',') : undefined;
    const workloads = {
      unary: () => unary(),
      stream50: () => stream(50),
      stream1000: () => stream(1000),
      loop: () => loop(),
    };
    const out = {};
    for (const [name, fn] of Object.entries(workloads)) {
      if (!only || only.includes(name)) out[name] = await measure(name, SIZES[name], fn);
    }
    if (toggle && (!only || only.includes('paired'))) {
      // Over the same process with the tracer off: the context manager and SDK stay in use, so this is
      // the cost over "bare + context manager", with the drift of the machine cancelled pair by pair.
      const perCall = await paired(PAIRS.unary, PAIRS.unaryBatch, unary);
      const per1000 = await paired(PAIRS.stream1000, 1, () => stream(1000));
      // Per chunk: a 1,000-chunk stream's added cost / 1,000. It includes the stream's own fixed cost (a
      // fraction of a µs per chunk here), so it errs on the high side; subtracting a short stream's cost
      // instead would add that measurement's noise.
      out.paired = { addedPerCallUs: perCall, addedPerLongStreamUs: per1000, addedPerChunkUs: per1000 / 1000 };
    }
    return out;
  };
  const results = setup && setup.inContext ? await setup.inContext(run) : await run();
  // Let batch processors and exporters see the spans, to report whether the tracer traced at all.
  if (setup && setup.provider) await setup.provider.forceFlush();
  if (setup && setup.sentry) await setup.sentry.flush(2000);
  await new Promise((r) => setTimeout(r, 300));
  process.stdout.write(
    JSON.stringify({ config, major, sdkVersion, node: process.version, note: tracerNote, spansSeen, ...results }) + '\n'
  );
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${config} ${major}: ${err && err.stack}\n`);
  process.exit(1);
});
