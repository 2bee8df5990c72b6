/*
 * Decisions (`ai.decisions.create`, @google/genai 3.x): a model answers named
 * questions; a `generate_content {model}` CLIENT span per HTTP round trip
 * with usage, cost, the question and answer counts, and its metric points.
 */
import { finishedSpans, instrumentation, resetInstrumentation } from '../utils/otel';
import { collectMetrics, costTotal, usd } from '../utils/metrics';
import * as assert from 'node:assert/strict';
import { plain, SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import { baseAttributes, hasApi } from '../utils/bridge-apis';

// A model of its own, priced like gemini-2.5-flash, so that its cost series is this test's alone.
const MODEL = 'decisions-test-model';
const COST = (8 * 0.3 + 17 * 2.5) / 1e6;

(hasApi('decisions') ? describe : describe.skip)(`decisions (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  beforeEach(async () => {
    resetInstrumentation();
    instrumentation.setConfig({ prices: { [MODEL]: { input: 0.3, output: 2.5 } } });
    await collectMetrics();
  });
  after(() => instrumentation.setConfig({}));

  const request = () => ({
    model: MODEL,
    input: 'The sky is clear today.',
    questions: { sunny: { type: 'boolean' }, windy: { type: 'boolean' } },
  });

  it('decisions.create: generate_content with usage, cost, question and answer counts; metrics', async () => {
    const set = {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': MODEL,
    };
    const before = costTotal(set);
    const traced = plain(await server.client().decisions.create(request() as never));
    const after = costTotal(set);
    const m = await collectMetrics();
    instrumentation.disable();
    const bare = plain(await server.client().decisions.create(request() as never));
    instrumentation.enable();
    assert.deepEqual(traced, bare);
    const [span] = finishedSpans();
    assert.equal(span.name, `generate_content ${MODEL}`);
    assert.deepEqual(
      { ...span.attributes },
      {
        ...baseAttributes(server, 'generate_content'),
        'gen_ai.request.model': MODEL,
        'gen_ai.output.type': 'text',
        'gen_ai.usage.input_tokens': 8,
        'gen_ai.usage.output_tokens': 17,
        'gen_ai.usage.reasoning.output_tokens': 12,
        'gen_ai.usage.cache_read.input_tokens': 0,
        'gcp.gen_ai.usage.tool_use_prompt_tokens': 0,
        'gen_ai.usage.text.input_tokens': 8,
        'gen_ai.usage.text.output_tokens': 5,
        'gcp.gen_ai.decision.question_count': 2,
        'gcp.gen_ai.decision.answer_count': 2,
        'gen_ai.cost.usd': COST,
      }
    );
    // What the cost counter adds for the call, read from the totals it reports (its series carry no server:
    // another suite's calls may share the set).
    assert.equal(usd(after - before), usd(COST));
    assert.deepEqual(
      m['gen_ai.client.token.usage'].points.map((p) => (p.value as { sum: number }).sum),
      [8, 17]
    );
  });

  it('a blocked prompt: its reason on the span, not an error', async () => {
    server.reply = () => ({ body: { prompt_feedback: { block_reason: 'SAFETY' } } });
    await server.client().decisions.create(request() as never);
    const [span] = finishedSpans();
    assert.equal(span.attributes['gcp.gen_ai.response.prompt_block_reason'], 'SAFETY');
    assert.equal(span.attributes['gcp.gen_ai.decision.answer_count'], undefined);
  });
});
