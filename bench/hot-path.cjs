// The instrumentation's own cost per call, with no SDK around it: a fake
// `Models` whose generateContentInternal returns a settled promise, patched
// the way the real one is. Precise where bench/run.mjs is noisy (the SDK's own
// ~100 µs per call jitters by more than our whole cost). For profiling:
//   node bench/hot-path.cjs [--floor] [--unsampled] [--no-metrics]
'use strict';
const path = require('node:path');
const api = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { BasicTracerProvider, BatchSpanProcessor, AlwaysOffSampler } = require('@opentelemetry/sdk-trace-base');
const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
const { GeminiInstrumentation } = require(path.join(__dirname, '..', 'build', 'src', 'index.js'));

const unsampled = process.argv.includes('--unsampled');
const AWAITS = Number(process.env.BENCH_AWAITS ?? 0);
const noMetrics = process.argv.includes('--no-metrics');
// --floor: a hand-written span around the same fake call instead of ours (the benchmark's floor).
const floor = process.argv.includes('--floor');
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new BasicTracerProvider({
  ...(unsampled ? { sampler: new AlwaysOffSampler() } : {}),
  spanProcessors: [
    new BatchSpanProcessor({ export: (s, done) => done({ code: 0 }), shutdown: async () => {} }, { maxQueueSize: 1e5 }),
  ],
});
class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const instrumentation = new GeminiInstrumentation();
instrumentation.setTracerProvider(provider);
instrumentation.setMeterProvider(
  noMetrics ? { getMeter: () => api.createNoopMeter() } : new MeterProvider({ readers: [new Reader()] })
);

const RESPONSE = {
  candidates: [{ content: { role: 'model', parts: [{ text: 'Blue.' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 40, thoughtsTokenCount: 20, totalTokenCount: 72 },
  modelVersion: 'gemini-2.5-flash-001',
  responseId: 'r',
};
const apiClient = {
  isVertexAI: () => false,
  getBaseUrl: () => 'https://generativelanguage.googleapis.com/',
  getApiKey: () => 'k',
};
class Models {
  constructor() {
    this.apiClient = apiClient;
    this.generateContent = (params) => this.generateContentInternal(params);
  }
  async generateContentInternal() {
    // As the SDK does: a few awaits per call (BENCH_AWAITS, default 0).
    for (let i = 0; i < AWAITS; i++) await null;
    return RESPONSE;
  }
  generateContentStreamInternal() {
    return Promise.resolve(null);
  }
}
let floorOn = false;
if (floor) {
  const tracer = provider.getTracer('floor');
  const original = Models.prototype.generateContentInternal;
  Models.prototype.generateContentInternal = function (params) {
    if (!floorOn) return original.call(this, params);
    return tracer.startActiveSpan(
      'generate_content gemini-2.5-flash',
      {
        kind: api.SpanKind.CLIENT,
        attributes: { 'gen_ai.operation.name': 'generate_content', 'gen_ai.request.model': params.model },
      },
      (span) =>
        original.call(this, params).then((r) => {
          span.setAttribute('gen_ai.usage.input_tokens', r.usageMetadata.promptTokenCount);
          span.setAttribute('gen_ai.usage.output_tokens', r.usageMetadata.candidatesTokenCount);
          span.end();
          return r;
        })
    );
  };
  instrumentation.enable = () => (floorOn = true);
  instrumentation.disable = () => (floorOn = false);
} else {
  const [definition] = instrumentation.getModuleDefinitions();
  definition.patch({ Models }, '3.3.0');
}
instrumentation.enable();
const models = new Models();
const params = { model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' };

async function batch(n) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await models.generateContent(params);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

(async () => {
  await api.context.with(api.context.active().setValue(api.createContextKey('x'), 1), async () => {
    const results = { on: [], off: [] };
    await batch(20000);
    for (let i = 0; i < 10; i++) {
      instrumentation.disable();
      results.off.push(await batch(20000));
      instrumentation.enable();
      results.on.push(await batch(20000));
    }
    const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    console.log(
      JSON.stringify({
        floor,
        unsampled,
        noMetrics,
        offUs: +med(results.off).toFixed(2),
        onUs: +med(results.on).toFixed(2),
        addedUs: +(med(results.on) - med(results.off)).toFixed(2),
      })
    );
  });
})();
