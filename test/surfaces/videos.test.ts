/*
 * generateVideos: the span of the request that starts the operation, with its id; polling the
 * operation (opt-in, traceOperationPolling).
 */
import { finishedSpans, instrumentation, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SDK_MAJOR } from '../utils/genai';
import { modelCallSuite, sameAsBare } from '../utils/model-calls';

describe(`videos (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const { vertex, vertexBase } = modelCallSuite();

  it('generateVideos: the span of the request that starts the operation carries its id', async () => {
    const op = (await sameAsBare(() =>
      vertex().models.generateVideos({ model: 'veo-3.0-generate-001', prompt: 'waves', config: { numberOfVideos: 1 } })
    )) as { name?: string };
    assert.equal(op.name, 'models/veo-3.0-generate-001/operations/op-42');
    const [span] = finishedSpans();
    assert.equal(span.name, 'generate_videos veo-3.0-generate-001');
    assert.deepEqual(
      { ...span.attributes },
      {
        ...vertexBase('generate_videos', 'veo-3.0-generate-001'),
        'gen_ai.output.type': 'video',
        'gcp.gen_ai.request.video_count': 1,
        'gcp.gen_ai.operation.id': 'models/veo-3.0-generate-001/operations/op-42',
      }
    );
  });

  it('polling the operation: no span by default; a get_operation span with traceOperationPolling', async () => {
    const ai = vertex();
    const operation = await ai.models.generateVideos({ model: 'veo-3.0-generate-001', prompt: 'waves' });
    const poll = () => ai.operations.getVideosOperation({ operation });
    resetInstrumentation();
    await sameAsBare(poll);
    assert.deepEqual(finishedSpans(), []);
    instrumentation.setConfig({ traceOperationPolling: true });
    await sameAsBare(poll);
    const spans = finishedSpans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0].name, 'get_operation');
    assert.equal(spans[0].attributes['gen_ai.operation.name'], 'get_operation');
    assert.equal(spans[0].attributes['gcp.gen_ai.operation.id'], 'models/veo-3.0-generate-001/operations/op-42');
    assert.equal(spans[0].attributes['gcp.gen_ai.operation.done'], true);
  });
});
