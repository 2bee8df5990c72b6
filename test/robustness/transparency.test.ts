/*
 * Transparency, property-based: generated requests, responses (valid,
 * unusual and malformed), stream shapes and consumer behaviours, each run
 * through the real SDK against a loopback server twice, bare and traced. The
 * app must see exactly the same values, chunks, errors and console output,
 * and every span that starts must end exactly once, with no diag message.
 *
 * Fixed seed; PROPERTY_RUNS (default 1000 per SDK major and method) and PROPERTY_SEED
 * change it. `npm run test:long` runs 100,000 cases (docs/testing.md).
 */
import { instrumentation, tracerProvider } from '../utils/otel';
import { logExporter } from '../utils/logs';
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { context, diag, DiagLogLevel, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { plain, SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import type { FakeReply } from '../utils/fake-gemini-server';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261125);
const MODEL = 'gemini-2.5-flash';
const HUGE = 'x'.repeat(1_000_000);

// ---- What the server answers -------------------------------------------------

const text = fc.oneof(
  { weight: 20, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constant(HUGE) }
);
const json = fc.jsonValue({ maxDepth: 2 });
const scalar = fc.jsonValue({ maxDepth: 0 });
const FINISH_REASONS = ['STOP', 'MAX_TOKENS', 'SAFETY', 'RECITATION', 'OTHER', 'MALFORMED_FUNCTION_CALL', 'BLOCKLIST'];
const finishReason = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FINISH_REASONS) },
  fc.string({ maxLength: 12 }),
  scalar
);
const part = fc.oneof(
  { weight: 6, arbitrary: fc.record({ text }) },
  fc.record({ text, thought: fc.boolean() }),
  fc.record({
    functionCall: fc.record(
      {
        name: fc.string({ maxLength: 10 }),
        args: fc.dictionary(fc.string({ maxLength: 5 }), json, { maxKeys: 3 }),
        id: fc.string({ maxLength: 8 }),
      },
      { requiredKeys: [] }
    ),
  }),
  fc.record({
    inlineData: fc.record({
      mimeType: fc.constantFrom('image/png', 'audio/wav'),
      data: fc.base64String({ maxLength: 40 }),
    }),
  }),
  fc.record({ executableCode: fc.record({ language: fc.constant('PYTHON'), code: text }) }),
  fc.constant({}),
  json
);
const candidate = fc.record(
  {
    content: fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record(
          { role: fc.constantFrom('model', 'user', ''), parts: fc.array(part, { maxLength: 4 }) },
          { requiredKeys: [] }
        ),
      },
      json
    ),
    finishReason,
    index: fc.oneof(fc.nat(3), scalar),
    finishMessage: text,
    safetyRatings: fc.array(
      fc.record({ category: fc.string({ maxLength: 8 }), probability: fc.constantFrom('LOW', 'HIGH') })
    ),
  },
  { requiredKeys: [] }
);
const count = fc.oneof(
  { weight: 8, arbitrary: fc.nat(100_000) },
  fc.integer({ min: -5, max: -1 }),
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.constant(null)
);
const usage = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        promptTokenCount: count,
        candidatesTokenCount: count,
        thoughtsTokenCount: count,
        toolUsePromptTokenCount: count,
        cachedContentTokenCount: count,
        totalTokenCount: count,
        promptTokensDetails: fc.array(
          fc.record({ modality: fc.constantFrom('TEXT', 'IMAGE', 'AUDIO', 'X'), tokenCount: count }),
          {
            maxLength: 2,
          }
        ),
      },
      { requiredKeys: [] }
    ),
  },
  json
);
const response = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record(
      {
        candidates: fc.oneof({ weight: 6, arbitrary: fc.array(candidate, { maxLength: 3 }) }, json),
        usageMetadata: usage,
        modelVersion: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('gemini-2.5-flash-001', 'gemini-2.5-pro') },
          scalar
        ),
        responseId: fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 10 }) }, scalar),
        promptFeedback: fc.record(
          { blockReason: fc.constantFrom('SAFETY', 'OTHER', 'BLOCKLIST') },
          { requiredKeys: [] }
        ),
      },
      { requiredKeys: [] }
    ),
  },
  json
);
const GOOGLE_ERRORS: Array<[number, string]> = [
  [400, 'INVALID_ARGUMENT'],
  [401, 'UNAUTHENTICATED'],
  [403, 'PERMISSION_DENIED'],
  [404, 'NOT_FOUND'],
  [429, 'RESOURCE_EXHAUSTED'],
  [500, 'INTERNAL'],
  [503, 'UNAVAILABLE'],
];
const googleError = fc
  .tuple(fc.constantFrom(...GOOGLE_ERRORS), fc.string({ maxLength: 20 }))
  .map(([[code, status], message]) => ({ code, status, message }));
const malformed = fc.constantFrom('{not json', '', 'null', '[1,', '"text"', '{"candidates": [', '\u0000');

type UnaryReply =
  | { kind: 'ok'; body: unknown }
  | { kind: 'http-error'; status: number; body: unknown }
  | { kind: 'raw'; rawBody: string };
const unaryReply: fc.Arbitrary<UnaryReply> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('ok' as const), body: response }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      googleError.map((error) => ({ kind: 'http-error' as const, status: error.code, body: { error } })),
      fc.record({ kind: fc.constant('http-error' as const), status: fc.constantFrom(400, 404, 500, 502), body: json })
    ),
  },
  fc.record({ kind: fc.constant('raw' as const), rawBody: malformed })
);

const streamChunk = fc.oneof(
  { weight: 10, arbitrary: response },
  malformed.map((raw) => ({ raw })),
  googleError.map((error) => ({ error }))
);
type Consumer = { kind: 'drain' } | { kind: 'break' | 'throw' | 'abort'; at: number };
const consumer: fc.Arbitrary<Consumer> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'drain' as const }) },
  fc.record({ kind: fc.constantFrom('break' as const, 'throw' as const, 'abort' as const), at: fc.nat(6) })
);
interface StreamCase {
  chunks: unknown[];
  /** Destroy the connection after this many chunks. */
  dropAfter?: number;
  /** Answer with this HTTP error instead of a stream. */
  httpError?: { status: number; body: unknown };
  consumer: Consumer;
}
const streamCase: fc.Arbitrary<StreamCase> = fc
  .record({
    chunks: fc.array(streamChunk, { maxLength: 8 }),
    drop: fc.option(fc.nat(8), { freq: 5 }),
    httpError: fc.option(
      googleError.map((error) => ({ status: error.code, body: { error } })),
      { freq: 8 }
    ),
    consumer,
  })
  .map(({ chunks, drop, httpError, consumer }) => ({
    chunks,
    // Abort at k never waits for a k-th chunk that cannot come.
    consumer: consumer.kind === 'abort' ? { ...consumer, at: Math.min(consumer.at, chunks.length) } : consumer,
    // A drop races an abort; the other consumers stop reading, whenever the drop comes.
    ...(drop !== null && drop < chunks.length && consumer.kind !== 'abort' ? { dropAfter: drop } : {}),
    ...(httpError ? { httpError } : {}),
  }));

// ---- What the app asks ---------------------------------------------------------

const requestContents = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  fc.array(
    fc.record({
      role: fc.constantFrom('user', 'model'),
      parts: fc.array(
        fc.oneof(
          fc.record({ text: fc.string({ maxLength: 20 }) }),
          fc.record({
            inlineData: fc.record({ mimeType: fc.constant('image/png'), data: fc.base64String({ maxLength: 16 }) }),
          }),
          fc.record({
            functionResponse: fc.record({
              name: fc.constant('f'),
              response: fc.dictionary(fc.string({ maxLength: 4 }), json),
            }),
          })
        ),
        { minLength: 1, maxLength: 3 }
      ),
    }),
    { minLength: 1, maxLength: 3 }
  )
);
const requestConfig = fc.record(
  {
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    maxOutputTokens: fc.nat(2048),
    candidateCount: fc.integer({ min: 1, max: 3 }),
    responseMimeType: fc.constantFrom('text/plain', 'application/json'),
    systemInstruction: fc.string({ maxLength: 20 }),
    stopSequences: fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
    tools: fc.constant([
      {
        functionDeclarations: [
          { name: 'get_weather', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } },
        ],
      },
    ]),
  },
  { requiredKeys: [] }
);
interface Setting {
  capture: 'NO_CONTENT' | 'SPAN_AND_EVENT' | 'PREVIEW' | 'SPAN_ONLY';
  sampled: boolean;
}
const setting: fc.Arbitrary<Setting> = fc.record({
  capture: fc.constantFrom('NO_CONTENT' as const, 'SPAN_AND_EVENT' as const, 'PREVIEW' as const, 'SPAN_ONLY' as const),
  sampled: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
});

// ---- Running a case bare and traced ----------------------------------------------

/** Counts span starts and ends; a span ended twice would be counted, not silently ignored. */
class CountingProcessor implements SpanProcessor {
  started = 0;
  ended = 0;
  readonly endedIds = new Set<string>();
  onStart(): void {
    this.started++;
  }
  onEnd(span: ReadableSpan): void {
    this.ended++;
    this.endedIds.add(span.spanContext().spanId);
  }
  forceFlush = () => Promise.resolve();
  shutdown = () => Promise.resolve();
  reset(): void {
    this.started = this.ended = 0;
    this.endedIds.clear();
  }
}

interface Observed {
  result: unknown;
  console: string[];
}

function describeError(err: unknown): unknown {
  if (!(err instanceof Error)) return { thrown: plain(err) };
  const e = err as Error & { status?: number; cause?: { code?: string } };
  return { ctor: e.constructor.name, name: e.name, message: e.message, status: e.status, cause: e.cause?.code };
}

function describeValue(value: unknown): unknown {
  return { ctor: (value as object | null)?.constructor?.name, value: plain(value) };
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/** Runs `fn` with the console captured (the SDK warns on some shapes: it must warn the same, traced or not). */
async function withConsole<T>(fn: () => Promise<T>): Promise<{ value: T; console: string[] }> {
  const lines: string[] = [];
  const saved = CONSOLE_METHODS.map((m) => console[m]);
  for (const m of CONSOLE_METHODS) {
    console[m] = (...args: unknown[]) =>
      lines.push(`${m}: ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}`);
  }
  try {
    return { value: await fn(), console: lines };
  } finally {
    CONSOLE_METHODS.forEach((m, i) => (console[m] = saved[i] as never));
  }
}

async function consume(stream: AsyncIterable<unknown>, c: Consumer, controller: AbortController) {
  const seen: unknown[] = [];
  let fallback: ReturnType<typeof setTimeout> | undefined;
  if (c.kind === 'abort') {
    if (c.at === 0) controller.abort();
    // The SDK may swallow an event, so the k-th chunk never comes: abort anyway.
    else fallback = setTimeout(() => controller.abort(), 200);
  }
  try {
    for await (const chunk of stream) {
      seen.push(describeValue(chunk));
      if (c.kind !== 'drain' && seen.length === c.at) {
        if (c.kind === 'break') break;
        if (c.kind === 'throw') throw new Error('the consumer gave up');
        controller.abort();
      }
    }
    return { seen, end: 'done' };
  } catch (err) {
    return { seen, end: describeError(err) };
  } finally {
    clearTimeout(fallback);
  }
}

const UNSAMPLED_PARENT = trace.setSpanContext(context.active(), {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.NONE,
});

describe(`transparency, property-based (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(Math.max(60_000, RUNS * 300));
  let reply: () => FakeReply = () => ({ body: {} });
  let served = 0;
  // The first request of a case gets the case's reply; any further one (a 3.x continuation) a 500.
  const server = withFakeGemini(() => (served++ === 0 ? reply() : { status: 500, body: { error: { code: 500 } } }));
  const counting = new CountingProcessor();
  // Spans are counted, not kept: a long run would otherwise hold every one.
  const provider = new BasicTracerProvider({ spanProcessors: [counting] });
  const diagMessages: string[] = [];

  before(async () => {
    instrumentation.setTracerProvider(provider);
    const push =
      (level: string) =>
      (message: string, ...args: unknown[]) =>
        diagMessages.push(
          `${level}: ${message}${args.map((a) => ` ${a instanceof Error ? a.stack : String(a)}`).join('')}`
        );
    diag.setLogger(
      { error: push('error'), warn: push('warn'), info: () => {}, debug: () => {}, verbose: () => {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true }
    );
  });
  after(async () => {
    diag.disable();
    instrumentation.setTracerProvider(tracerProvider);
    instrumentation.setConfig({});
    instrumentation.enable();
  });

  function client() {
    return server.client();
  }

  /** Runs `call` bare, then traced, with the same server reply; returns what the app saw each time. */
  async function bareAndTraced(s: Setting, serverReply: FakeReply, call: () => Promise<unknown>) {
    reply = () => serverReply;
    const runOnce = async (traced: boolean, ctx: Context): Promise<Observed> => {
      served = 0;
      server.requests.length = 0;
      if (traced) instrumentation.enable();
      else instrumentation.disable();
      const { value, console: lines } = await withConsole(() => context.with(ctx, call));
      return { result: value, console: lines };
    };
    const bare = await runOnce(false, context.active());
    instrumentation.setConfig({ captureMessageContent: s.capture });
    counting.reset();
    logExporter.reset();
    diagMessages.length = 0;
    const traced = await runOnce(true, s.sampled ? context.active() : UNSAMPLED_PARENT);
    // Let a stream's span end (return() settles after the loop exits).
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(traced, bare, 'the app sees the same, traced or not');
    assert.deepEqual(diagMessages, [], 'no diag message');
    assert.equal(counting.ended, counting.started, 'every span that started ended');
    assert.equal(counting.endedIds.size, counting.ended, 'no span ended twice');
    assert.equal(counting.started, s.sampled ? 1 : 0, 'one span per round trip when sampled');
    assert.equal(instrumentation.telemetry.streams.size, 0, 'no stream left open');
  }

  it(`generateContent: ${RUNS} generated requests and replies`, async () => {
    await fc.assert(
      fc.asyncProperty(requestContents, requestConfig, unaryReply, setting, async (contents, config, r, s) => {
        const serverReply: FakeReply =
          r.kind === 'ok'
            ? { body: r.body }
            : r.kind === 'http-error'
              ? { status: r.status, body: r.body }
              : { rawBody: r.rawBody };
        await bareAndTraced(s, serverReply, () =>
          client()
            .models.generateContent({ model: MODEL, contents: contents as never, config: config as never })
            .then(describeValue, describeError)
        );
      }),
      { seed: SEED, numRuns: RUNS }
    );
  });

  it(`generateContentStream: ${RUNS} generated streams and consumers`, async () => {
    await fc.assert(
      fc.asyncProperty(requestContents, streamCase, setting, async (contents, c, s) => {
        const serverReply: FakeReply = c.httpError
          ? { status: c.httpError.status, body: c.httpError.body }
          : {
              chunks: c.chunks,
              ...(c.dropAfter !== undefined ? { dropAfterChunks: c.dropAfter } : {}),
              // Abort at k: the server sends k chunks then waits, so what follows the abort never depends on timing.
              ...(c.consumer.kind === 'abort' ? { hangAfterChunks: c.consumer.at } : {}),
            };
        await bareAndTraced(s, serverReply, async () => {
          const controller = new AbortController();
          try {
            const stream = await client().models.generateContentStream({
              model: MODEL,
              contents: contents as never,
              config: { abortSignal: controller.signal },
            });
            return await consume(stream, c.consumer, controller);
          } catch (err) {
            return { request: describeError(err) };
          }
        });
      }),
      { seed: SEED + 1, numRuns: RUNS }
    );
  });
});
