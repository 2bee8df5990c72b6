/*
 * models.generateContent and chat.sendMessage through the real SDK over HTTP
 * (nock intercepts fetch): one exact span per round trip, and the app sees
 * exactly what it sees without the instrumentation.
 */
import { finishedSpans, instrumentation, tracerProvider, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { types } from 'node:util';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { context, diag, DiagLogLevel, SpanStatusCode, trace, type DiagLogger } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';
import { API_VERSION, GEMINI_BASE_URL, loadGenAI, plain, SDK_MAJOR, TEST_API_KEY } from '../utils/genai';
import { assertClientSpan, assertOk, exceptionEvents } from '../utils/assert-span';

const genai = loadGenAI();
const noop = () => undefined;
const silentLogger: DiagLogger = { error: noop, warn: noop, info: noop, debug: noop, verbose: noop };
const { GoogleGenAI } = genai;

const MODEL = 'gemini-2.5-flash';
const GENERATE_PATH = `/${API_VERSION}/models/${MODEL}:generateContent`;

const OK_RESPONSE = {
  candidates: [
    { content: { role: 'model', parts: [{ text: 'Rayleigh scattering.' }] }, finishReason: 'STOP', index: 0 },
  ],
  usageMetadata: {
    promptTokenCount: 12,
    candidatesTokenCount: 4,
    thoughtsTokenCount: 30,
    cachedContentTokenCount: 2,
    totalTokenCount: 46,
  },
  modelVersion: 'gemini-2.5-flash-001',
  responseId: 'resp-abc-123',
};

const BASE_ATTRIBUTES = {
  'gen_ai.operation.name': 'generate_content',
  'gen_ai.provider.name': 'gcp.gemini',
  'gen_ai.request.model': MODEL,
  'server.address': 'generativelanguage.googleapis.com',
  'server.port': 443,
};

const OK_RESPONSE_ATTRIBUTES = {
  'gen_ai.response.id': 'resp-abc-123',
  'gen_ai.response.model': 'gemini-2.5-flash-001',
  'gen_ai.response.finish_reasons': ['STOP'],
  'gen_ai.usage.input_tokens': 12,
  'gen_ai.usage.output_tokens': 34,
  'gen_ai.usage.reasoning.output_tokens': 30,
  'gen_ai.usage.cache_read.input_tokens': 2,
  // gemini-2.5-flash: 10 uncached x $0.30 + 2 cached x $0.03 + (4 + 30) out x $2.50, per 1M
  'gen_ai.cost.usd': (10 * 0.3 + 2 * 0.03 + 34 * 2.5) / 1e6,
};

function client(options: Record<string, unknown> = {}) {
  return new GoogleGenAI({ apiKey: TEST_API_KEY, ...options });
}

function replyOnce(status: number, body: unknown, path = GENERATE_PATH) {
  return nock(GEMINI_BASE_URL)
    .post(path)
    .reply(status, body as nock.Body);
}

describe(`generateContent (@google/genai ${SDK_MAJOR}.x)`, () => {
  before(() => nock.disableNetConnect());
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  beforeEach(() => {
    resetInstrumentation();
  });
  afterEach(() => {
    assert.ok(nock.isDone(), `pending mocks: ${nock.pendingMocks().join(', ')}`);
    nock.cleanAll();
  });

  it('records one CLIENT span with the request and response attributes', async () => {
    replyOnce(200, OK_RESPONSE);
    const response = await client().models.generateContent({
      model: MODEL,
      contents: 'Why is the sky blue?',
      config: {
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        maxOutputTokens: 256,
        stopSequences: ['END'],
        seed: 7,
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        candidateCount: 1,
      },
    });
    assert.equal(response.candidates?.[0]?.content?.parts?.[0]?.text, 'Rayleigh scattering.');
    const spans = finishedSpans();
    assert.equal(spans.length, 1);
    assertClientSpan(spans[0], `generate_content ${MODEL}`, {
      ...BASE_ATTRIBUTES,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.top_k': 40,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.request.seed': 7,
      'gen_ai.request.presence_penalty': 0.5,
      'gen_ai.request.frequency_penalty': 0.25,
      'gen_ai.output.type': 'text',
      ...OK_RESPONSE_ATTRIBUTES,
    });
    assertOk(spans[0]);
  });

  it('gives the sampler the operation, provider, model and server at span start', async () => {
    const seen: Record<string, unknown>[] = [];
    const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
    const sampling = new BasicTracerProvider({
      sampler: {
        shouldSample: (_ctx, _traceId, _name, _kind, attributes) => {
          seen.push({ ...attributes });
          return { decision: 0 }; // NOT_RECORD
        },
        toString: () => 'recording sampler',
      },
    });
    instrumentation.setTracerProvider(sampling);
    try {
      replyOnce(200, OK_RESPONSE);
      const response = await client().models.generateContent({ model: MODEL, contents: 'hi' });
      assert.equal(response.responseId, 'resp-abc-123');
    } finally {
      instrumentation.setTracerProvider(tracerProvider);
    }
    assert.deepEqual(seen, [BASE_ATTRIBUTES]);
    assert.equal(finishedSpans().length, 0);
  });

  it('names choice.count only when it is not 1, and the JSON and image output types', async () => {
    replyOnce(200, OK_RESPONSE);
    replyOnce(200, OK_RESPONSE);
    replyOnce(200, OK_RESPONSE);
    const ai = client();
    await ai.models.generateContent({ model: MODEL, contents: 'x', config: { candidateCount: 2 } });
    await ai.models.generateContent({
      model: MODEL,
      contents: 'x',
      config: { responseMimeType: 'application/json', responseSchema: { type: genai.Type.OBJECT } },
    });
    await ai.models.generateContent({
      model: MODEL,
      contents: 'x',
      config: { responseModalities: [genai.Modality.TEXT, genai.Modality.IMAGE] },
    });
    const [count, json, image] = finishedSpans();
    assert.equal(count.attributes['gen_ai.request.choice.count'], 2);
    assert.equal(count.attributes['gen_ai.output.type'], 'text');
    assert.equal(json.attributes['gen_ai.request.choice.count'], undefined);
    assert.equal(json.attributes['gen_ai.output.type'], 'json');
    assert.equal(image.attributes['gen_ai.output.type'], 'image');
  });

  it('shows every candidate finish reason, and a blocked prompt', async () => {
    replyOnce(200, {
      candidates: [
        { content: { role: 'model', parts: [{ text: 'a' }] }, finishReason: 'MAX_TOKENS', index: 0 },
        { finishReason: 'SAFETY', index: 1 },
        { finishReason: 'SOME_FUTURE_REASON', index: 2 },
      ],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 },
      modelVersion: 'gemini-2.5-flash-001',
      responseId: 'r1',
    });
    replyOnce(200, {
      promptFeedback: { blockReason: 'SAFETY' },
      usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
      modelVersion: 'gemini-2.5-flash-001',
      responseId: 'r2',
    });
    const ai = client();
    const many = await ai.models.generateContent({ model: MODEL, contents: 'x', config: { candidateCount: 3 } });
    assert.equal(many.candidates?.length, 3);
    const blocked = await ai.models.generateContent({ model: MODEL, contents: 'x' });
    assert.equal(blocked.promptFeedback?.blockReason, 'SAFETY');

    const [first, second] = finishedSpans();
    assert.deepEqual(first.attributes['gen_ai.response.finish_reasons'], [
      'MAX_TOKENS',
      'SAFETY',
      'SOME_FUTURE_REASON',
    ]);
    assertClientSpan(second, `generate_content ${MODEL}`, {
      ...BASE_ATTRIBUTES,
      'gen_ai.output.type': 'text',
      'gen_ai.response.id': 'r2',
      'gen_ai.response.model': 'gemini-2.5-flash-001',
      'gen_ai.usage.input_tokens': 9,
      'gcp.gen_ai.response.prompt_block_reason': 'SAFETY',
      // The blocked prompt is still billed: 9 x $0.30 per 1M.
      'gen_ai.cost.usd': (9 * 0.3 + 0 * 0.03 + 0 * 2.5) / 1e6,
    });
    assertOk(second);
  });

  it('counts tool-use prompt tokens as input', async () => {
    replyOnce(200, {
      ...OK_RESPONSE,
      usageMetadata: { promptTokenCount: 10, toolUsePromptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 17 },
    });
    await client().models.generateContent({ model: MODEL, contents: 'x' });
    const attrs = finishedSpans()[0].attributes;
    assert.equal(attrs['gen_ai.usage.input_tokens'], 15);
    assert.equal(attrs['gen_ai.usage.output_tokens'], 2);
    assert.equal(attrs['gcp.gen_ai.usage.tool_use_prompt_tokens'], 5);
    assert.equal(attrs['gen_ai.usage.reasoning.output_tokens'], undefined);
  });

  it('records one span for a chat turn, not two', async () => {
    replyOnce(200, OK_RESPONSE);
    replyOnce(200, { ...OK_RESPONSE, responseId: 'second-turn' });
    const chat = client().chats.create({ model: MODEL, config: { temperature: 0.1 } });
    await chat.sendMessage({ message: 'first' });
    const second = await chat.sendMessage({ message: 'second' });
    assert.equal(second.responseId, 'second-turn');
    const spans = finishedSpans();
    assert.equal(spans.length, 2);
    assert.deepEqual(
      spans.map((s) => [s.name, s.attributes['gen_ai.response.id'], s.attributes['gen_ai.request.temperature']]),
      [
        [`generate_content ${MODEL}`, 'resp-abc-123', 0.1],
        [`generate_content ${MODEL}`, 'second-turn', 0.1],
      ]
    );
    assert.equal(spans[0].parentSpanContext, undefined);
  });

  it('uses gcp.vertex_ai and the Vertex AI host in Vertex AI mode', async () => {
    nock('https://aiplatform.googleapis.com')
      .post(`/v1beta1/publishers/google/models/${MODEL}:generateContent`)
      .reply(200, OK_RESPONSE);
    await client({ vertexai: true }).models.generateContent({ model: MODEL, contents: 'x' });
    assertClientSpan(finishedSpans()[0], `generate_content ${MODEL}`, {
      ...BASE_ATTRIBUTES,
      'gen_ai.provider.name': 'gcp.vertex_ai',
      'server.address': 'aiplatform.googleapis.com',
      'gen_ai.output.type': 'text',
      ...OK_RESPONSE_ATTRIBUTES,
    });
  });

  it('takes server.address and server.port from a custom base URL', async () => {
    nock('http://gemini.internal:8080').post(GENERATE_PATH).reply(200, OK_RESPONSE);
    await client({ httpOptions: { baseUrl: 'http://gemini.internal:8080' } }).models.generateContent({
      model: MODEL,
      contents: 'x',
    });
    const attrs = finishedSpans()[0].attributes;
    assert.equal(attrs['server.address'], 'gemini.internal');
    assert.equal(attrs['server.port'], 8080);
  });

  it('is the active span while the SDK sends the request', async () => {
    replyOnce(200, OK_RESPONSE);
    const originalFetch = globalThis.fetch;
    let activeDuringFetch: string | undefined;
    globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
      activeDuringFetch = trace.getActiveSpan()?.spanContext().spanId;
      return originalFetch(...args);
    }) as typeof fetch;
    const parent = tracerProvider.getTracer('test').startSpan('app work');
    try {
      await context.with(trace.setSpan(context.active(), parent), () =>
        client().models.generateContent({ model: MODEL, contents: 'x' })
      );
    } finally {
      globalThis.fetch = originalFetch;
      parent.end();
    }
    const [span] = finishedSpans();
    assert.equal(activeDuringFetch, span.spanContext().spanId);
    assert.equal(span.parentSpanContext?.spanId, parent.spanContext().spanId);
    assert.equal(span.spanContext().traceId, parent.spanContext().traceId);
  });

  describe('failures', () => {
    const cases: Array<[number, string, string]> = [
      [400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.'],
      [401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
      [403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers."],
      [404, 'NOT_FOUND', 'models/nope is not found for API version v1beta.'],
      [429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota.'],
      [500, 'INTERNAL', 'An internal error has occurred.'],
      [503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'],
    ];
    for (const [status, googleStatus, message] of cases) {
      it(`HTTP ${status} ${googleStatus}: ERROR span, error.type ${status}, the app's error untouched`, async () => {
        const body = { error: { code: status, message, status: googleStatus } };
        replyOnce(status, body);
        const instrumented = await client()
          .models.generateContent({ model: MODEL, contents: 'x' })
          .then(
            () => assert.fail('expected a rejection'),
            (e: unknown) => e as Error & { status?: number }
          );

        instrumentation.disable();
        replyOnce(status, body);
        const bare = await client()
          .models.generateContent({ model: MODEL, contents: 'x' })
          .then(
            () => assert.fail('expected a rejection'),
            (e: unknown) => e as Error & { status?: number }
          );

        assert.equal(instrumented.constructor, bare.constructor);
        assert.equal(instrumented.name, 'ApiError');
        assert.equal(instrumented.message, bare.message);
        assert.equal(instrumented.status, status);

        const spans = finishedSpans();
        assert.equal(spans.length, 1);
        const [span] = spans;
        assertClientSpan(span, `generate_content ${MODEL}`, {
          ...BASE_ATTRIBUTES,
          'gen_ai.output.type': 'text',
          'error.type': String(status),
          // The conventions' newer rule: `error` where a finish reason was expected and never came.
          'gen_ai.response.finish_reasons': ['error'],
        });
        assert.equal(span.status.code, SpanStatusCode.ERROR);
        assert.equal(span.status.message, instrumented.message);
        const [event] = exceptionEvents(span);
        assert.equal(event.attributes?.['exception.type'], 'ApiError');
        assert.equal(event.attributes?.['exception.message'], instrumented.message);
      });
    }

    it('network failure: error.type is the system error code', async () => {
      const closedPort = await new Promise<number>((resolve) => {
        const s = http.createServer().listen(0, '127.0.0.1', () => {
          const { port } = s.address() as AddressInfo;
          s.close(() => resolve(port));
        });
      });
      nock.enableNetConnect('127.0.0.1');
      const err = await client({ httpOptions: { baseUrl: `http://127.0.0.1:${closedPort}` } })
        .models.generateContent({ model: MODEL, contents: 'x' })
        .then(
          () => assert.fail('expected a rejection'),
          (e: unknown) => e as Error
        );
      nock.disableNetConnect();
      assert.equal(err.name, 'TypeError');
      const [span] = finishedSpans();
      assert.equal(span.attributes['error.type'], 'ECONNREFUSED');
      assert.equal(span.attributes['server.port'], closedPort);
      assert.equal(span.status.code, SpanStatusCode.ERROR);
    });

    it('abort: error.type AbortError', async function () {
      const controller = new AbortController();
      controller.abort();
      nock(GEMINI_BASE_URL).post(GENERATE_PATH).optionally().reply(200, OK_RESPONSE);
      const outcome = await client()
        .models.generateContent({ model: MODEL, contents: 'x', config: { abortSignal: controller.signal } })
        .then(
          () => undefined,
          (e: unknown) => e as Error
        );
      const spans = finishedSpans();
      assert.equal(spans.length, 1);
      if (outcome === undefined) {
        // This SDK version ignores an already-aborted signal: a normal span then.
        assertOk(spans[0]);
        return;
      }
      assert.equal(outcome.name, 'AbortError');
      assert.equal(spans[0].attributes['error.type'], 'AbortError');
      assert.equal(spans[0].status.code, SpanStatusCode.ERROR);
    });
  });

  describe('patching', () => {
    it('covers clients created before enable(), and disable() restores the original method', async () => {
      instrumentation.disable();
      assert.equal(
        isWrapped((genai.Models.prototype as unknown as Record<string, unknown>).generateContentInternal),
        false
      );
      const early = client();
      replyOnce(200, OK_RESPONSE);
      await early.models.generateContent({ model: MODEL, contents: 'x' });
      assert.equal(finishedSpans().length, 0);

      instrumentation.enable();
      assert.equal(
        isWrapped((genai.Models.prototype as unknown as Record<string, unknown>).generateContentInternal),
        true
      );
      replyOnce(200, OK_RESPONSE);
      await early.models.generateContent({ model: MODEL, contents: 'x' });
      assert.equal(finishedSpans().length, 1);
    });

    it('never wraps twice when enabled twice', async () => {
      instrumentation.enable();
      instrumentation.enable();
      replyOnce(200, OK_RESPONSE);
      await client().models.generateContent({ model: MODEL, contents: 'x' });
      assert.equal(finishedSpans().length, 1);
    });

    it('leaves the client and its methods as the SDK made them (no Proxy, same identities)', () => {
      const ai = client();
      assert.equal(types.isProxy(ai), false);
      assert.equal(types.isProxy(ai.models), false);
      assert.equal(ai.models.generateContent, ai.models.generateContent);
      assert.ok(Object.prototype.hasOwnProperty.call(ai.models, 'generateContent'));
      assert.equal(Object.getPrototypeOf(ai.models), genai.Models.prototype);
    });

    it('returns exactly what the bare SDK returns', async () => {
      replyOnce(200, OK_RESPONSE);
      const traced = await client().models.generateContent({ model: MODEL, contents: 'x' });
      instrumentation.disable();
      replyOnce(200, OK_RESPONSE);
      const bare = await client().models.generateContent({ model: MODEL, contents: 'x' });
      assert.equal(traced.constructor, bare.constructor);
      assert.deepEqual(plain(traced), plain(bare));
      assert.equal(traced.text, bare.text);
    });

    it('patches a second copy of the SDK elsewhere in node_modules', async () => {
      const { createRequire } = await import('node:module');
      const path = await import('node:path');
      const { SDK_DIR } = await import('../utils/genai');
      const other = SDK_MAJOR === '2' ? '3' : '2';
      const otherGenai = createRequire(path.join(SDK_DIR, '..', `v${other}`, 'package.json'))(
        '@google/genai'
      ) as typeof genai;
      assert.notEqual(otherGenai.Models, genai.Models);
      assert.equal(
        isWrapped((otherGenai.Models.prototype as unknown as Record<string, unknown>).generateContentInternal),
        true
      );
      const otherVersion = Number(other) >= 3 ? 'v1' : 'v1beta';
      nock(GEMINI_BASE_URL).post(`/${otherVersion}/models/${MODEL}:generateContent`).reply(200, OK_RESPONSE);
      await new otherGenai.GoogleGenAI({ apiKey: TEST_API_KEY }).models.generateContent({
        model: MODEL,
        contents: 'x',
      });
      assert.equal(finishedSpans().length, 1);

      // disable() and enable() reach every copy, not only the last one loaded.
      const wrapped = () =>
        [genai, otherGenai].map((m) =>
          isWrapped((m.Models.prototype as unknown as Record<string, unknown>).generateContentInternal)
        );
      instrumentation.disable();
      assert.deepEqual(wrapped(), [false, false]);
      instrumentation.enable();
      assert.deepEqual(wrapped(), [true, true]);
    });

    it('never lets a failure of its own reach the app', async () => {
      // 'start': the tracer throws; 'end': the span takes the request attributes, then fails at every later step.
      const broken = (where: 'start' | 'end') => ({
        getTracer: () => ({
          startSpan: () => {
            if (where === 'start') throw new Error('tracer broke');
            let calls = 0;
            const fail = (what: string) => () => {
              if (what !== 'setAttributes' || ++calls > 1) throw new Error(`${what} broke`);
            };
            return {
              isRecording: () => true,
              setAttributes: fail('setAttributes'),
              setAttribute: fail('setAttribute'),
              recordException: fail('recordException'),
              setStatus: fail('setStatus'),
              end: fail('end'),
              spanContext: () => ({ traceId: '1'.repeat(32), spanId: '1'.repeat(16), traceFlags: 1 }),
            };
          },
        }),
      });
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const warnings: string[] = [];
      diag.setLogger(
        { ...silentLogger, warn: (message: string) => warnings.push(message) },
        { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true }
      );
      try {
        for (const where of ['start', 'end'] as const) {
          instrumentation.setTracerProvider(broken(where) as never);
          replyOnce(200, OK_RESPONSE);
          const ok = await client().models.generateContent({ model: MODEL, contents: 'x' });
          assert.equal(ok.responseId, 'resp-abc-123');
          replyOnce(429, { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } });
          const err = await client()
            .models.generateContent({ model: MODEL, contents: 'x' })
            .then(
              () => assert.fail('expected a rejection'),
              (e: Error & { status?: number }) => e
            );
          assert.equal(err.status, 429);
        }
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        instrumentation.setTracerProvider(tracerProvider);
        process.off('unhandledRejection', onUnhandled);
        diag.disable();
      }
      assert.deepEqual(unhandled, []);
      // Each failure was reported, once per step, through diag.
      assert.deepEqual([...new Set(warnings)].sort(), [
        'opentelemetry-instrumentation-google-genai: could not end a span',
        'opentelemetry-instrumentation-google-genai: could not read the response',
        'opentelemetry-instrumentation-google-genai: could not record the error',
        'opentelemetry-instrumentation-google-genai: could not start generate_content',
      ]);
    });

    it('records nothing that carries the API key', async () => {
      replyOnce(200, OK_RESPONSE);
      replyOnce(429, { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } });
      const ai = client();
      await ai.models.generateContent({ model: MODEL, contents: 'x' });
      await ai.models.generateContent({ model: MODEL, contents: 'x' }).catch(() => undefined);
      const dump = JSON.stringify(
        finishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status }))
      );
      assert.equal(dump.includes(TEST_API_KEY), false);
    });
  });
});
