/*
 * The fault matrix: every way a call can go wrong, through the real SDK
 * against a loopback server, traced and bare. For each fault the app sees
 * exactly what it sees without us, every span ends (once) with the right
 * error.type, and nothing exported (spans, events, metrics) carries the API
 * key, or the prompt and answer while content capture is off; with
 * EVENT_ONLY, spans still carry none. Exporters that throw change nothing.
 */
import { finishedSpans, instrumentation, resetInstrumentation, tracerProvider } from '../utils/otel';
import { finishedLogs, logExporter, loggerProvider } from '../utils/logs';
import { collectMetrics, meterProvider } from '../utils/metrics';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { loadGenAI, plain, SDK_MAJOR, TEST_API_KEY } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import type { FakeReply } from '../utils/fake-gemini-server';

const genai = loadGenAI();
const MODEL = 'gemini-2.5-flash';
const PROMPT = 'PROMPT-SECRET-1f2e what is the sky';
const ANSWER = 'ANSWER-SECRET-9c8d';

function chunk(text: string, extra: Record<string, unknown> = {}) {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...extra }],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 },
    modelVersion: 'gemini-2.5-flash-001',
    responseId: 'r-1',
  };
}
const OK_BODY = chunk(ANSWER, { finishReason: 'STOP' });
const CHUNKS = [chunk(ANSWER), chunk(' more'), chunk(' end', { finishReason: 'STOP' })];
const ASK_TOOL = {
  candidates: [
    {
      content: { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: ANSWER } } }] },
      finishReason: 'STOP',
    },
  ],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 },
  modelVersion: 'gemini-2.5-flash-001',
};

const GOOGLE_ERRORS: Array<[number, string, string]> = [
  [400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  [401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  [403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers."],
  [404, 'NOT_FOUND', `models/${MODEL} is not found for API version v1beta.`],
  [429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.'],
  [
    500,
    'INTERNAL',
    'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  ],
  [503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'],
];

type Client = InstanceType<typeof genai.GoogleGenAI>;

/** Reads a stream as an app does: what it got, and how it ended. */
async function drain(stream: AsyncIterable<unknown>, onChunk?: (n: number) => void) {
  const chunks: unknown[] = [];
  try {
    for await (const c of stream) {
      chunks.push(plain(c));
      onChunk?.(chunks.length);
    }
    return { chunks };
  } catch (err) {
    return { chunks, error: describeError(err) };
  }
}

function describeError(err: unknown) {
  const e = err as Error & { status?: number; cause?: { code?: string } };
  return { ctor: e?.constructor?.name, name: e?.name, message: e?.message, status: e?.status, cause: e?.cause?.code };
}

function unary(config: Record<string, unknown> = {}) {
  return (ai: Client) =>
    ai.models.generateContent({ model: MODEL, contents: PROMPT, config }).then((r) => plain(r), describeError);
}

function streamed(config: Record<string, unknown> = {}, onChunk?: (n: number, abort: () => void) => void) {
  return async (ai: Client) => {
    const controller = new AbortController();
    try {
      const stream = await ai.models.generateContentStream({
        model: MODEL,
        contents: PROMPT,
        config: { ...config, abortSignal: controller.signal },
      });
      return await drain(stream, (n) => onChunk?.(n, () => controller.abort()));
    } catch (err) {
      return { request: describeError(err) };
    }
  };
}

interface Fault {
  name: string;
  /** Server replies, in order. */
  replies: FakeReply[];
  /** Point the client at a closed port instead. */
  closedPort?: boolean;
  run: (ai: Client) => Promise<unknown>;
  /** The spans we expect: names, and error.type of each ('' for none). */
  spans: Array<[string, string]>;
  /** An extra check of what the app saw. */
  check?: (seen: unknown) => void;
}

function faults(): Fault[] {
  const list: Fault[] = [];
  for (const [status, googleStatus, message] of GOOGLE_ERRORS) {
    const reply = { status, body: { error: { code: status, message, status: googleStatus } } };
    list.push({
      name: `HTTP ${status} ${googleStatus}, generateContent`,
      replies: [reply],
      run: unary(),
      spans: [[`generate_content ${MODEL}`, String(status)]],
    });
    list.push({
      name: `HTTP ${status} ${googleStatus}, generateContentStream`,
      replies: [reply],
      run: streamed(),
      spans: [[`generate_content ${MODEL}`, String(status)]],
    });
  }
  const gen = `generate_content ${MODEL}`;
  list.push(
    {
      name: 'network failure (connection refused), generateContent',
      replies: [],
      closedPort: true,
      run: unary(),
      spans: [[gen, 'ECONNREFUSED']],
    },
    {
      name: 'network failure (connection refused), generateContentStream',
      replies: [],
      closedPort: true,
      run: streamed(),
      spans: [[gen, 'ECONNREFUSED']],
    },
    {
      name: 'connection reset mid-stream',
      replies: [{ chunks: CHUNKS, dropAfterChunks: 1, chunkDelayMs: 5 }],
      run: streamed(),
      spans: [[gen, 'UND_ERR_SOCKET']],
    },
    {
      name: 'malformed SSE line',
      replies: [{ chunks: [CHUNKS[0], { raw: '{"candidates": [' }, CHUNKS[2]] }],
      run: streamed(),
      spans: [[gen, 'SyntaxError']],
    },
    {
      name: `in-stream error event (${SDK_MAJOR === '1' ? '1.x yields it as a chunk' : 'thrown'})`,
      replies: [{ chunks: [CHUNKS[0], { error: { code: 500, message: 'Internal error', status: 'INTERNAL' } }] }],
      run: streamed(),
      spans: [[gen, SDK_MAJOR === '1' ? '' : '500']],
    },
    {
      name: 'abort during a generateContent request',
      replies: [{ body: OK_BODY, delayMs: 2000 }],
      run: (ai) => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        return unary({ abortSignal: controller.signal })(ai);
      },
      spans: [[gen, 'AbortError']],
    },
    {
      name: 'abort mid-stream',
      replies: [{ chunks: CHUNKS, hangAfterChunks: 1 }],
      run: streamed({}, (n, abort) => n === 1 && abort()),
      spans: [[gen, 'AbortError']],
    },
    {
      name: 'a malformed JSON body',
      replies: [{ rawBody: '{"candidates": [' }],
      run: unary(),
      spans: [[gen, 'SyntaxError']],
    },
    {
      name: 'an error body that echoes the API key and a keyed URL',
      replies: [
        {
          status: 400,
          body: {
            error: {
              code: 400,
              message: `Bad key ${TEST_API_KEY} for https://proxy.example/v1/models?key=${TEST_API_KEY}&alt=sse`,
              status: 'INVALID_ARGUMENT',
            },
          },
        },
      ],
      run: unary(),
      spans: [[gen, '400']],
      // The app's own error still has it: we change nothing the app sees.
      check: (seen) => assert.ok(JSON.stringify(seen).includes(TEST_API_KEY)),
    },
    {
      name: 'a tool that throws',
      replies: [{ body: ASK_TOOL }],
      run: (ai) =>
        ai.models
          .generateContent({
            model: MODEL,
            contents: PROMPT,
            config: { tools: [tool(() => Promise.reject(new RangeError('tool broke')))] },
          })
          .then(plain, describeError),
      spans: [
        [gen, ''],
        ['execute_tool lookup', 'RangeError'],
        ['agent.run', 'RangeError'],
      ],
    },
    {
      name: 'a tool that never returns until the app aborts',
      replies: [{ body: ASK_TOOL }],
      run: (ai) => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        const never = () =>
          new Promise<never>((_, reject) =>
            controller.signal.addEventListener('abort', () =>
              reject(new DOMException('The tool was aborted', 'AbortError'))
            )
          );
        return ai.models
          .generateContent({
            model: MODEL,
            contents: PROMPT,
            config: { tools: [tool(never)], abortSignal: controller.signal },
          })
          .then(plain, describeError);
      },
      spans: [
        [gen, ''],
        ['execute_tool lookup', 'AbortError'],
        ['agent.run', 'AbortError'],
      ],
    }
  );
  return list;
}

/** A callable tool declaring `lookup`, answered by `answer`. */
function tool(answer: () => Promise<unknown>) {
  return {
    tool: async () => ({
      functionDeclarations: [
        { name: 'lookup', parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } } } },
      ],
    }),
    callTool: async () => {
      await answer();
      return [];
    },
  };
}

/** Everything exported so far, as one string to search. */
async function exported(): Promise<{ spans: string; all: string }> {
  const spans = JSON.stringify(
    finishedSpans().map((s) => ({
      name: s.name,
      attributes: s.attributes,
      events: s.events,
      status: s.status,
      links: s.links,
    }))
  );
  const logs = JSON.stringify(
    finishedLogs().map((l) => ({ body: l.body, attributes: l.attributes, eventName: l.eventName }))
  );
  const metrics = JSON.stringify(await collectMetrics());
  return { spans, all: spans + logs + metrics };
}

function assertAbsent(dump: string, what: string[], where: string): void {
  for (const secret of what) assert.equal(dump.includes(secret), false, `${secret} found in ${where}`);
}

describe(`fault matrix (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(30000);
  let script: FakeReply[] = [];
  let closedPort = 0;
  const server = withFakeGemini((req) => {
    const next = script.shift();
    if (!next) throw new Error(`unexpected request ${req.path}`);
    return next;
  });

  before(async () => {
    closedPort = await new Promise<number>((resolve) => {
      const s = http.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
  });
  beforeEach(async () => {
    resetInstrumentation();
    logExporter.reset();
    await collectMetrics();
  });

  function client(f: Pick<Fault, 'closedPort'>): Client {
    const baseUrl = f.closedPort ? `http://127.0.0.1:${closedPort}` : server.url;
    return new genai.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl } });
  }

  async function traced(f: Fault): Promise<unknown> {
    script = [...f.replies];
    const seen = await f.run(client(f));
    await new Promise((resolve) => setTimeout(resolve, 30));
    return seen;
  }

  function assertSpans(f: Fault, spans: ReadableSpan[]): void {
    const got = spans
      .map((s) => [s.name, String(s.attributes['error.type'] ?? '')] as [string, string])
      .sort((a, b) => a[0].localeCompare(b[0]));
    assert.deepEqual(
      got,
      [...f.spans].sort((a, b) => a[0].localeCompare(b[0]))
    );
    for (const s of spans) {
      assert.ok(s.ended);
      assert.equal(s.status.code, s.attributes['error.type'] ? SpanStatusCode.ERROR : SpanStatusCode.UNSET, s.name);
    }
    const open = instrumentation.telemetry.streams.size;
    assert.equal(open, 0, 'no stream span left open');
  }

  for (const f of faults()) {
    it(f.name, async () => {
      const seen = await traced(f);
      f.check?.(seen);
      assertSpans(f, finishedSpans());
      const dump = await exported();
      assertAbsent(dump.all, [TEST_API_KEY, 'PROMPT-SECRET', 'ANSWER-SECRET'], 'the default telemetry');

      // Content as events only: the spans still carry none, under the same fault.
      resetInstrumentation();
      instrumentation.setConfig({ captureMessageContent: 'EVENT_ONLY' });
      logExporter.reset();
      assert.deepEqual(await traced(f), seen);
      assertSpans(f, finishedSpans());
      const withEvents = await exported();
      assertAbsent(withEvents.spans, [TEST_API_KEY, 'PROMPT-SECRET', 'ANSWER-SECRET'], 'spans with EVENT_ONLY');
      assertAbsent(withEvents.all, [TEST_API_KEY], 'telemetry with EVENT_ONLY');

      instrumentation.disable();
      script = [...f.replies];
      const bare = await f.run(client(f));
      instrumentation.enable();
      assert.deepEqual(seen, bare, 'the app sees the same, traced or not');
      assert.equal(script.length, 0, 'every scripted reply used');
    });
  }

  describe('exporters that throw', () => {
    const thrown: unknown[] = [];
    const onUnhandled = (reason: unknown) => thrown.push(reason);
    before(() => process.on('unhandledRejection', onUnhandled));
    after(() => {
      process.off('unhandledRejection', onUnhandled);
      instrumentation.setTracerProvider(tracerProvider);
      instrumentation.setLoggerProvider(loggerProvider);
      instrumentation.setMeterProvider(meterProvider);
    });
    beforeEach(() => (thrown.length = 0));

    const spanExporter: SpanExporter = {
      export: () => {
        throw new Error('span exporter broke');
      },
      shutdown: () => Promise.resolve(),
    };
    const logRecordExporter: LogRecordExporter = {
      export: () => {
        throw new Error('log exporter broke');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const metricExporter: PushMetricExporter = {
      export: () => {
        throw new Error('metric exporter broke');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };

    for (const processor of ['SimpleSpanProcessor', 'BatchSpanProcessor'] as const) {
      it(`a span, log and metric exporter that throw (${processor}): the app gets its results, nothing escapes`, async () => {
        const spanProcessor =
          processor === 'SimpleSpanProcessor'
            ? new SimpleSpanProcessor(spanExporter)
            : new BatchSpanProcessor(spanExporter, { scheduledDelayMillis: 1 });
        const provider = new BasicTracerProvider({ spanProcessors: [spanProcessor] });
        const logs = new LoggerProvider({
          processors: [new SimpleLogRecordProcessor({ exporter: logRecordExporter })],
        });
        const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 100 });
        const meters = new MeterProvider({ readers: [reader] });
        instrumentation.setTracerProvider(provider);
        instrumentation.setLoggerProvider(logs);
        instrumentation.setMeterProvider(meters);
        instrumentation.setConfig({ captureMessageContent: 'SPAN_AND_EVENT' });
        try {
          script = [{ body: OK_BODY }, { chunks: CHUNKS }];
          const ai = client({});
          const one = await unary()(ai);
          const two = await streamed()(ai);
          assert.equal((one as { responseId?: string }).responseId, 'r-1');
          assert.equal((two as { chunks: unknown[] }).chunks.length, 3);
          await provider.forceFlush().catch(() => undefined);
          await reader.forceFlush().catch(() => undefined);
          await new Promise((resolve) => setTimeout(resolve, 50));
        } finally {
          await meters.shutdown().catch(() => undefined);
        }
        assert.deepEqual(thrown, [], 'no unhandled rejection');
      });
    }
  });
});
