/*
 * Everything the instrumentation emits for a representative workload, run
 * once per test process through the real SDK against the loopback server:
 * calls, a stream, function-calling loops (one that runs away), safety and
 * length stops, a blocked prompt, a cache hit, an expensive call, a failure,
 * an embedding, a context cache, a call with content capture on; with
 * baggage naming the user. The
 * artefacts we ship (Collector policies, dashboard, query cookbooks) are
 * checked against it.
 */
import { instrumentation, finishedSpans, resetInstrumentation } from './otel';
import { collectMetrics, type Point } from './metrics';
import { context, propagation, SpanStatusCode, type AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadGenAI, TEST_API_KEY } from './genai';
import { defaultReply, startFakeGemini, type FakeReply, type FakeRequest } from './fake-gemini-server';

export interface Emitted {
  spans: ReadableSpan[];
  metrics: Record<string, { unit: string; points: Point[] }>;
}

const MODEL = 'gemini-2.5-flash';

function promptOf(req: FakeRequest): string {
  const body = req.body as { contents?: Array<{ parts?: Array<{ text?: string }> }> };
  return body?.contents?.[0]?.parts?.[0]?.text ?? '';
}

function reply(req: FakeRequest): FakeReply | undefined {
  if (req.path.includes('cachedContents')) {
    return {
      body: {
        name: 'cachedContents/c1',
        model: `models/${MODEL}`,
        usageMetadata: { totalTokenCount: 4096 },
        expireTime: '2026-11-25T10:00:00Z',
      },
    };
  }
  if (req.action === 'embedContent' || req.action === 'batchEmbedContents') {
    return { body: { embeddings: [{ values: [0.1, 0.2, 0.3] }], usageMetadata: { promptTokenCount: 3 } } };
  }
  const prompt = promptOf(req);
  const answer = (candidate: Record<string, unknown>, usage: Record<string, number> = {}) => ({
    body: {
      candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, index: 0, ...candidate }],
      usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 5, totalTokenCount: 13, ...usage },
      modelVersion: `${req.model}-001`,
      responseId: 'r1',
    },
  });
  switch (prompt) {
    case 'SAFETY':
      return answer({ finishReason: 'SAFETY' });
    case 'MAX_TOKENS':
      return answer({ finishReason: 'MAX_TOKENS' });
    case 'BLOCKED':
      return { body: { promptFeedback: { blockReason: 'SAFETY' }, modelVersion: `${req.model}-001` } };
    case 'CACHED':
      return answer({ finishReason: 'STOP' }, { promptTokenCount: 5000, cachedContentTokenCount: 4096 });
    case 'EXPENSIVE':
      return answer({ finishReason: 'STOP' }, { promptTokenCount: 1_000_000, candidatesTokenCount: 20_000 });
    case 'FAIL':
      return {
        status: 503,
        body: { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
      };
    case 'LOOP':
      // A model that never stops asking for the tool.
      return {
        body: {
          candidates: [
            {
              content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
              finishReason: 'STOP',
            },
          ],
          usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 5 },
          modelVersion: `${req.model}-001`,
        },
      };
    default:
      return defaultReply(req);
  }
}

const weather = {
  tool: async () => ({
    functionDeclarations: [{ name: 'get_weather', parametersJsonSchema: { type: 'object', properties: {} } }],
  }),
  callTool: async (calls: Array<{ name?: string }>) =>
    calls.map((c) => ({ functionResponse: { name: c.name, response: { sky: 'clear' } } })),
};

let once: Promise<Emitted> | undefined;

/** What the workload emitted (run on first use, then shared by every test of the process). */
export function emitted(): Promise<Emitted> {
  return (once ??= run());
}

async function run(): Promise<Emitted> {
  const genai = loadGenAI();
  const server = await startFakeGemini(reply);
  try {
    resetInstrumentation();
    instrumentation.setConfig({ agentName: 'weather-agent' });
    await collectMetrics(); // from nothing
    const ai = new genai.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: server.url } });
    const call = (contents: string, config?: Record<string, unknown>) =>
      ai.models.generateContent({ model: MODEL, contents, config }).catch(() => undefined);
    const baggage = propagation.createBaggage({
      'enduser.id': { value: 'alice' },
      'enduser.role': { value: 'qa' },
      'enduser.plan': { value: 'pro' },
    });
    await call('Hello'); // an ordinary call, for no one in particular
    await context.with(propagation.setBaggage(context.active(), baggage), async () => {
      await call('Hello');
      for (const prompt of ['SAFETY', 'MAX_TOKENS', 'BLOCKED', 'CACHED', 'EXPENSIVE', 'FAIL']) await call(prompt);
      await call('What is the weather?', { tools: [weather] });
      await call('LOOP', { tools: [weather], automaticFunctionCalling: { maximumRemoteCalls: 5 } });
      for await (const chunk of await ai.models.generateContentStream({ model: MODEL, contents: 'Stream' })) {
        void chunk;
      }
      await ai.models.embedContent({ model: 'gemini-embedding-001', contents: 'x' });
      await ai.caches.create({ model: MODEL, config: { contents: 'a long document', ttl: '3600s' } });
    });
    // With content capture on (an opt-in): the message attributes.
    instrumentation.setConfig({ captureMessageContent: 'SPAN_ONLY' });
    await call('Hello again', { systemInstruction: 'Be brief.' });
    const spans = [...finishedSpans()];
    const metrics = await collectMetrics();
    return { spans, metrics };
  } finally {
    instrumentation.setConfig({});
    resetInstrumentation();
    await server.close();
  }
}

/** The first call of the workload: ordinary in every way (no user, STOP, small). */
export function ordinaryCall(e: Emitted): ReadableSpan {
  const span = e.spans.find((s) => s.name === `generate_content ${MODEL}`);
  if (!span || span.attributes['enduser.role'] !== undefined)
    throw new Error('the workload starts with an ordinary call');
  return span;
}

/** Every span attribute emitted, with the values seen (arrays flattened into their elements). */
export function spanAttributes(e: Emitted): Map<string, Set<AttributeValue | string | number | boolean>> {
  const out = new Map<string, Set<AttributeValue | string | number | boolean>>();
  for (const span of e.spans) {
    for (const [key, value] of Object.entries(span.attributes)) {
      if (value === undefined) continue;
      const values = out.get(key) ?? new Set();
      for (const v of Array.isArray(value) ? value : [value]) values.add(v as string | number | boolean);
      out.set(key, values);
    }
  }
  return out;
}

export function isError(span: ReadableSpan): boolean {
  return span.status.code === SpanStatusCode.ERROR;
}

/** OTLP units to Prometheus suffixes, for the units we use (prometheus/otlptranslator's table). */
const UNIT_SUFFIXES: Record<string, string> = { s: 'seconds', ms: 'milliseconds', By: 'bytes', '1': '' };

/**
 * The Prometheus series names and label names of the emitted metrics, as
 * Prometheus's OTLP ingestion and the Collector's Prometheus exporters name
 * them by default (underscore escaping, with unit and type suffixes):
 * `gen_ai.client.operation.duration` (s) gives
 * `gen_ai_client_operation_duration_seconds_bucket|_sum|_count`, the cost
 * counter (USD) `gen_ai_client_cost_USD_total`; `{token}` adds nothing.
 */
export function prometheusSeries(e: Emitted): Map<string, { labels: Map<string, Set<string>> }> {
  const out = new Map<string, { labels: Map<string, Set<string>> }>();
  const escape = (name: string) => name.replace(/[^a-zA-Z0-9:]+/g, '_');
  for (const [name, { unit, points }] of Object.entries(e.metrics)) {
    const bare = unit.replace(/\{[^}]*\}/g, '');
    const suffix = bare in UNIT_SUFFIXES ? UNIT_SUFFIXES[bare] : escape(bare);
    const base = [escape(name), suffix].filter(Boolean).join('_');
    const histogram = typeof points[0].value === 'object';
    const labels = new Map<string, Set<string>>();
    for (const point of points) {
      for (const [key, value] of Object.entries(point.attributes)) {
        const values = labels.get(escape(key)) ?? new Set<string>();
        values.add(String(value));
        labels.set(escape(key), values);
      }
    }
    // Our two counters are observable (monotonic) counters: `_total`.
    const names = histogram ? [`${base}_bucket`, `${base}_sum`, `${base}_count`] : [`${base}_total`];
    for (const series of names) {
      const own = new Map(labels);
      if (series.endsWith('_bucket')) own.set('le', new Set());
      out.set(series, { labels: own });
    }
  }
  return out;
}
