/*
 * Our own failures stay ours: each mapping function of ours is made to throw
 * in turn (as a response shape it did not expect would make it), and a plain
 * call, a drained stream, a failed call and a function-calling loop still
 * give the app exactly what the bare SDK gives, every span that started
 * ends, nothing is rejected unhandled, and diag says what happened, a few
 * times at most (never once per chunk).
 */
import { instrumentation, tracerProvider, resetInstrumentation } from '../utils/otel';
import '../utils/logs';
import * as assert from 'node:assert/strict';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as attributes from '../../src/mapping/attributes';
import { StreamedResponse } from '../../src/surfaces/generate-content';
import * as content from '../../src/mapping/content';
import * as cost from '../../src/mapping/cost';
import * as enduser from '../../src/mapping/enduser';
import { FunctionCallLinks } from '../../src/core/links';
import * as interactions from '../../src/mapping/interactions';
import { plain, SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import { completedInteraction, interactionEvents, type FakeRequest, type FakeReply } from '../utils/fake-gemini-server';

const MODEL = 'gemini-2.5-flash';
const STREAM_CHUNKS = 30;
/** 1.x has an earlier Interactions client, not traced. */
const HAS_INTERACTIONS = SDK_MAJOR !== '1';

type Module = Record<string, unknown>;
/** What we break: a module's export, or a method on a class's prototype. */
const TARGETS: Array<[string, Module, string]> = [
  ...[
    'samplingAttributes',
    'requestAttributes',
    'responseAttributes',
    'usageTotals',
    'modelVersionOf',
    'functionCallsOf',
    'answeredCallsOf',
    'errorType',
    'automaticFunctionCalling',
    'declaredFunctions',
    'spanName',
  ].map((name): [string, Module, string] => ['attributes', attributes as unknown as Module, name]),
  ...['inputMessages', 'outputMessages', 'systemInstructions', 'toolDefinitions', 'recordMessages'].map(
    (name): [string, Module, string] => ['content', content as unknown as Module, name]
  ),
  ['cost', cost as unknown as Module, 'priceFor'],
  ['cost', cost as unknown as Module, 'costOf'],
  ['enduser', enduser as unknown as Module, 'endUserAttributes'],
  ['StreamedResponse.prototype', StreamedResponse.prototype as unknown as Module, 'observe'],
  ['StreamedResponse.prototype', StreamedResponse.prototype as unknown as Module, 'asResponse'],
  ['FunctionCallLinks.prototype', FunctionCallLinks.prototype as unknown as Module, 'asked'],
  ['FunctionCallLinks.prototype', FunctionCallLinks.prototype as unknown as Module, 'answered'],
  // The Interactions API (2.x and 3.x).
  ...(HAS_INTERACTIONS
    ? [
        'interactionParams',
        'interactionRequestAttributes',
        'interactionAgent',
        'interactionAsResponse',
        'interactionStatus',
        'fetchAttributes',
      ].map((name): [string, Module, string] => ['interactions', interactions as unknown as Module, name])
    : []),
];

class CountingProcessor implements SpanProcessor {
  started = 0;
  ended = 0;
  onStart(): void {
    this.started++;
  }
  onEnd(_span: ReadableSpan): void {
    this.ended++;
  }
  forceFlush = () => Promise.resolve();
  shutdown = () => Promise.resolve();
}

function chunk(i: number, last: boolean) {
  return {
    candidates: [
      { content: { role: 'model', parts: [{ text: `w${i} ` }] }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) },
    ],
    usageMetadata: { promptTokenCount: 4, candidatesTokenCount: i + 1, totalTokenCount: 5 + i },
    modelVersion: 'gemini-2.5-flash-001',
    responseId: 'stream-1',
  };
}

function reply(req: FakeRequest): FakeReply {
  if (req.action.startsWith('interactions.')) {
    // Fixed ids, so that the bare and the traced runs get the same.
    const streamed = (req.body as { stream?: boolean } | undefined)?.stream === true || /stream=true/.test(req.path);
    const interaction = completedInteraction(MODEL, req.interactionId ?? 'int-fixed');
    return streamed ? { chunks: interactionEvents(interaction) } : { body: interaction };
  }
  const body = req.body as { contents?: Array<{ parts?: Array<{ text?: string; functionResponse?: unknown }> }> };
  const lastParts = body.contents?.[body.contents.length - 1]?.parts ?? [];
  const prompt = lastParts[0]?.text ?? '';
  if (req.action === 'streamGenerateContent') {
    return { chunks: Array.from({ length: STREAM_CHUNKS }, (_, i) => chunk(i, i === STREAM_CHUNKS - 1)) };
  }
  if (prompt === 'fail')
    return { status: 429, body: { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED' } } };
  if (prompt === 'loop') {
    return {
      body: {
        candidates: [
          {
            content: { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'lookup', args: { q: 'x' } } }] },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 6, candidatesTokenCount: 2, totalTokenCount: 8 },
        modelVersion: 'gemini-2.5-flash-001',
      },
    };
  }
  return {
    body: {
      candidates: [{ content: { role: 'model', parts: [{ text: 'answer' }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 6, candidatesTokenCount: 2, totalTokenCount: 8 },
      modelVersion: 'gemini-2.5-flash-001',
      responseId: 'unary-1',
    },
  };
}

const lookupTool = {
  tool: async () => ({
    functionDeclarations: [
      { name: 'lookup', parametersJsonSchema: { type: 'object', properties: { q: { type: 'string' } } } },
    ],
  }),
  callTool: async (calls: Array<{ id?: string; name: string }>) =>
    calls.map((c) => ({ functionResponse: { id: c.id, name: c.name, response: { result: 'found' } } })),
};

describe(`our own failures are contained (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(30000);
  const server = withFakeGemini(reply);
  const counting = new CountingProcessor();
  const provider = new BasicTracerProvider({ spanProcessors: [counting] });
  const messages: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  let bare: unknown;

  const scenario = async () => {
    const ai = server.client();
    const out: unknown[] = [];
    const settle = <T>(p: Promise<T>) =>
      p.then(plain, (e: Error & { status?: number }) => ({ error: `${e.name} ${e.status ?? ''} ${e.message}` }));
    out.push(
      await settle(
        ai.models.generateContent({ model: MODEL, contents: 'hello', config: { systemInstruction: 'be brief' } })
      )
    );
    out.push(await settle(ai.models.generateContent({ model: MODEL, contents: 'fail' })));
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: 'stream' });
    const chunks: unknown[] = [];
    for await (const c of stream) chunks.push(plain(c));
    out.push(chunks);
    out.push(
      await settle(
        ai.models.generateContent({
          model: MODEL,
          contents: 'loop',
          config: { tools: [lookupTool], automaticFunctionCalling: { maximumRemoteCalls: 1 } },
        })
      )
    );
    // A manual loop's answer: links are looked up.
    out.push(
      await settle(
        ai.models.generateContent({
          model: MODEL,
          contents: [{ role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'lookup', response: { r: 1 } } }] }],
        })
      )
    );
    if (HAS_INTERACTIONS) {
      out.push(await settle(ai.interactions.create({ model: MODEL, input: 'hello', system_instruction: 'be brief' })));
      const events: unknown[] = [];
      for await (const e of await ai.interactions.create({ model: MODEL, input: 'stream', stream: true })) {
        events.push(plain(e));
      }
      out.push(events);
      out.push(await settle(ai.interactions.create({ agent: 'deep-research', input: 'x', background: true })));
      out.push(await settle(ai.interactions.get('int-fixed', { last_event_id: 'evt-1' })));
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    return out;
  };

  before(async () => {
    instrumentation.disable();
    bare = await scenario();
    instrumentation.enable();
    process.on('unhandledRejection', onUnhandled);
  });
  after(async () => {
    process.off('unhandledRejection', onUnhandled);
    diag.disable();
    instrumentation.setTracerProvider(tracerProvider);
  });
  beforeEach(() => {
    resetInstrumentation();
    // Every mapping runs: content on spans and events, an end user, prices.
    // A new `prices` object each time: price lookups are cached per configuration.
    instrumentation.setConfig({
      captureMessageContent: 'SPAN_AND_EVENT',
      endUserId: () => 'user-1',
      prices: {},
    } as never);
    instrumentation.setTracerProvider(provider);
    counting.started = counting.ended = 0;
    messages.length = 0;
    unhandled.length = 0;
    diag.setLogger(
      {
        error: (m: string) => messages.push(m),
        warn: (m: string) => messages.push(m),
        info: () => {},
        debug: () => {},
        verbose: () => {},
      },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true }
    );
  });

  it('the scenario records spans and no diag message when nothing is broken', async () => {
    assert.deepEqual(await scenario(), bare);
    assert.deepEqual(messages, []);
    assert.ok(counting.started >= 7, `spans: ${counting.started}`);
    assert.equal(counting.ended, counting.started);
  });

  for (const [where, target, name] of TARGETS) {
    it(`${where}.${name} throws: same results, every span ended, reported through diag`, async () => {
      const original = target[name];
      assert.equal(typeof original, 'function', `${where}.${name} exists`);
      let calls = 0;
      target[name] = function () {
        calls++;
        throw new TypeError(`injected failure in ${name}`);
      };
      let seen: unknown;
      try {
        seen = await scenario();
      } finally {
        target[name] = original;
      }
      assert.ok(calls > 0, `${name} was reached`);
      assert.deepEqual(seen, bare, 'the app sees what the bare SDK gives');
      assert.deepEqual(unhandled, []);
      assert.equal(counting.ended, counting.started, 'every span that started ended');
      assert.ok(messages.length > 0, 'the failure was reported');
      assert.ok(
        messages.every((m) => m.startsWith('opentelemetry-instrumentation-google-genai:')),
        messages.join('\n')
      );
      // At most a few per call (the scenario makes nine): never one per stream chunk.
      assert.ok(messages.length <= 24, `${messages.length} messages:\n${messages.join('\n')}`);
    });
  }
});
