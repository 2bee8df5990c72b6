/*
 * Function-calling loops the SDK runs itself (a callable tool in
 * config.tools): one agent.run per call, with a generate_content child per
 * round trip and an execute_tool child per function call, in time order, and
 * the loop's totals; the app's results and errors unchanged. Also manual
 * loops: links between round trips, and withAgentRun().
 */
import { finishedSpans, instrumentation, resetSpans, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { withAgentRun } from '../../src';
import { AgentRun } from '../../src/core/agent-run';
import { plain, SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import type { FakeReply, FakeRequest } from '../utils/fake-gemini-server';

const MODEL = 'gemini-2.5-flash';
/** A two-round loop of askFor() then answer() on gemini-2.5-flash, by hand. */
const LOOP_COST = (10 * 0.3 + 0 * 0.03 + 5 * 2.5) / 1e6 + (30 * 0.3 + 0 * 0.03 + 9 * 2.5) / 1e6;

type Call = { id?: string; name: string; args?: Record<string, unknown> };

function usage(prompt: number, out: number) {
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: out,
    thoughtsTokenCount: 2,
    totalTokenCount: prompt + out + 2,
  };
}

function askFor(calls: Call[], u = usage(10, 3)) {
  return {
    candidates: [
      {
        content: { role: 'model', parts: calls.map((functionCall) => ({ functionCall })) },
        finishReason: 'STOP',
        index: 0,
      },
    ],
    usageMetadata: u,
    modelVersion: 'gemini-2.5-flash-001',
    responseId: `ask-${calls.map((c) => c.name).join('-')}`,
  };
}

function answer(text: string, u = usage(30, 7)) {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: u,
    modelVersion: 'gemini-2.5-flash-001',
    responseId: 'final',
  };
}

/** A callable tool declaring `names`; it answers each call it declares, after `delayMs`. */
function callableTool(names: string[], opts: { delayMs?: number; fail?: Error; description?: string } = {}) {
  const invocations: Call[][] = [];
  return {
    invocations,
    async tool() {
      return {
        functionDeclarations: names.map((name) => ({
          name,
          description: opts.description ?? `The ${name} function`,
          parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } },
        })),
      };
    },
    async callTool(calls: Call[]) {
      invocations.push(calls);
      await new Promise((resolve) => setTimeout(resolve, opts.delayMs ?? 5));
      if (opts.fail) throw opts.fail;
      return calls
        .filter((c) => names.includes(c.name))
        .map((c) => ({
          functionResponse: { id: c.id, name: c.name, response: { result: `${c.name} done`, args: c.args } },
        }));
    },
  };
}

function byStart(spans: ReadableSpan[]): ReadableSpan[] {
  return [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
}

function ms(t: [number, number]): number {
  return t[0] * 1e3 + t[1] / 1e6;
}

/** The agent.run span and its children in start order, checked to be one trace. */
function loopOf(spans: ReadableSpan[]) {
  const runs = spans.filter((s) => s.name === 'agent.run');
  assert.equal(runs.length, 1, `one agent.run, got ${spans.map((s) => s.name).join(', ')}`);
  const [run] = runs;
  const children = byStart(spans.filter((s) => s.parentSpanContext?.spanId === run.spanContext().spanId));
  for (const s of spans) assert.equal(s.spanContext().traceId, run.spanContext().traceId);
  return { run, children };
}

describe(`function-calling loops (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  let script: Array<(req: FakeRequest) => FakeReply> = [];
  const requests: FakeRequest[] = [];
  const server = withFakeGemini((req) => {
    requests.push(req);
    const next = script.shift();
    if (!next) throw new Error(`unexpected request ${req.path}`);
    return next(req);
  });
  beforeEach(() => {
    resetInstrumentation();
    requests.length = 0;
  });
  afterEach(() => assert.equal(script.length, 0, 'every scripted reply used'));

  const client = () => server.client();
  const json = (body: unknown) => () => ({ body });
  const sse =
    (...chunks: unknown[]) =>
    () => ({ chunks });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

  /** Runs `scenario` traced and bare against the same script; returns the traced spans. */
  async function sameAsBare(replies: Array<(req: FakeRequest) => FakeReply>, scenario: () => Promise<unknown>) {
    script = [...replies];
    const traced = await scenario().then(plain, (e: Error) => ({ error: `${e.name}: ${e.message}` }));
    await settle();
    const spans = finishedSpans();
    instrumentation.disable();
    script = [...replies];
    const bare = await scenario().then(plain, (e: Error) => ({ error: `${e.name}: ${e.message}` }));
    instrumentation.enable();
    assert.deepEqual(traced, bare, 'the app sees the same result');
    return spans;
  }

  it('unary: agent.run over round trip, tool, round trip, with the totals', async () => {
    const weather = callableTool(['get_weather']);
    const spans = await sameAsBare(
      [json(askFor([{ id: 'call-1', name: 'get_weather', args: { city: 'Paris' } }])), json(answer('Sunny, 21°C.'))],
      () =>
        client().models.generateContent({ model: MODEL, contents: 'Weather in Paris?', config: { tools: [weather] } })
    );
    const { run, children } = loopOf(spans);
    assert.equal(run.kind, SpanKind.INTERNAL);
    assert.deepEqual(
      { ...run.attributes },
      {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.provider.name': 'gcp.gemini',
        'gen_ai.request.model': MODEL,
        'gen_ai.usage.input_tokens': 40,
        'gen_ai.usage.output_tokens': 14,
        'gen_ai.usage.reasoning.output_tokens': 4,
        'gcp.gen_ai.agent.inference_calls': 2,
        'gcp.gen_ai.agent.tool_calls': 1,
        'gcp.gen_ai.agent.max_remote_calls_reached': false,
        // gemini-2.5-flash, both round trips: 10 in, 3 + 2 out; then 30 in, 7 + 2 out ($0.30 / $2.50 per 1M)
        'gen_ai.cost.usd': LOOP_COST,
      }
    );
    assert.equal(run.status.code, SpanStatusCode.UNSET);
    assert.deepEqual(
      children.map((s) => s.name),
      [`generate_content ${MODEL}`, 'execute_tool get_weather', `generate_content ${MODEL}`]
    );
    const [hop1, tool, hop2] = children;
    assert.equal(tool.kind, SpanKind.INTERNAL);
    assert.deepEqual(
      { ...tool.attributes },
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.type': 'function',
        'gen_ai.tool.name': 'get_weather',
        'gen_ai.tool.call.id': 'call-1',
        'gen_ai.tool.description': 'The get_weather function',
      }
    );
    // The tool runs after the round trip that asked for it and ends before the next one.
    // (Within a millisecond: span clocks are anchored per trace and may drift that much.)
    assert.ok(ms(tool.startTime) >= ms(hop1.endTime) - 1);
    assert.ok(ms(tool.endTime) <= ms(hop2.startTime) + 1);
    assert.equal(hop2.attributes['gen_ai.response.id'], 'final');
    assert.equal(weather.invocations.length, 2, 'traced run and bare run');
  });

  it('agent.run has no cache token counts (taken off the internal agent span by the conventions); its round trips do', async () => {
    const weather = callableTool(['get_weather']);
    const cached = { ...usage(30, 7), cachedContentTokenCount: 20 };
    const spans = await sameAsBare(
      [json(askFor([{ id: 'call-1', name: 'get_weather', args: { city: 'Paris' } }])), json(answer('Sunny.', cached))],
      () =>
        client().models.generateContent({ model: MODEL, contents: 'Weather in Paris?', config: { tools: [weather] } })
    );
    const { run, children } = loopOf(spans);
    assert.equal(run.attributes['gen_ai.usage.cache_read.input_tokens'], undefined);
    assert.equal(run.attributes['gen_ai.usage.input_tokens'], 40);
    assert.equal(children[2].attributes['gen_ai.usage.cache_read.input_tokens'], 20);
  });

  it('one round trip when the model answers at once', async () => {
    const spans = await sameAsBare([json(answer('No tool needed.'))], () =>
      client().models.generateContent({ model: MODEL, contents: 'Hi', config: { tools: [callableTool(['t'])] } })
    );
    const { run, children } = loopOf(spans);
    assert.deepEqual(
      children.map((s) => s.name),
      [`generate_content ${MODEL}`]
    );
    assert.equal(run.attributes['gcp.gen_ai.agent.inference_calls'], 1);
    assert.equal(run.attributes['gcp.gen_ai.agent.tool_calls'], 0);
  });

  it('two calls in one invocation: two spans sharing its time; two tools: each runs its own', async () => {
    const weather = callableTool(['get_weather'], { delayMs: 20 });
    const clock = callableTool(['get_time'], { delayMs: 5 });
    const spans = await sameAsBare(
      [
        json(
          askFor([
            { name: 'get_weather', args: { city: 'Oslo' } },
            { name: 'get_time' },
            { name: 'get_weather', args: { city: 'Rome' } },
          ])
        ),
        json(answer('Done.')),
      ],
      () => client().models.generateContent({ model: MODEL, contents: 'x', config: { tools: [weather, clock] } })
    );
    const { run, children } = loopOf(spans);
    const tools = children.filter((s) => s.name.startsWith('execute_tool'));
    assert.deepEqual(tools.map((s) => s.name).sort(), [
      'execute_tool get_time',
      'execute_tool get_weather',
      'execute_tool get_weather',
    ]);
    const weatherSpans = tools.filter((s) => s.name === 'execute_tool get_weather');
    assert.deepEqual(weatherSpans[0].startTime, weatherSpans[1].startTime);
    assert.deepEqual(weatherSpans[0].endTime, weatherSpans[1].endTime);
    assert.equal(run.attributes['gcp.gen_ai.agent.tool_calls'], 3);
    assert.equal(
      weatherSpans.some((s) => s.attributes['gen_ai.tool.call.id'] !== undefined),
      false
    );
  });

  it('maximumRemoteCalls stops the loop: visible on agent.run', async () => {
    const divide = callableTool(['divide']);
    const spans = await sameAsBare(
      [json(askFor([{ name: 'divide', args: { a: 10 } }])), json(askFor([{ name: 'divide', args: { a: 5 } }]))],
      () =>
        client().models.generateContent({
          model: MODEL,
          contents: 'x',
          config: { tools: [divide], automaticFunctionCalling: { maximumRemoteCalls: 2 } },
        })
    );
    const { run, children } = loopOf(spans);
    assert.equal(run.attributes['gcp.gen_ai.agent.max_remote_calls_reached'], true);
    assert.equal(run.attributes['gcp.gen_ai.agent.inference_calls'], 2);
    assert.deepEqual(
      children.map((s) => s.name),
      [`generate_content ${MODEL}`, 'execute_tool divide', `generate_content ${MODEL}`, 'execute_tool divide']
    );
  });

  it('a tool that throws: execute_tool and agent.run ERROR, the app gets the same error', async () => {
    const broken = callableTool(['lookup'], { fail: new RangeError('lookup table missing') });
    const spans = await sameAsBare([json(askFor([{ name: 'lookup' }]))], () =>
      client().models.generateContent({ model: MODEL, contents: 'x', config: { tools: [broken] } })
    );
    const { run, children } = loopOf(spans);
    const tool = children.find((s) => s.name === 'execute_tool lookup')!;
    assert.equal(tool.status.code, SpanStatusCode.ERROR);
    assert.equal(tool.attributes['error.type'], 'RangeError');
    assert.equal(run.status.code, SpanStatusCode.ERROR);
    assert.equal(run.attributes['error.type'], 'RangeError');
  });

  it('records tool arguments and results only when content capture is on, bounded', async () => {
    const weather = callableTool(['get_weather']);
    script = [json(askFor([{ name: 'get_weather', args: { city: 'Lima' } }])), json(answer('ok'))];
    await client().models.generateContent({ model: MODEL, contents: 'x', config: { tools: [weather] } });
    instrumentation.setConfig({ captureMessageContent: 'SPAN_ONLY', maxContentLength: 60 });
    script = [
      json(askFor([{ name: 'get_weather', args: { city: 'Lima', note: 'x'.repeat(100) } }])),
      json(answer('ok')),
    ];
    await client().models.generateContent({ model: MODEL, contents: 'x', config: { tools: [weather] } });
    script = [json(askFor([{ name: 'get_weather', args: { city: 'Lima' } }])), json(answer('ok'))];
    await client().models.generateContent({ model: MODEL, contents: 'x', config: { tools: [weather] } });
    await settle();
    const tools = finishedSpans().filter((s) => s.name === 'execute_tool get_weather');
    assert.equal(tools.length, 3);
    assert.equal(tools[0].attributes['gen_ai.tool.call.arguments'], undefined);
    assert.equal(tools[0].attributes['gen_ai.tool.call.result'], undefined);
    const long = JSON.parse(String(tools[1].attributes['gen_ai.tool.call.arguments']));
    assert.equal(long.truncated, true);
    assert.equal(long.length, JSON.stringify({ city: 'Lima', note: 'x'.repeat(100) }).length);
    assert.equal(long.prefix.length, 60);
    assert.equal(tools[2].attributes['gen_ai.tool.call.arguments'], '{"city":"Lima"}');
    assert.equal(
      tools[2].attributes['gen_ai.tool.call.result'],
      '{"result":"get_weather done","args":{"city":"Lima"}}'
    );
    // Each round trip of the loop records its own input and output.
    const hops = finishedSpans()
      .filter((s) => s.name === `generate_content ${MODEL}`)
      .slice(-2);
    const roles = hops.map((h) =>
      JSON.parse(String(h.attributes['gen_ai.input.messages'])).map((m: { role: string }) => m.role)
    );
    assert.deepEqual(roles, [['user'], ['user', 'assistant', 'tool']]);
    assert.deepEqual(
      hops.map((h) => JSON.parse(String(h.attributes['gen_ai.output.messages']))[0].finish_reason),
      ['tool_call', 'stop']
    );
  });

  it('gen_ai.agent.name from the agentName option', async () => {
    instrumentation.setConfig({ agentName: 'weather-bot' });
    script = [json(askFor([{ name: 'get_weather' }])), json(answer('ok'))];
    await client().models.generateContent({
      model: MODEL,
      contents: 'x',
      config: { tools: [callableTool(['get_weather'])] },
    });
    await settle();
    const { run, children } = loopOf(finishedSpans());
    assert.equal(run.attributes['gen_ai.agent.name'], 'weather-bot');
    assert.equal(children[1].attributes['gen_ai.agent.name'], 'weather-bot');
  });

  it('no agent.run when AFC is disabled, or without callable tools', async () => {
    script = [json(askFor([{ name: 'get_weather' }])), json(answer('plain'))];
    const ai = client();
    await ai.models.generateContent({
      model: MODEL,
      contents: 'x',
      config: { tools: [callableTool(['get_weather'])], automaticFunctionCalling: { disable: true } },
    });
    await ai.models.generateContent({ model: MODEL, contents: 'x' });
    await settle();
    assert.deepEqual(
      finishedSpans().map((s) => s.name),
      [`generate_content ${MODEL}`, `generate_content ${MODEL}`]
    );
  });

  it('chat.sendMessage with callable tools: one agent.run per turn', async () => {
    const weather = callableTool(['get_weather']);
    const spans = await sameAsBare([json(askFor([{ name: 'get_weather' }])), json(answer('Sunny.'))], async () => {
      const chat = client().chats.create({ model: MODEL, config: { tools: [weather] } });
      const reply = await chat.sendMessage({ message: 'Weather?' });
      return { reply, history: chat.getHistory() };
    });
    const { children } = loopOf(spans);
    assert.equal(children.length, 3);
  });

  it('streaming: round trips and tools run inside the iteration still nest under agent.run', async () => {
    const weather = callableTool(['get_weather']);
    const consume = async () => {
      const out: unknown[] = [];
      const stream = await client().models.generateContentStream({
        model: MODEL,
        contents: 'x',
        config: { tools: [weather] },
      });
      for await (const chunk of stream) out.push(chunk);
      return out;
    };
    const spans = await sameAsBare(
      [sse(askFor([{ id: 'c1', name: 'get_weather', args: { city: 'Kyiv' } }])), sse(answer('Cloudy'))],
      consume
    );
    const { run, children } = loopOf(spans);
    assert.deepEqual(
      children.map((s) => s.name),
      [`generate_content ${MODEL}`, 'execute_tool get_weather', `generate_content ${MODEL}`]
    );
    assert.equal(run.attributes['gcp.gen_ai.stream.outcome'], 'completed');
    assert.equal(run.attributes['gcp.gen_ai.agent.inference_calls'], 2);
    assert.equal(run.attributes['gcp.gen_ai.agent.tool_calls'], 1);
    assert.equal(run.attributes['gen_ai.usage.input_tokens'], 40);
    assert.equal(run.attributes['gcp.gen_ai.agent.max_remote_calls_reached'], false);
    assert.ok(ms(run.endTime) >= ms(children[2].endTime) - 1);
    assert.equal(children[0].attributes['gen_ai.request.stream'], true);
  });

  it('streaming: agent.run ends when the consumer stops early', async () => {
    script = [sse(askFor([{ name: 'get_weather' }]))];
    const stream = await client().models.generateContentStream({
      model: MODEL,
      contents: 'x',
      config: { tools: [callableTool(['get_weather'])] },
    });
    for await (const chunk of stream) {
      assert.ok(chunk);
      break;
    }
    await settle();
    const { run } = loopOf(finishedSpans());
    assert.equal(run.attributes['gcp.gen_ai.stream.outcome'], 'cut_short');
    assert.equal(run.attributes['gcp.gen_ai.agent.max_remote_calls_reached'], undefined);
  });

  it('chat.sendMessageStream with callable tools', async () => {
    script = [sse(askFor([{ name: 'get_weather' }])), sse(answer('Sunny.'))];
    const chat = client().chats.create({ model: MODEL, config: { tools: [callableTool(['get_weather'])] } });
    for await (const chunk of await chat.sendMessageStream({ message: 'Weather?' })) assert.ok(chunk);
    await settle();
    const { children } = loopOf(finishedSpans());
    assert.equal(children.length, 3);
  });

  it('a client made before enable() has its round trips traced, but no agent.run; disable() passes through', async () => {
    instrumentation.disable();
    const early = client();
    instrumentation.enable();
    script = [json(askFor([{ name: 'get_weather' }])), json(answer('ok'))];
    await early.models.generateContent({
      model: MODEL,
      contents: 'x',
      config: { tools: [callableTool(['get_weather'])] },
    });
    await settle();
    assert.deepEqual(
      finishedSpans().map((s) => s.name),
      [`generate_content ${MODEL}`, `generate_content ${MODEL}`]
    );

    const later = client();
    assert.equal(Object.getOwnPropertyDescriptor(later.models, 'generateContent')?.enumerable, true);
    instrumentation.disable();
    resetSpans();
    script = [json(askFor([{ name: 'get_weather' }])), json(answer('ok'))];
    await later.models.generateContent({
      model: MODEL,
      contents: 'x',
      config: { tools: [callableTool(['get_weather'])] },
    });
    await settle();
    assert.deepEqual(finishedSpans(), []);
  });

  describe('manual loops', () => {
    const declaration = { functionDeclarations: [{ name: 'get_weather', description: 'Weather' }] };

    async function manualLoop(ids: boolean) {
      script = [
        json(askFor([{ ...(ids ? { id: 'm-1' } : {}), name: 'get_weather', args: { city: 'Oslo' } }])),
        json(answer('Snow.')),
      ];
      const ai = client();
      const first = await ai.models.generateContent({
        model: MODEL,
        contents: 'Weather?',
        config: { tools: [declaration] },
      });
      const call = first.candidates![0].content!.parts![0].functionCall!;
      await ai.models.generateContent({
        model: MODEL,
        contents: [
          { role: 'user', parts: [{ text: 'Weather?' }] },
          first.candidates![0].content!,
          { role: 'user', parts: [{ functionResponse: { id: call.id, name: call.name, response: { snow: true } } }] },
        ],
        config: { tools: [declaration] },
      });
    }

    it('the round trip that answers links to the one that asked (by call id)', async () => {
      await manualLoop(true);
      await settle();
      const [asked, answered] = finishedSpans();
      assert.deepEqual(
        answered.links.map((l) => l.context.spanId),
        [asked.spanContext().spanId]
      );
      assert.equal(asked.links.length, 0);
      assert.equal(
        finishedSpans().some((s) => s.name === 'agent.run' || s.name.startsWith('execute_tool')),
        false
      );
    });

    // @google/adk 2.0 gives id-less calls an `adk-…` id in place, on the chunks
    // the SDK yields, and strips it from the history it sends back.
    for (const modelIds of [false, true]) {
      it(`a framework that rewrites the call ids of a stream (${modelIds ? 'replaced' : 'added, then removed'}): the link survives, nothing stays pending`, async () => {
        script = [
          sse(askFor([{ ...(modelIds ? { id: 'm-7' } : {}), name: 'get_weather', args: { city: 'Oslo' } }])),
          json(answer('Snow.')),
        ];
        const ai = client();
        const size = () => instrumentation.telemetry.links.size;
        const before = size();
        await trace.getTracer('framework').startActiveSpan('invoke_agent', async (agentSpan) => {
          let asking:
            | { role?: string; parts?: Array<{ functionCall?: { id?: string; name?: string; args?: unknown } }> }
            | undefined;
          const stream = await ai.models.generateContentStream({ model: MODEL, contents: 'Weather?' });
          for await (const c of stream) {
            const content = c.candidates?.[0]?.content;
            for (const part of content?.parts ?? []) if (part.functionCall) part.functionCall.id = 'adk-5d1c';
            asking = content;
          }
          const call = asking!.parts![0].functionCall!;
          // The model's id was replaced by the framework's, and is sent back so; an id the framework added is stripped.
          const sentBack = modelIds ? call.id : undefined;
          const history = [
            { role: 'user', parts: [{ text: 'Weather?' }] },
            { role: 'model', parts: [{ functionCall: { id: sentBack, name: call.name, args: call.args } }] },
            {
              role: 'user',
              parts: [{ functionResponse: { id: sentBack, name: call.name, response: { snow: true } } }],
            },
          ];
          await ai.models.generateContent({ model: MODEL, contents: history as never });
          agentSpan.end();
        });
        await settle();
        const [asked, answered] = finishedSpans().filter((s) => s.name.startsWith('generate_content'));
        assert.deepEqual(
          answered.links.map((l) => l.context.spanId),
          [asked.spanContext().spanId]
        );
        assert.equal(size(), before, 'no pending call left behind');
      });
    }

    it('withAgentRun(): one line wraps the loop; by name within the trace when there is no id', async () => {
      await withAgentRun('manual-bot', () => manualLoop(false));
      await settle();
      const { run, children } = loopOf(finishedSpans());
      assert.deepEqual(
        children.map((s) => s.name),
        [`generate_content ${MODEL}`, `generate_content ${MODEL}`]
      );
      assert.deepEqual(
        children[1].links.map((l) => l.context.spanId),
        [children[0].spanContext().spanId]
      );
      assert.deepEqual(
        { ...run.attributes },
        {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': 'manual-bot',
          'gen_ai.usage.input_tokens': 40,
          'gen_ai.usage.output_tokens': 14,
          'gen_ai.usage.reasoning.output_tokens': 4,
          'gcp.gen_ai.agent.inference_calls': 2,
          'gcp.gen_ai.agent.tool_calls': 1,
          'gen_ai.cost.usd': LOOP_COST,
        }
      );
    });

    it('withAgentRun(): a failure in ending the run never becomes an unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const end = AgentRun.prototype.end;
      AgentRun.prototype.end = () => {
        throw new Error('our bug');
      };
      try {
        assert.equal(await withAgentRun('x', async () => 42), 42);
        await assert.rejects(
          withAgentRun('x', async () => Promise.reject(new Error('app'))),
          (e: Error) => e.message === 'app'
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        AgentRun.prototype.end = end;
        process.off('unhandledRejection', onUnhandled);
      }
      assert.deepEqual(unhandled, []);
    });

    it('withAgentRun() returns what the loop returns and rethrows its error as it is', async () => {
      assert.equal(await withAgentRun('x', async () => 42), 42);
      const boom = new Error('boom');
      await assert.rejects(
        withAgentRun('x', async () => Promise.reject(boom)),
        (e) => e === boom
      );
      await settle();
      const runs = finishedSpans().filter((s) => s.name === 'agent.run');
      assert.deepEqual(
        runs.map((s) => s.status.code),
        [SpanStatusCode.UNSET, SpanStatusCode.ERROR]
      );
    });
  });
});
