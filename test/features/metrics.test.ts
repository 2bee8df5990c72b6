/*
 * The conventions' GenAI metrics and our cost counter, read back exactly from
 * the real metrics SDK: names, units, advised buckets, attributes, counts and
 * sums, for plain, failed, streamed and function-calling calls, sampled or not.
 */
import { instrumentation, finishedSpans, tracerProvider, resetInstrumentation } from '../utils/otel';
import { collectMetrics, meterProvider, usd, type Point } from '../utils/metrics';
import * as assert from 'node:assert/strict';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { AlwaysOffSampler, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';

const SECONDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const CALLS = [1, 2, 4, 8, 16, 32, 64, 128];
const AGENT_SECONDS = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6];

/** A histogram point's count and buckets, its sum checked to be a plausible duration and dropped. */
function timing(point: Point | undefined, count: number, boundaries: number[]) {
  assert.ok(point, 'a point');
  const v = point.value as { count: number; sum: number; boundaries: number[] };
  assert.equal(v.count, count);
  assert.deepEqual(v.boundaries, boundaries);
  assert.ok(v.sum > 0 && v.sum < 10 * count, `sum ${v.sum}`);
  return point.attributes;
}

describe(`metrics and cost (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  after(() => instrumentation.setConfig({}));
  beforeEach(async () => {
    resetInstrumentation();
    await collectMetrics(); // start from nothing
  });

  const client = () => server.client();
  const base = () => ({
    'gen_ai.operation.name': 'generate_content',
    'gen_ai.provider.name': 'gcp.gemini',
    'gen_ai.request.model': 'gemini-2.5-flash',
    'server.address': '127.0.0.1',
    'server.port': server.port,
    'gen_ai.response.model': 'gemini-2.5-flash-001',
  });
  // The fake server's reply: 8 prompt, 5 candidates + 12 thoughts tokens.
  const CALL_COST = (8 * 0.3 + 0 * 0.03 + 17 * 2.5) / 1e6;

  it('a call: duration, input and output tokens, cost', async () => {
    await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
    const m = await collectMetrics();
    assert.deepEqual(Object.keys(m).sort(), [
      'gcp.gen_ai.client.finish_reasons',
      'gen_ai.client.cost',
      'gen_ai.client.operation.duration',
      'gen_ai.client.token.usage',
    ]);
    assert.equal(m['gen_ai.client.operation.duration'].unit, 's');
    assert.deepEqual(timing(m['gen_ai.client.operation.duration'].points[0], 1, SECONDS), base());
    assert.equal(m['gen_ai.client.token.usage'].unit, '{token}');
    assert.deepEqual(
      m['gen_ai.client.token.usage'].points.map((p) => [p.attributes['gen_ai.token.type'], p.value]),
      [
        ['input', { count: 1, sum: 8, boundaries: TOKENS }],
        ['output', { count: 1, sum: 17, boundaries: TOKENS }],
      ]
    );
    assert.deepEqual(m['gen_ai.client.token.usage'].points[0].attributes, { ...base(), 'gen_ai.token.type': 'input' });
    assert.equal(m['gen_ai.client.cost'].unit, 'USD');
    assert.deepEqual(m['gen_ai.client.cost'].points, [
      {
        attributes: {
          'gen_ai.operation.name': 'generate_content',
          'gen_ai.provider.name': 'gcp.gemini',
          'gen_ai.request.model': 'gemini-2.5-flash',
          'gen_ai.response.model': 'gemini-2.5-flash-001',
          'gcp.gen_ai.service_tier': 'standard',
        },
        value: usd(CALL_COST),
      },
    ]);
    assert.equal(finishedSpans()[0].attributes['gen_ai.cost.usd'], CALL_COST);
    assert.equal(m['gcp.gen_ai.client.finish_reasons'].unit, '{candidate}');
    const { 'gcp.gen_ai.service_tier': _tier, ...counters } = m['gen_ai.client.cost'].points[0].attributes;
    assert.deepEqual(m['gcp.gen_ai.client.finish_reasons'].points, [
      {
        attributes: { ...counters, 'gcp.gen_ai.response.finish_reason': 'STOP' },
        value: 1,
      },
    ]);
  });

  it('a meter provider change carries the counters over: switching back reports the right differences', async () => {
    await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
    await collectMetrics();
    instrumentation.setMeterProvider(new MeterProvider());
    await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }); // counted, seen by the other provider
    instrumentation.setMeterProvider(meterProvider);
    await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
    const m = await collectMetrics();
    // Since the last collection here: two calls (a restart from zero would have read as one less).
    assert.deepEqual(
      m['gen_ai.client.cost'].points.map((p) => p.value),
      [usd(2 * CALL_COST)]
    );
    assert.deepEqual(
      m['gcp.gen_ai.client.finish_reasons'].points.map((p) => p.value),
      [2]
    );
  });

  it('finish reasons: one count per candidate, by reason, for calls and streams', async () => {
    server.reply = (req) => {
      const candidates = [
        { content: { parts: [{ text: 'a' }] }, index: 0, finishReason: 'STOP' },
        { content: { parts: [{ text: 'b' }] }, index: 1, finishReason: 'MAX_TOKENS' },
        { content: { parts: [{ text: 'c' }] }, index: 2, finishReason: 'STOP' },
      ];
      const body = { candidates, modelVersion: `${req.model}-001` };
      if (req.action !== 'streamGenerateContent') return { body };
      // Streamed: the finish reasons arrive on the last chunk, one candidate blocked for SAFETY.
      return {
        chunks: [
          { candidates: [{ content: { parts: [{ text: 'x' }] }, index: 0 }], modelVersion: body.modelVersion },
          {
            candidates: [{ content: { parts: [] }, index: 0, finishReason: 'SAFETY' }],
            modelVersion: body.modelVersion,
          },
        ],
      };
    };
    await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x', config: { candidateCount: 3 } });
    for await (const c of await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })) {
      assert.ok(c);
    }
    const points = (await collectMetrics())['gcp.gen_ai.client.finish_reasons'].points;
    const model = {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-2.5-flash',
      'gen_ai.response.model': 'gemini-2.5-flash-001',
    };
    assert.deepEqual(
      points.sort((a, b) =>
        String(a.attributes['gcp.gen_ai.response.finish_reason']).localeCompare(
          String(b.attributes['gcp.gen_ai.response.finish_reason'])
        )
      ),
      [
        { attributes: { ...model, 'gcp.gen_ai.response.finish_reason': 'MAX_TOKENS' }, value: 1 },
        { attributes: { ...model, 'gcp.gen_ai.response.finish_reason': 'SAFETY' }, value: 1 },
        { attributes: { ...model, 'gcp.gen_ai.response.finish_reason': 'STOP' }, value: 2 },
      ]
    );
  });

  it('a failed call: duration with error.type, no tokens, no cost', async () => {
    server.reply = () => ({
      status: 503,
      body: { error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } },
    });
    await client()
      .models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })
      .catch(() => undefined);
    const m = await collectMetrics();
    assert.deepEqual(Object.keys(m), ['gen_ai.client.operation.duration']);
    const attrs = timing(m['gen_ai.client.operation.duration'].points[0], 1, SECONDS);
    const expected: Record<string, unknown> = { ...base(), 'error.type': '503' };
    delete expected['gen_ai.response.model'];
    assert.deepEqual(attrs, expected);
  });

  it('a stream: time to first chunk, duration, tokens, cost; time per output chunk unless turned off', async () => {
    server.reply = (req) => {
      const chunks = Array.from({ length: 4 }, (_, i) => ({
        candidates: [
          { content: { parts: [{ text: `w${i}` }] }, index: 0, ...(i === 3 ? { finishReason: 'STOP' } : {}) },
        ],
        usageMetadata: { promptTokenCount: 8, candidatesTokenCount: i + 1, thoughtsTokenCount: 12 },
        modelVersion: `${req.model}-001`,
      }));
      return { chunks, chunkDelayMs: 20 };
    };
    instrumentation.setConfig({ timePerOutputChunkMetric: false });
    for await (const c of await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })) {
      assert.ok(c);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Turned off: no point per chunk.
    assert.equal((await collectMetrics())['gen_ai.client.operation.time_per_output_chunk'], undefined);

    // By default, one point per chunk after the first, as the conventions recommend.
    instrumentation.setConfig({});
    for await (const c of await client().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })) {
      assert.ok(c);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    const m = await collectMetrics();
    assert.deepEqual(timing(m['gen_ai.client.operation.time_to_first_chunk'].points[0], 1, SECONDS), base());
    const perChunk = m['gen_ai.client.operation.time_per_output_chunk'].points[0];
    assert.deepEqual(timing(perChunk, 3, SECONDS), base());
    // Three gaps of about 20 ms each.
    const sum = (perChunk.value as { sum: number }).sum;
    assert.ok(sum > 0.045 && sum < 1, `time per chunk sum ${sum}`);
    assert.deepEqual(
      m['gen_ai.client.token.usage'].points.map((p) => (p.value as { sum: number }).sum),
      [8, 16]
    );
    assert.equal(m['gen_ai.client.cost'].points[0].value, usd((8 * 0.3 + 0 * 0.03 + 16 * 2.5) / 1e6));
  });

  it('a function-calling loop: agent duration, inference and tool calls, tool duration', async () => {
    instrumentation.setConfig({ agentName: 'weather-bot' });
    const weather = {
      tool: async () => ({ functionDeclarations: [{ name: 'get_weather' }] }),
      callTool: async (calls: Array<{ name: string }>) =>
        calls.map((c) => ({ functionResponse: { name: c.name, response: { ok: true } } })),
    };
    await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x', config: { tools: [weather] } });
    const m = await collectMetrics();
    assert.deepEqual(timing(m['gen_ai.invoke_agent.duration'].points[0], 1, AGENT_SECONDS), {
      'gen_ai.agent.name': 'weather-bot',
      'gen_ai.request.model': 'gemini-2.5-flash',
    });
    assert.deepEqual(m['gen_ai.invoke_agent.inference_calls'], {
      unit: '{inference_call}',
      points: [{ attributes: { 'gen_ai.agent.name': 'weather-bot' }, value: { count: 1, sum: 2, boundaries: CALLS } }],
    });
    assert.deepEqual(m['gen_ai.invoke_agent.tool_calls'], {
      unit: '{tool_call}',
      points: [{ attributes: { 'gen_ai.agent.name': 'weather-bot' }, value: { count: 1, sum: 1, boundaries: CALLS } }],
    });
    assert.deepEqual(timing(m['gen_ai.execute_tool.duration'].points[0], 1, SECONDS), {
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.agent.name': 'weather-bot',
    });
    timing(m['gen_ai.client.operation.duration'].points[0], 2, SECONDS);
    assert.equal(m['gen_ai.client.cost'].points[0].value, usd(CALL_COST + CALL_COST));
    const run = finishedSpans().find((s) => s.name === 'agent.run')!;
    assert.equal(run.attributes['gen_ai.cost.usd'], CALL_COST + CALL_COST);
  });

  it('recorded whether or not the span is sampled', async () => {
    instrumentation.setTracerProvider(new BasicTracerProvider({ sampler: new AlwaysOffSampler() }));
    try {
      const ai = client();
      await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
      for await (const c of await ai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' })) {
        assert.ok(c);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      instrumentation.setTracerProvider(tracerProvider);
    }
    const m = await collectMetrics();
    timing(m['gen_ai.client.operation.duration'].points[0], 2, SECONDS);
    timing(m['gen_ai.client.operation.time_to_first_chunk'].points[0], 1, SECONDS);
    assert.equal(m['gen_ai.client.cost'].points[0].value, usd(CALL_COST + CALL_COST));
    assert.deepEqual(finishedSpans(), []);
  });

  it('an unknown model: no cost anywhere, one diagnostic message', async () => {
    const warnings: string[] = [];
    const noop = () => undefined;
    const logger: DiagLogger = {
      error: noop,
      info: noop,
      debug: noop,
      verbose: noop,
      warn: (msg: string) => warnings.push(msg),
    };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    try {
      const ai = client();
      await ai.models.generateContent({ model: 'acme-llm-9', contents: 'x' });
      await ai.models.generateContent({ model: 'acme-llm-9', contents: 'x' });
    } finally {
      diag.disable();
    }
    const m = await collectMetrics();
    assert.equal(m['gen_ai.client.cost'], undefined);
    assert.equal(m['gen_ai.client.token.usage'].points.length, 2);
    assert.equal(
      finishedSpans().some((s) => 'gen_ai.cost.usd' in s.attributes),
      false
    );
    assert.deepEqual(
      warnings.filter((w) => w.includes('no price')),
      [
        'opentelemetry-instrumentation-google-genai: no price for model acme-llm-9-001; its calls get no gen_ai.cost.usd (add it with the prices option)',
      ]
    );
  });

  it('the prices option replaces and extends the table', async () => {
    instrumentation.setConfig({
      prices: {
        'acme-llm-9': { input: 1, output: 2 },
        'gemini-2.5-flash': { input: 10, output: 20 },
      },
    });
    const ai = client();
    await ai.models.generateContent({ model: 'acme-llm-9', contents: 'x' });
    await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
    const costs = finishedSpans().map((s) => s.attributes['gen_ai.cost.usd']);
    assert.deepEqual(costs, [(8 * 1 + 0 * 1 + 17 * 2) / 1e6, (8 * 10 + 0 * 10 + 17 * 20) / 1e6]);
  });
});
