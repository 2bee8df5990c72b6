/*
 * What a round trip cost and what it used, over HTTP through the real SDK:
 * the service tier (asked for, and the one that served), the price in force
 * on the call's date (a clock the test sets), tokens by modality and their
 * rates, the reasoning level and server-side tools, and 3.x continuation as
 * one call. Every bill is computed by hand from the published rates (USD per
 * 1M tokens, in the comments).
 */
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import * as assert from 'node:assert/strict';
import { finishedSpans, instrumentation, resetInstrumentation } from '../utils/otel';
import { collectMetrics, costTotal, usd } from '../utils/metrics';
import { SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import type { FakeReply } from '../utils/fake-gemini-server';
import { assertValidContent, schemasAvailable } from '../utils/schemas';

type Json = Record<string, unknown>;

const answer = (usageMetadata: Json, candidate: Json = {}, extra: Json = {}): FakeReply => ({
  body: {
    candidates: [{ content: { role: 'model', parts: [{ text: 'ok' }] }, finishReason: 'STOP', index: 0, ...candidate }],
    usageMetadata,
    ...extra,
  },
});

const near = (actual: unknown, expected: number) =>
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-15, `${String(actual)} != ${expected}`);

/**
 * Runs `call` with a wall clock that starts at `iso` and ticks: the price in force when the call starts applies.
 * (It ticks because the instrumentation reads the wall clock only when it prices a call, and works the start
 * out from the time the call has taken.)
 */
async function at<T>(iso: string, call: () => Promise<T>): Promise<T> {
  const now = Date.now;
  const start = Date.parse(iso);
  const t0 = performance.now();
  Date.now = () => start + (performance.now() - t0);
  try {
    return await call();
  } finally {
    Date.now = now;
  }
}

describe(`usage and cost: tiers, dates, modalities, continuation (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  beforeEach(async () => {
    resetInstrumentation();
    await collectMetrics();
  });
  after(() => instrumentation.setConfig({}));

  const generate = (model: string, config: Json = {}, options: Json = {}) =>
    server.client(options).models.generateContent({ model, contents: 'x', config });

  describe('service tiers', () => {
    // 2.5 Flash: Standard 0.30 / 2.50; flex 0.15 / 1.25; priority 0.54 / 4.50. 1,000 in, 200 out.
    const usage = { promptTokenCount: 1000, candidatesTokenCount: 200 };

    it('asked for flex: half the Standard bill, the tier on the span and on the cost counter', async () => {
      server.reply = () => answer(usage);
      const set = {
        'gen_ai.operation.name': 'generate_content',
        'gen_ai.provider.name': 'gcp.gemini',
        'gen_ai.request.model': 'gemini-2.5-flash',
        'gcp.gen_ai.service_tier': 'flex',
      };
      const before = costTotal(set);
      await generate('gemini-2.5-flash', { serviceTier: 'flex' });
      const [span] = finishedSpans();
      // 1,000 x 0.15 + 200 x 1.25 = 150 + 250 = 400 per 1M
      near(span.attributes['gen_ai.cost.usd'], 0.0004);
      assert.equal(span.attributes['gcp.gen_ai.request.service_tier'], 'flex');
      assert.equal(span.attributes['gcp.gen_ai.response.service_tier'], undefined);
      assert.equal(usd(costTotal(set) - before), usd(0.0004));
    });

    it('the tier the response names wins over the one asked for', async () => {
      server.reply = () => answer({ ...usage, serviceTier: 'priority' });
      await generate('gemini-2.5-flash', { serviceTier: 'flex' });
      const [span] = finishedSpans();
      // 1,000 x 0.54 + 200 x 4.50 = 540 + 900 = 1,440 per 1M
      near(span.attributes['gen_ai.cost.usd'], 0.00144);
      assert.equal(span.attributes['gcp.gen_ai.request.service_tier'], 'flex');
      assert.equal(span.attributes['gcp.gen_ai.response.service_tier'], 'priority');
    });

    it("Vertex AI's trafficType: ON_DEMAND_PRIORITY is priority, ON_DEMAND is standard", async () => {
      const vertex = { vertexai: true };
      server.reply = () => answer({ ...usage, trafficType: 'ON_DEMAND_PRIORITY' });
      await generate('gemini-2.5-flash', {}, vertex);
      server.reply = () => answer({ ...usage, trafficType: 'ON_DEMAND' });
      await generate('gemini-2.5-flash', {}, vertex);
      const [priority, standard] = finishedSpans();
      assert.equal(priority.attributes['gen_ai.provider.name'], 'gcp.vertex_ai');
      assert.equal(priority.attributes['gcp.gen_ai.response.service_tier'], 'priority');
      near(priority.attributes['gen_ai.cost.usd'], 0.00144);
      assert.equal(standard.attributes['gcp.gen_ai.response.service_tier'], 'standard');
      // 1,000 x 0.30 + 200 x 2.50 = 300 + 500 = 800 per 1M
      near(standard.attributes['gen_ai.cost.usd'], 0.0008);
    });

    it('a tier with no list price (provisioned throughput, or flex where the table has none): no cost, one diagnostic', async () => {
      const warnings: string[] = [];
      const logger: DiagLogger = {
        error: () => undefined,
        warn: (m: string) => warnings.push(m),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      };
      diag.setLogger(logger, DiagLogLevel.WARN);
      try {
        server.reply = () => answer({ ...usage, trafficType: 'PROVISIONED_THROUGHPUT' });
        await generate('gemini-2.5-flash', {}, { vertexai: true });
        await generate('gemini-2.5-flash', {}, { vertexai: true });
        server.reply = () => answer(usage);
        // 3.8 Flash has batch rates, no flex ones.
        await generate('gemini-3.8-flash', { serviceTier: 'flex' });
      } finally {
        diag.disable();
      }
      const spans = finishedSpans();
      assert.deepEqual(
        spans.map((s) => [s.attributes['gcp.gen_ai.response.service_tier'], s.attributes['gen_ai.cost.usd']]),
        [
          ['provisioned_throughput', undefined],
          ['provisioned_throughput', undefined],
          [undefined, undefined],
        ]
      );
      assert.deepEqual(
        warnings.filter((w) => w.includes('no price')).map((w) => w.replace(/^.*no price for model /, '')),
        [
          'gemini-2.5-flash at the provisioned_throughput tier on Vertex AI; its calls get no gen_ai.cost.usd (add it with the prices option)',
          'gemini-3.8-flash at the flex tier; its calls get no gen_ai.cost.usd (add it with the prices option)',
        ]
      );
    });
  });

  describe('scheduled prices: the price in force on the day of the call (00:00 UTC)', () => {
    // 3.8 Flash: 0.75 / 3.75 / cached 0.075 through 2026-12-31, then 1.50 / 7.50 / 0.15.
    const usage = { promptTokenCount: 10000, cachedContentTokenCount: 4000, candidatesTokenCount: 1000 };

    it('the last second of 2026 and the first of 2027', async () => {
      server.reply = () => answer(usage);
      await at('2026-12-31T23:59:59Z', () => generate('gemini-3.8-flash'));
      await at('2027-01-01T00:00:00Z', () => generate('gemini-3.8-flash'));
      const [before, after] = finishedSpans();
      // 6,000 x 0.75 + 4,000 x 0.075 + 1,000 x 3.75 = 4,500 + 300 + 3,750 = 8,550 per 1M
      near(before.attributes['gen_ai.cost.usd'], 0.00855);
      // 6,000 x 1.50 + 4,000 x 0.15 + 1,000 x 7.50 = 9,000 + 600 + 7,500 = 17,100 per 1M
      near(after.attributes['gen_ai.cost.usd'], 0.0171);
    });
  });

  describe('the prices option: tiers and scheduled changes of your own', () => {
    it('a tuned model with a flex rate and a price change on 2027-03-01', async () => {
      instrumentation.setConfig({
        prices: {
          'my-tuned-model': {
            input: 1,
            output: 2,
            serviceTiers: { flex: { input: 0.5, output: 1 } },
            scheduled: [{ effectiveFrom: '2027-03-01', input: 2 }],
          },
        },
      });
      server.reply = () => answer({ promptTokenCount: 1000, candidatesTokenCount: 1000 });
      try {
        await at('2027-02-28T23:59:59Z', () => generate('my-tuned-model'));
        await at('2027-03-01T00:00:00Z', () => generate('my-tuned-model'));
        await at('2027-03-01T00:00:00Z', () => generate('my-tuned-model', { serviceTier: 'flex' }));
      } finally {
        instrumentation.setConfig({});
      }
      const costs = finishedSpans().map((s) => s.attributes['gen_ai.cost.usd']);
      // 1,000 x 1 + 1,000 x 2; then 1,000 x 2 + 1,000 x 2; flex keeps its own rates: 1,000 x 0.5 + 1,000 x 1
      near(costs[0], 0.003);
      near(costs[1], 0.004);
      near(costs[2], 0.0015);
    });
  });

  describe('tokens by modality', () => {
    it('audio input and cached audio at their own rates; per-modality attributes', async () => {
      // 2.5 Flash: text 0.30, audio 1.00, cached 0.03, cached audio 0.10, output 2.50.
      server.reply = () =>
        answer({
          promptTokenCount: 3000,
          cachedContentTokenCount: 1000,
          candidatesTokenCount: 100,
          thoughtsTokenCount: 50,
          promptTokensDetails: [
            { modality: 'TEXT', tokenCount: 1000 },
            { modality: 'AUDIO', tokenCount: 1500 },
            { modality: 'VIDEO', tokenCount: 500 },
          ],
          cacheTokensDetails: [
            { modality: 'TEXT', tokenCount: 400 },
            { modality: 'AUDIO', tokenCount: 600 },
          ],
          candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 100 }],
        });
      await generate('gemini-2.5-flash');
      const [span] = finishedSpans();
      // cached: 400 x 0.03 + 600 x 0.10 = 12 + 60; uncached audio: (1,500 - 600) x 1.00 = 900;
      // the rest (2,000 - 900 = 1,100, video at the text rate) x 0.30 = 330; output (100 + 50) x 2.50 = 375
      near(span.attributes['gen_ai.cost.usd'], (12 + 60 + 900 + 330 + 375) / 1e6);
      const byModality = Object.fromEntries(
        Object.entries(span.attributes).filter(([k]) => /usage\.(text|image|audio|video|document)\./.test(k))
      );
      assert.deepEqual(byModality, {
        'gen_ai.usage.text.input_tokens': 1000,
        'gen_ai.usage.audio.input_tokens': 1500,
        'gcp.gen_ai.usage.video.input_tokens': 500,
        'gen_ai.usage.text.cache_read.input_tokens': 400,
        'gen_ai.usage.audio.cache_read.input_tokens': 600,
        // Thinking is text output: the modalities add up to gen_ai.usage.output_tokens.
        'gen_ai.usage.text.output_tokens': 150,
      });
      assert.equal(span.attributes['gen_ai.usage.output_tokens'], 150);
    });

    it("an image model's IMAGE output tokens at its image rate, its text at the output rate", async () => {
      // 3.1 Flash Image: input 0.50, output 3.00, image output 60.00.
      server.reply = () =>
        answer({
          promptTokenCount: 20,
          candidatesTokenCount: 1130,
          candidatesTokensDetails: [
            { modality: 'TEXT', tokenCount: 10 },
            { modality: 'IMAGE', tokenCount: 1120 },
          ],
        });
      await generate('gemini-3.1-flash-image', { responseModalities: ['IMAGE'] });
      const [span] = finishedSpans();
      // 20 x 0.50 + 10 x 3.00 + 1,120 x 60.00 = 10 + 30 + 67,200
      near(span.attributes['gen_ai.cost.usd'], 67240 / 1e6);
      assert.equal(span.attributes['gen_ai.usage.image.output_tokens'], 1120);
      assert.equal(span.attributes['gen_ai.usage.text.output_tokens'], 10);
    });
  });

  describe('request and server-side tool facts', () => {
    it('reasoning level and budget, service tier, server tools by name; searches, sources and URL statuses counted', async () => {
      server.reply = () =>
        answer(
          { promptTokenCount: 5, candidatesTokenCount: 5 },
          {
            groundingMetadata: {
              webSearchQueries: ['secret query one', 'secret query two'],
              groundingChunks: [{ web: { uri: 'https://a.example' } }, { web: { uri: 'https://b.example' } }, {}],
            },
            urlContextMetadata: {
              urlMetadata: [
                { retrievedUrl: 'https://a.example', urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_SUCCESS' },
                { retrievedUrl: 'https://c.example', urlRetrievalStatus: 'URL_RETRIEVAL_STATUS_PAYWALL' },
              ],
            },
          }
        );
      await generate('gemini-2.5-flash', {
        thinkingConfig: { thinkingLevel: 'LOW', thinkingBudget: 512 },
        serviceTier: 'standard',
        tools: [{ googleSearch: {} }, { urlContext: {} }, { codeExecution: {} }, { googleSearch: {} }],
      });
      const [span] = finishedSpans();
      const a = span.attributes;
      assert.equal(a['gen_ai.request.reasoning.level'], 'LOW');
      assert.equal(a['gcp.gen_ai.request.thinking_budget'], 512);
      assert.equal(a['gcp.gen_ai.request.service_tier'], 'standard');
      assert.deepEqual(a['gcp.gen_ai.request.server_tools'], ['google_search', 'url_context', 'code_execution']);
      assert.equal(a['gcp.gen_ai.response.web_search_queries'], 2);
      assert.equal(a['gcp.gen_ai.response.grounding_chunks'], 3);
      assert.deepEqual(a['gcp.gen_ai.response.url_retrieval_statuses'], [
        'URL_RETRIEVAL_STATUS_SUCCESS',
        'URL_RETRIEVAL_STATUS_PAYWALL',
      ]);
      // Counts, never the queries or URLs (content capture is off).
      assert.ok(!JSON.stringify(a).includes('secret query'));
      assert.ok(!JSON.stringify(a).includes('example'));
    });

    it('with content capture: code execution parts as server_tool_call and server_tool_call_response', async () => {
      instrumentation.setConfig({ captureMessageContent: true });
      server.reply = () => ({
        body: {
          candidates: [
            {
              content: {
                role: 'model',
                parts: [
                  { executableCode: { language: 'PYTHON', code: 'print(6*7)' } },
                  { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '42\n' } },
                  { text: 'It is 42.' },
                ],
              },
              finishReason: 'STOP',
            },
          ],
          usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 5 },
        },
      });
      try {
        await generate('gemini-2.5-flash', { tools: [{ codeExecution: {} }] });
      } finally {
        instrumentation.setConfig({});
      }
      const [span] = finishedSpans();
      if (schemasAvailable) assertValidContent('gen_ai.output.messages', span.attributes['gen_ai.output.messages']);
      const [message] = JSON.parse(span.attributes['gen_ai.output.messages'] as string);
      assert.deepEqual(message, {
        role: 'assistant',
        parts: [
          {
            type: 'server_tool_call',
            name: 'code_execution',
            server_tool_call: { type: 'code_execution', language: 'PYTHON', code: 'print(6*7)' },
          },
          {
            type: 'server_tool_call_response',
            server_tool_call_response: { type: 'code_execution', outcome: 'OUTCOME_OK', output: '42\n' },
          },
          { type: 'text', content: 'It is 42.' },
        ],
        finish_reason: 'stop',
      });
    });
  });

  if (SDK_MAJOR === '3') {
    describe('3.x automatic continuation: one call, its hops linked, CONTINUATION never a finish', () => {
      it('generateContent continued twice: three round trips, each billed once, indices 0-2, linked in order', async () => {
        let calls = 0;
        server.reply = () => {
          calls++;
          const usage = { promptTokenCount: 100, candidatesTokenCount: 50 };
          if (calls < 3) {
            return answer(usage, { finishReason: 'CONTINUATION', continuationToken: `tok-${calls}` });
          }
          return answer(usage, { finishReason: 'STOP' });
        };
        const response = await generate('gemini-2.5-flash');
        assert.equal(calls, 3);
        assert.equal(response.candidates?.[0]?.finishReason, 'STOP');
        const spans = finishedSpans();
        assert.deepEqual(
          spans.map((s) => [
            s.attributes['gcp.gen_ai.continuation.index'],
            s.attributes['gen_ai.response.finish_reasons'],
            s.attributes['gen_ai.usage.output_tokens'],
          ]),
          [
            [0, undefined, 50],
            [1, undefined, 50],
            [2, ['STOP'], 50],
          ]
        );
        assert.deepEqual(
          spans.map((s) => s.links.map((l) => l.context.spanId)),
          [[], [spans[0].spanContext().spanId], [spans[1].spanContext().spanId]]
        );
        // Each hop is its own request, billed once: 100 x 0.30 + 50 x 2.50 = 155 per 1M each.
        for (const s of spans) near(s.attributes['gen_ai.cost.usd'], 0.000155);
        const m = await collectMetrics();
        const reasons = m['gcp.gen_ai.client.finish_reasons'].points.map((p) => [
          p.attributes['gcp.gen_ai.response.finish_reason'],
          p.value,
        ]);
        assert.deepEqual(reasons, [['STOP', 1]]);
        const tokens = m['gen_ai.client.token.usage'].points.find(
          (p) => p.attributes['gen_ai.token.type'] === 'output'
        );
        assert.equal((tokens?.value as { sum: number; count: number }).sum, 150);
      });

      it('a call that does not continue carries no continuation index', async () => {
        server.reply = () => answer({ promptTokenCount: 1, candidatesTokenCount: 1 });
        await generate('gemini-2.5-flash');
        assert.equal(finishedSpans()[0].attributes['gcp.gen_ai.continuation.index'], undefined);
      });
    });
  }
});
