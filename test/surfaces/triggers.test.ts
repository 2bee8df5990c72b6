/*
 * Running a trigger (`ai.triggers.run`, @google/genai 2.x and 3.x): an
 * `invoke_agent` CLIENT span per HTTP round trip with the trigger, the
 * execution and the interaction it started; polling that interaction joins
 * the same `gen_ai.response.id`.
 */
import { finishedSpans, instrumentation, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { plain, SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import { baseAttributes, hasApi } from '../utils/bridge-apis';

(hasApi('triggers') ? describe : describe.skip)(`triggers (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  beforeEach(() => resetInstrumentation());

  it('triggers.run: invoke_agent with the trigger, execution and interaction ids; its poll joins up', async () => {
    const ai = server.client();
    const traced = plain(await ai.triggers.run('trig-9'));
    instrumentation.disable();
    const bare = plain(await ai.triggers.run('trig-9'));
    instrumentation.enable();
    assert.deepEqual(traced, bare);
    await ai.interactions.get((traced as { interaction_id: string }).interaction_id);
    const [run, poll] = finishedSpans();
    assert.equal(run.name, 'invoke_agent');
    assert.equal(run.kind, SpanKind.CLIENT);
    assert.deepEqual(
      { ...run.attributes },
      {
        ...baseAttributes(server, 'invoke_agent'),
        'gcp.gen_ai.trigger.id': 'trig-9',
        'gcp.gen_ai.trigger.execution_id': 'exec-1',
        'gen_ai.response.id': 'int-trig-9',
      }
    );
    assert.equal(poll.name, 'fetch_response');
    assert.equal(poll.attributes['gen_ai.response.id'], 'int-trig-9');
  });
});
