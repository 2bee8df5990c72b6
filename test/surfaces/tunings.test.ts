/*
 * Tuning jobs (`ai.tunings.tune`): a `create_tuning_job {base model}` CLIENT
 * span for the request that starts the job, with the tuned model it makes
 * and the examples sent inline; no usage or cost (the training is billed
 * when it runs).
 */
import { finishedSpans, resetInstrumentation } from '../utils/otel';
import { collectMetrics } from '../utils/metrics';
import * as assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import { sameAsBare } from '../utils/model-calls';

const BASE = 'models/gemini-2.0-flash-001';

describe(`tuning jobs (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini((req) =>
    req.path.includes('/tunedModels')
      ? {
          body: {
            name: 'tunedModels/support-tuned-1/operations/op-1',
            metadata: { tunedModel: 'tunedModels/support-tuned-1', totalSteps: 10 },
          },
        }
      : undefined
  );
  beforeEach(async () => {
    resetInstrumentation();
    await collectMetrics();
  });

  it('tunings.tune on the Gemini API: the tuned model, the example count; no usage', async () => {
    const examples = [
      { textInput: 'Hi', output: 'Hello' },
      { textInput: 'Bye', output: 'Goodbye' },
    ];
    await sameAsBare(() => server.client().tunings.tune({ baseModel: BASE, trainingDataset: { examples } } as never));
    const [span] = finishedSpans();
    assert.equal(span.name, `create_tuning_job ${BASE}`);
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.deepEqual(
      { ...span.attributes },
      {
        'gen_ai.operation.name': 'create_tuning_job',
        'gen_ai.provider.name': 'gcp.gemini',
        'gen_ai.request.model': BASE,
        'server.address': '127.0.0.1',
        'server.port': server.port,
        'gcp.gen_ai.tuning.example_count': 2,
        'gcp.gen_ai.tuning.job': 'tunedModels/support-tuned-1',
      }
    );
    const m = await collectMetrics();
    assert.equal(m['gen_ai.client.token.usage'], undefined);
  });
});
