/*
 * The Interactions API (`ai.interactions`, @google/genai 2.x and 3.x; 1.x has
 * an earlier experimental client, not traced) against a loopback server that
 * speaks it as the SDK calls it: JSON, and SSE ended by `[DONE]`. One CLIENT
 * span per HTTP round trip, exact attributes and metric points, the app's
 * results and events the same as without the instrumentation.
 */
import { finishedSpans, instrumentation, resetInstrumentation } from '../utils/otel';
import { collectMetrics, usd } from '../utils/metrics';
import * as assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { plain, SDK_MAJOR, TEST_API_KEY } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import { assertValidContent, CONTENT_ATTRIBUTES, schemasAvailable } from '../utils/schemas';
import { completedInteraction, interactionEvents, type FakeReply } from '../utils/fake-gemini-server';

const MODEL = 'gemini-2.5-flash';
const AGENT = 'deep-research-pro-preview-12-2025';
// The server's usage: 8 input, 5 output + 12 thought tokens, on gemini-2.5-flash.
const USAGE = {
  'gen_ai.usage.input_tokens': 8,
  'gen_ai.usage.output_tokens': 17,
  'gen_ai.usage.reasoning.output_tokens': 12,
  'gen_ai.usage.cache_read.input_tokens': 0,
  'gcp.gen_ai.usage.tool_use_prompt_tokens': 0,
  // By modality, as the conventions now name them.
  'gen_ai.usage.text.input_tokens': 8,
  'gen_ai.usage.text.output_tokens': 5,
};
const COST = (8 * 0.3 + 17 * 2.5) / 1e6;

(SDK_MAJOR === '1' ? describe.skip : describe)(`the Interactions API (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  beforeEach(async () => {
    resetInstrumentation();
    await collectMetrics();
  });
  after(() => instrumentation.setConfig({}));

  const client = () => server.client();
  const base = (operation = 'generate_content') => ({
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': 'gcp.gemini',
    ...(operation === 'generate_content' ? { 'gen_ai.request.model': MODEL } : {}),
    'server.address': '127.0.0.1',
    'server.port': server.port,
  });

  /** Runs `call` traced then bare against the same replies; the app must see the same. */
  async function sameAsBare<T>(call: () => Promise<T>, replies?: () => void): Promise<unknown> {
    const settle = (p: Promise<T>) =>
      p.then(plain, (e: Error & { status?: number }) => ({ error: `${e.name} ${e.status} ${e.message}` }));
    replies?.();
    const traced = await settle(call());
    instrumentation.disable();
    replies?.();
    const bare = await settle(call());
    instrumentation.enable();
    assert.deepEqual(traced, bare);
    return traced;
  }
  /** The events of a stream as the app reads them, up to `stopAfter`. */
  async function read(stream: AsyncIterable<unknown>, stopAfter = Infinity): Promise<unknown[]> {
    const events: unknown[] = [];
    for await (const e of stream) {
      events.push(plain(e));
      if (events.length >= stopAfter) break;
    }
    return events;
  }
  const fixedIds = (reply: (id: string) => FakeReply) => {
    let n = 0;
    server.reply = (req) => (req.action === 'interactions.create' ? reply(`int-${++n}`) : undefined);
  };

  it('create: one generate_content span with the response id, status, usage and cost; its metric points', async () => {
    const result = (await sameAsBare(
      () =>
        client().interactions.create({
          model: MODEL,
          input: 'Hello',
          generation_config: { temperature: 0.2, max_output_tokens: 64 },
        }),
      () => fixedIds((id) => ({ body: completedInteraction(MODEL, id) }))
    )) as { id: string; output_text?: string };
    assert.equal(result.id, 'int-1');
    const [span] = finishedSpans();
    assert.equal(span.name, `generate_content ${MODEL}`);
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.deepEqual(
      { ...span.attributes },
      {
        ...base(),
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.max_tokens': 64,
        'gen_ai.output.type': 'text',
        ...USAGE,
        'gen_ai.response.id': 'int-1',
        'gen_ai.response.model': MODEL,
        'gen_ai.response.status': 'completed',
        'gen_ai.cost.usd': COST,
      }
    );
    const m = await collectMetrics();
    const points = m['gen_ai.client.operation.duration'].points;
    assert.equal(points.length, 1);
    assert.deepEqual(points[0].attributes, { ...base(), 'gen_ai.response.model': MODEL });
    assert.deepEqual(
      m['gen_ai.client.token.usage'].points.map((p) => [
        p.attributes['gen_ai.token.type'],
        (p.value as { sum: number }).sum,
      ]),
      [
        ['input', 8],
        ['output', 17],
      ]
    );
    assert.equal(m['gen_ai.client.cost'].points[0].value, usd(COST));
    // Nothing of the key anywhere.
    assert.equal(JSON.stringify(finishedSpans().map((s) => s.attributes)).includes(TEST_API_KEY), false);
  });

  it('a second turn: gen_ai.request.previous_response.id from previous_interaction_id', async () => {
    await client().interactions.create({ model: MODEL, input: 'And then?', previous_interaction_id: 'int-0' });
    const [span] = finishedSpans();
    assert.equal(span.attributes['gen_ai.request.previous_response.id'], 'int-0');
  });

  it('a stream read to the end: one span, ended at [DONE], with events, time to first chunk and usage', async () => {
    const events = (await sameAsBare(
      async () => read(await client().interactions.create({ model: MODEL, input: 'Hello', stream: true })),
      () => fixedIds((id) => ({ chunks: interactionEvents(completedInteraction(MODEL, id)), chunkDelayMs: 5 }))
    )) as Array<{ event_type: string }>;
    assert.deepEqual(
      events.map((e) => e.event_type),
      [
        'interaction.created',
        'step.start',
        'step.delta',
        'step.delta',
        'step.delta',
        'step.stop',
        'interaction.completed',
      ]
    );
    const [span] = finishedSpans();
    const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    assert.ok(ttfc > 0 && ttfc < 5, `ttfc ${ttfc}`);
    assert.deepEqual(
      { ...span.attributes },
      {
        ...base(),
        'gen_ai.output.type': 'text',
        'gen_ai.request.stream': true,
        ...USAGE,
        'gen_ai.response.id': 'int-1',
        'gen_ai.response.model': MODEL,
        'gen_ai.response.chunk_count': 7,
        'gcp.gen_ai.stream.outcome': 'completed',
        'gen_ai.response.time_to_first_chunk': ttfc,
        'gen_ai.response.status': 'completed',
        'gen_ai.cost.usd': COST,
      }
    );
    assert.deepEqual(
      span.events.map((e) => e.name),
      ['first_token']
    );
    assert.equal(instrumentation.telemetry.streams.size, 0);
    const m = await collectMetrics();
    assert.equal(m['gen_ai.client.operation.time_to_first_chunk'].points.length, 1);
  });

  it('a stream the app breaks out of: cut short, with what it said so far', async () => {
    const events = await sameAsBare(
      async () => read(await client().interactions.create({ model: MODEL, input: 'Hello', stream: true }), 2),
      () => fixedIds((id) => ({ chunks: interactionEvents(completedInteraction(MODEL, id)), chunkDelayMs: 5 }))
    );
    assert.equal((events as unknown[]).length, 2);
    const [span] = finishedSpans();
    assert.equal(span.attributes['gcp.gen_ai.stream.outcome'], 'cut_short');
    assert.equal(span.attributes['gen_ai.response.id'], 'int-1');
    assert.equal(span.attributes['gen_ai.response.status'], 'in_progress');
    assert.equal(span.attributes['gen_ai.usage.input_tokens'], undefined);
    assert.equal(instrumentation.telemetry.streams.size, 0);
  });

  it('429 with retries: each HTTP round trip its own span, the retried ones failed with error.type 429', async () => {
    let served = 0;
    const replies = () => {
      served = 0;
      server.reply = (req) =>
        req.action === 'interactions.create' && served++ < 2
          ? { status: 429, body: { error: { code: 429, message: 'Resource exhausted', status: 'RESOURCE_EXHAUSTED' } } }
          : { body: completedInteraction(MODEL, 'int-7') };
    };
    await sameAsBare(() => client().interactions.create({ model: MODEL, input: 'Hello' }), replies);
    const spans = finishedSpans();
    assert.deepEqual(
      spans.map((s) => [s.status.code, s.attributes['error.type'], s.attributes['gen_ai.response.id']]),
      [
        [SpanStatusCode.ERROR, '429', undefined],
        [SpanStatusCode.ERROR, '429', undefined],
        [SpanStatusCode.UNSET, undefined, 'int-7'],
      ]
    );
    const m = await collectMetrics();
    assert.deepEqual(
      m['gen_ai.client.operation.duration'].points.map((p) => p.attributes['error.type']),
      ['429', undefined]
    );
  });

  it('429 with retries off: one failed span, and the app gets the same error', async () => {
    const replies = () => {
      server.reply = () => ({
        status: 429,
        body: { error: { code: 429, message: 'Resource exhausted', status: 'RESOURCE_EXHAUSTED' } },
      });
    };
    const seen = (await sameAsBare(
      () =>
        client().interactions.create({ model: MODEL, input: 'Hello' }, {
          retries: { strategy: 'none' },
        } as never),
      replies
    )) as { error?: string };
    assert.ok(seen.error, 'the app got an error');
    const spans = finishedSpans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0].attributes['error.type'], '429');
    assert.equal(spans[0].status.code, SpanStatusCode.ERROR);
    assert.equal(spans[0].events.filter((e) => e.name === 'exception').length, 1);
  });

  it('a background agent run polled to completion: invoke_agent, then a fetch_response per poll, no usage', async () => {
    const statuses = ['in_progress', 'completed'];
    server.reply = (req) => {
      if (req.action === 'interactions.create') return { body: { id: 'int-bg', agent: AGENT, status: 'in_progress' } };
      if (req.action === 'interactions.get') {
        return { body: { ...completedInteraction(MODEL, 'int-bg'), agent: AGENT, status: statuses.shift() } };
      }
      return undefined;
    };
    const ai = client();
    const run = await ai.interactions.create({ agent: AGENT, input: 'Research this.', background: true });
    assert.equal(run.status, 'in_progress');
    assert.equal((await ai.interactions.get(run.id)).status, 'in_progress');
    assert.equal((await ai.interactions.get(run.id)).status, 'completed');
    const spans = finishedSpans();
    assert.deepEqual(
      spans.map((s) => [s.name, s.kind]),
      [
        [`invoke_agent ${AGENT}`, SpanKind.CLIENT],
        ['fetch_response', SpanKind.CLIENT],
        ['fetch_response', SpanKind.CLIENT],
      ]
    );
    assert.deepEqual(
      { ...spans[0].attributes },
      {
        ...base('invoke_agent'),
        'gen_ai.agent.name': AGENT,
        'gcp.gen_ai.request.background': true,
        'gen_ai.response.id': 'int-bg',
        'gen_ai.response.status': 'in_progress',
      }
    );
    assert.deepEqual(
      { ...spans[2].attributes },
      {
        ...base('fetch_response'),
        'gen_ai.response.id': 'int-bg',
        'gen_ai.response.model': MODEL,
        'gen_ai.response.status': 'completed',
      }
    );
    // A fetch reports no token usage (the conventions'), even when the interaction has some.
    const m = await collectMetrics();
    assert.equal(m['gen_ai.client.token.usage'], undefined);
  });

  it('a resumed stream: fetch_response with gen_ai.request.stream_cursor from last_event_id', async () => {
    server.reply = (req) =>
      req.action === 'interactions.get'
        ? { chunks: interactionEvents(completedInteraction(MODEL, 'int-5')) }
        : undefined;
    const events = await read(await client().interactions.get('int-5', { stream: true, last_event_id: 'evt-3' }));
    assert.equal(events.length, 7);
    assert.match(server.requests.at(-1)!.path, /last_event_id=evt-3/);
    const [span] = finishedSpans();
    assert.equal(span.name, 'fetch_response');
    assert.equal(span.attributes['gen_ai.request.stream_cursor'], 'evt-3');
    assert.equal(span.attributes['gen_ai.response.id'], 'int-5');
    assert.equal(span.attributes['gcp.gen_ai.stream.outcome'], 'completed');
    assert.equal(span.attributes['gen_ai.usage.input_tokens'], undefined);
  });

  it('a client-side function call: the request that sends its result links to the round trip that asked', async () => {
    server.reply = (req) => {
      const input = (req.body as { input?: unknown }).input;
      if (typeof input === 'string') {
        return {
          body: {
            ...completedInteraction(MODEL, 'int-ask'),
            status: 'requires_action',
            steps: [{ type: 'function_call', id: 'call-1', name: 'get_weather', arguments: { city: 'Paris' } }],
          },
        };
      }
      return { body: completedInteraction(MODEL, 'int-answer') };
    };
    const ai = client();
    const tools = [
      { type: 'function', name: 'get_weather', description: 'The weather', parameters: { type: 'object' } },
    ];
    await ai.interactions.create({ model: MODEL, input: 'Weather in Paris?', tools } as never);
    await ai.interactions.create({
      model: MODEL,
      previous_interaction_id: 'int-ask',
      input: [{ type: 'function_result', call_id: 'call-1', name: 'get_weather', result: 'sunny' }],
      tools,
    } as never);
    const [ask, answer] = finishedSpans();
    assert.equal(ask.attributes['gen_ai.response.status'], 'requires_action');
    assert.deepEqual(
      answer.links.map((l) => l.context.spanId),
      [ask.spanContext().spanId]
    );
  });

  it("content: none by default; with capture on spans, the input and output as the conventions' messages", async () => {
    const secret = 'my-secret-question-31c9';
    await client().interactions.create({ model: MODEL, input: secret, system_instruction: 'Be brief.' });
    assert.equal(JSON.stringify(finishedSpans().map((s) => s.attributes)).includes(secret), false);
    resetInstrumentation();
    instrumentation.setConfig({ captureMessageContent: 'SPAN_ONLY' });
    await client().interactions.create({ model: MODEL, input: secret, system_instruction: 'Be brief.' });
    const [span] = finishedSpans();
    assert.deepEqual(JSON.parse(span.attributes['gen_ai.input.messages'] as string), [
      { role: 'user', parts: [{ type: 'text', content: secret }] },
    ]);
    assert.deepEqual(JSON.parse(span.attributes['gen_ai.system_instructions'] as string), [
      { type: 'text', content: 'Be brief.' },
    ]);
    assert.deepEqual(JSON.parse(span.attributes['gen_ai.output.messages'] as string), [
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'Greeting.' },
          { type: 'text', content: `Hello from ${MODEL}.` },
        ],
        finish_reason: 'stop',
      },
    ]);
    if (schemasAvailable) {
      for (const attribute of CONTENT_ATTRIBUTES) {
        if (span.attributes[attribute] !== undefined) assertValidContent(attribute, span.attributes[attribute]);
      }
    }
  });

  it('content of a stream, with capture on spans: the output joined from its deltas', async () => {
    instrumentation.setConfig({ captureMessageContent: 'SPAN_ONLY' });
    await read(await client().interactions.create({ model: MODEL, input: 'Hello', stream: true }));
    const [span] = finishedSpans();
    assert.deepEqual(JSON.parse(span.attributes['gen_ai.output.messages'] as string), [
      { role: 'assistant', parts: [{ type: 'text', content: `Hello from ${MODEL}.` }], finish_reason: 'stop' },
    ]);
  });

  // 3.x continues an interaction the server cut at its per-request limit (`automatic_continuation`).
  (SDK_MAJOR === '3' ? it : it.skip)(
    'a continued interaction: a span per request; the last carries the usage the SDK summed, so the spans sum to it',
    async () => {
      const hop = (id: string, status: string, text: string, extra: object) => ({
        ...completedInteraction(MODEL, id, text),
        status,
        ...extra,
      });
      server.reply = (req) => {
        if (req.action !== 'interactions.create') return undefined;
        const continued = (req.body as { continuation_token?: string }).continuation_token;
        return continued
          ? { body: hop('int-b', 'completed', 'Part two.', {}) }
          : { body: hop('int-a', 'requires_continuation', 'Part one.', { continuation_token: 'tok-1' }) };
      };
      const before = server.requests.length;
      const result = (await client().interactions.create({ model: MODEL, input: 'A long answer.' })) as {
        usage?: { total_input_tokens?: number };
      };
      assert.equal(server.requests.slice(before).filter((r) => r.action === 'interactions.create').length, 2);
      const spans = finishedSpans();
      assert.equal(spans.length, 2);
      assert.equal(spans[0].attributes['gen_ai.usage.input_tokens'], undefined);
      const summed = result.usage?.total_input_tokens;
      assert.equal(spans[1].attributes['gen_ai.usage.input_tokens'], summed);
      assert.equal(spans[1].attributes['gen_ai.response.status'], 'completed');
      assert.ok(
        spans[0].endTime[0] * 1e9 + spans[0].endTime[1] <= spans[1].startTime[0] * 1e9 + spans[1].startTime[1] + 1e6
      );
    }
  );

  it('a stream with a malformed event: the app gets what the SDK gives it, the span ends once', async () => {
    const events = interactionEvents(completedInteraction(MODEL, 'int-9'));
    const replies = () => {
      server.reply = () => ({ chunks: [events[0], { raw: '{not json' }, ...events.slice(1)] });
    };
    await sameAsBare(
      async () => read(await client().interactions.create({ model: MODEL, input: 'x', stream: true })),
      replies
    );
    const spans = finishedSpans();
    assert.equal(spans.length, 1);
    assert.equal(instrumentation.telemetry.streams.size, 0);
  });

  it('a stream with an error event: a failed span with its code, the app gets what the SDK gives it', async () => {
    const events = interactionEvents(completedInteraction(MODEL, 'int-10'));
    const replies = () => {
      server.reply = () => ({
        chunks: [
          events[0],
          { event_type: 'error', event_id: 'evt-2', error: { code: 500, message: 'Internal error' } },
          { raw: '[DONE]' },
        ],
      });
    };
    await sameAsBare(
      async () => read(await client().interactions.create({ model: MODEL, input: 'x', stream: true })),
      replies
    );
    const [span] = finishedSpans();
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['error.type'], '500');
    assert.equal(span.attributes['gcp.gen_ai.stream.outcome'], 'failed');
    assert.equal(span.attributes['gen_ai.response.id'], 'int-10');
  });

  it('disabled: no span, and the app gets the same', async () => {
    instrumentation.disable();
    await client().interactions.create({ model: MODEL, input: 'Hello' });
    instrumentation.enable();
    assert.deepEqual(finishedSpans(), []);
  });
});
