// `npm run leaks`: does the heap come back to its baseline after many calls
// and many abandoned streams? Run with --expose-gc (the npm script does).
//
//   node --expose-gc scripts/leaks.mjs [--calls 100000] [--streams 10000] [--json] [--bare]
//
// The SDK (@google/genai from the project's devDependencies) talks to an
// in-process fetch stub, so only the SDK and the instrumentation allocate.
// The real OpenTelemetry SDK records every span (sampled, exported to an
// exporter that drops them) and every metric. Figures: docs/testing.md.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CALLS = option('calls', 100_000);
const STREAMS = option('streams', 10_000);
const IDLE_MS = option('idle-ms', 250);
const CONCURRENCY = 50;
const asJson = args.includes('--json');
// --bare: the same run without the instrumentation, for comparison.
const bare = args.includes('--bare');

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}

const { context } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
const { GeminiInstrumentation } = require('../build/src/index.js');

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
let exported = 0;
const dropAll = {
  export(spans, done) {
    exported += spans.length;
    done({ code: 0 });
  },
  shutdown: async () => {},
};
class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const reader = new Reader();
const instrumentation = new GeminiInstrumentation({ streamIdleTimeoutMs: IDLE_MS });
instrumentation.setTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(dropAll)] }));
instrumentation.setMeterProvider(new MeterProvider({ readers: [reader] }));
if (bare) instrumentation.disable();
else instrumentation.enable();
const { GoogleGenAI } = require('@google/genai');
const sdkVersion = JSON.parse(
  readFileSync(new URL('../node_modules/@google/genai/package.json', import.meta.url), 'utf8')
).version;

// --- the in-process Gemini API ---------------------------------------------------
const BODY = JSON.stringify({
  candidates: [{ content: { role: 'model', parts: [{ text: 'The sky is blue.' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 5, totalTokenCount: 13 },
  modelVersion: 'gemini-2.5-flash-001',
  responseId: 'r-1',
});
const SSE = ['The', ' sky', ' is', ' blue.']
  .map(
    (t, i) =>
      `data: ${JSON.stringify({ ...JSON.parse(BODY), candidates: [{ content: { role: 'model', parts: [{ text: t }] }, index: 0, ...(i === 3 ? { finishReason: 'STOP' } : {}) }] })}\r\n\r\n`
  )
  .join('');
globalThis.fetch = async (url) => {
  const stream = String(url).includes('streamGenerateContent');
  return new Response(stream ? SSE : BODY, {
    status: 200,
    headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' },
  });
};

const ai = new GoogleGenAI({ apiKey: 'leak-check-key' });
const call = () => ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' });

async function calls(n) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function heap() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await sleep(10);
  }
  return process.memoryUsage().heapUsed;
}

const mb = (bytes) => Math.round((bytes / 1024 / 1024) * 100) / 100;

await calls(2_000);
await reader.collect();
const baseline = await heap();

const t0 = Date.now();
await calls(CALLS);
await reader.collect();
const afterCalls = await heap();
const callsMs = Date.now() - t0;

// Streams the app starts and drops without reading: their spans end as
// abandoned after the idle time, and nothing of them may stay behind.
for (let i = 0; i < STREAMS; i++) {
  await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Why?' });
}
const openAfterStart = instrumentation.telemetry.streams.size;
await sleep(IDLE_MS * 3);
const openAfterIdle = instrumentation.telemetry.streams.size;
await reader.collect();
const afterStreams = await heap();

const result = {
  mode: bare ? 'bare SDK' : 'instrumented',
  node: process.version,
  sdk: sdkVersion,
  calls: CALLS,
  streams: STREAMS,
  spansExported: exported,
  heapBaselineMB: mb(baseline),
  heapAfterCallsMB: mb(afterCalls),
  growthAfterCallsMB: mb(afterCalls - baseline),
  callsPerSecond: Math.round(CALLS / (callsMs / 1000)),
  openStreamsBeforeIdle: openAfterStart,
  openStreamsAfterIdle: openAfterIdle,
  heapAfterStreamsMB: mb(afterStreams),
  growthAfterStreamsMB: mb(afterStreams - baseline),
};
if (asJson) console.log(JSON.stringify(result));
else console.table(result);
