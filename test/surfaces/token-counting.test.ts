/*
 * countTokens (opt-in, traceTokenCounting): a count_tokens span with the total, and no token
 * usage or cost for a free call.
 */
import { finishedSpans, instrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { collectMetrics } from '../utils/metrics';
import { SDK_MAJOR } from '../utils/genai';
import { modelCallSuite, sameAsBare } from '../utils/model-calls';

describe(`token counting (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const { client, base } = modelCallSuite();

  it('countTokens: no span by default; a count_tokens span with traceTokenCounting', async () => {
    await sameAsBare(() => client().models.countTokens({ model: 'gemini-2.5-flash', contents: 'hello' }));
    assert.deepEqual(finishedSpans(), []);
    instrumentation.setConfig({ traceTokenCounting: true });
    await sameAsBare(() => client().models.countTokens({ model: 'gemini-2.5-flash', contents: 'hello' }));
    const [span] = finishedSpans();
    assert.equal(span.name, 'count_tokens gemini-2.5-flash');
    assert.deepEqual(
      { ...span.attributes },
      { ...base('count_tokens', 'gemini-2.5-flash'), 'gcp.gen_ai.response.total_tokens': 11 }
    );
    // A free call: no token usage or cost is recorded for it.
    const m = await collectMetrics();
    assert.equal(m['gen_ai.client.token.usage'], undefined);
  });
});
