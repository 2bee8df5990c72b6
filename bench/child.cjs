// One measurement process of `npm run bench` (bench/run.mjs starts it): one
// tracer configuration, one @google/genai major, every workload, one JSON
// line on stdout. Each configuration gets its own process because peers patch
// globally and for good.
//
//   node [--expose-gc] bench/child.cjs <config> <major> [--memory]
//
// Knobs for investigating: BENCH_WORKLOADS=unary,stream50,stream1000,loop,paired (default: all),
// BENCH_PAIRS and BENCH_PAIR_BATCH (paired calls: pairs × calls per batch), BENCH_LONG_STREAMS,
// BENCH_NO_METRICS=1 (ours without a meter provider).
'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');

const [config, major] = process.argv.slice(2);
const memoryMode = process.argv.includes('--memory');
const ROOT = path.join(__dirname, '..');
const SDK_DIR = path.join(ROOT, 'test', 'sdk-versions', `v${major}`);
const requireSdk = createRequire(path.join(SDK_DIR, 'package.json'));
const MODEL = 'gemini-2.5-flash';

// ---- Workload sizes (per process; run.mjs repeats processes) -------------------
const SIZES = { unary: 2000, stream50: 100, stream1000: Number(process.env.BENCH_LONG_STREAMS ?? 10), loop: 400 };
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

function otel({ sampled = true } = {}) {
  const api = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const {
    BasicTracerProvider,
    BatchSpanProcessor,
    AlwaysOffSampler,
    AlwaysOnSampler,
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
    sampler: sampled ? new AlwaysOnSampler() : new AlwaysOffSampler(),
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

let setup;
switch (config) {
  case 'bare':
    break;
  case 'otel-ctx':
    setup = otel();
    break;
  case 'floor': {
    // The floor: what a careful hand-written span around the call costs.
    setup = otel();
    const tracer = setup.api.trace.getTracer('floor');
    const { SpanKind, SpanStatusCode } = setup.api;
    const usage = (span, r) => {
      const u = r && r.usageMetadata;
      if (u) {
        span.setAttribute('gen_ai.usage.input_tokens', u.promptTokenCount);
        span.setAttribute('gen_ai.usage.output_tokens', u.candidatesTokenCount);
      }
    };
    aroundCall = (fn) =>
      tracer.startActiveSpan(
        `generate_content ${MODEL}`,
        {
          kind: SpanKind.CLIENT,
          attributes: { 'gen_ai.operation.name': 'generate_content', 'gen_ai.request.model': MODEL },
        },
        (span) =>
          fn().then(
            (r) => {
              usage(span, r);
              span.end();
              return r;
            },
            (e) => {
              span.setStatus({ code: SpanStatusCode.ERROR });
              span.end();
              throw e;
            }
          )
      );
    const traced = { call: aroundCall };
    aroundCall = (fn) => (floorOn ? traced.call(fn) : fn());
    let floorOn = true;
    toggle = (on) => (floorOn = on);
    const tracedStream = (fn) =>
      tracer.startActiveSpan(
        `generate_content ${MODEL}`,
        {
          kind: SpanKind.CLIENT,
          attributes: { 'gen_ai.operation.name': 'generate_content', 'gen_ai.request.model': MODEL },
        },
        async (span) => {
          const stream = await fn();
          // The naive wrapper most hand-written code uses: an async generator.
          return (async function* () {
            let last;
            try {
              for await (const chunk of stream) {
                last = chunk;
                yield chunk;
              }
            } finally {
              usage(span, last);
              span.end();
            }
          })();
        }
      );
    aroundStream = (fn) => (floorOn ? tracedStream(fn) : fn());
    break;
  }
  case 'ours':
  case 'ours-content':
  case 'ours-unsampled': {
    setup = otel({ sampled: config !== 'ours-unsampled' });
    const { GeminiInstrumentation } = require(path.join(ROOT, 'build', 'src', 'index.js'));
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
