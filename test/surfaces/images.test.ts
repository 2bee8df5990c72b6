/*
 * generateImages and the other image calls (edit, upscale, recontext, segment): image counts,
 * output type image, and never an image byte on a span or event.
 */
import { finishedSpans } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SDK_MAJOR } from '../utils/genai';
import { modelCallSuite, sameAsBare, IMAGE_BYTES } from '../utils/model-calls';

describe(`images (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const { vertex, vertexBase } = modelCallSuite();

  it('generateImages: image counts, output type image, and no image bytes', async () => {
    await sameAsBare(() =>
      vertex().models.generateImages({
        model: 'imagen-4.0-generate-001',
        prompt: 'a lighthouse',
        config: { numberOfImages: 2 },
      })
    );
    const [span] = finishedSpans();
    assert.equal(span.name, 'generate_images imagen-4.0-generate-001');
    assert.deepEqual(
      { ...span.attributes },
      {
        ...vertexBase('generate_images', 'imagen-4.0-generate-001'),
        'gen_ai.output.type': 'image',
        'gcp.gen_ai.request.image_count': 2,
        'gcp.gen_ai.response.image_count': 2,
        'gcp.gen_ai.response.filtered_image_count': 1,
      }
    );
    const exported = finishedSpans().map((s) => ({ attributes: s.attributes, events: s.events }));
    assert.equal(JSON.stringify(exported).includes(IMAGE_BYTES), false);
  });

  it('the other image calls: a span each, where this SDK version has them', async function () {
    const models = vertex().models as unknown as Record<string, ((p: unknown) => Promise<unknown>) | undefined>;
    const calls: Array<[string, string, unknown]> = [
      ['editImage', 'edit_image', { model: 'imagen-3.0-capability-001', prompt: 'make it blue', referenceImages: [] }],
      [
        'upscaleImage',
        'upscale_image',
        { model: 'imagen-4.0-upscale-preview', image: { imageBytes: IMAGE_BYTES }, upscaleFactor: 'x2' },
      ],
      [
        'recontextImage',
        'recontext_image',
        { model: 'imagen-product-recontext-preview', source: { prompt: 'on a table' } },
      ],
      [
        'segmentImage',
        'segment_image',
        { model: 'image-segmentation-001', source: { image: { imageBytes: IMAGE_BYTES } } },
      ],
    ];
    const expected: string[] = [];
    for (const [method, operation, params] of calls) {
      if (typeof models[method] !== 'function') continue;
      await sameAsBare(() => models[method]!(params));
      expected.push(`${operation} ${(params as { model: string }).model}`);
    }
    assert.deepEqual(
      finishedSpans().map((s) => s.name),
      expected
    );
    const exported = finishedSpans().map((s) => ({ attributes: s.attributes, events: s.events }));
    assert.equal(JSON.stringify(exported).includes(IMAGE_BYTES), false);
  });
});
