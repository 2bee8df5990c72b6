/*
 * The SDK's other model calls against the loopback server: embeddings,
 * images, the request that starts a video operation, and token counting
 * (opt-in). One CLIENT span each, with the app's results unchanged, no image
 * bytes anywhere, and embeddings' tokens, metrics and cost.
 */
import { finishedSpans, instrumentation, resetInstrumentation } from './utils/otel';
import { collectMetrics, usd } from './utils/metrics';
import * as assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { loadGenAI, plain, SDK_MAJOR, TEST_API_KEY } from './utils/genai';
import { startFakeGemini, type FakeGemini, type FakeReply, type FakeRequest } from '../examples/fake-gemini-server';

const genai = loadGenAI();
const IMAGE_BYTES = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk';

function reply(req: FakeRequest): FakeReply {
  if (req.path.includes('cachedContents')) {
    if (req.method === 'DELETE') return { body: {} };
    return {
      body: {
        name: 'cachedContents/cache-7',
        model: 'models/gemini-2.5-flash',
        usageMetadata: { totalTokenCount: 4096 },
        expireTime: '2026-11-25T10:00:00Z',
      },
    };
  }
  if (req.path.includes('/operations/') || req.action === 'fetchPredictOperation') {
    return { body: { name: 'models/veo-3.0-generate-001/operations/op-42', done: true } };
  }
  switch (req.action) {
    case 'batchEmbedContents':
    case 'embedContent':
      if (req.model === 'embedding-missing') {
        return { status: 404, body: { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } } };
      }
      return {
        body: {
          embeddings: [{ values: [0.1, 0.2, 0.3, 0.4] }, { values: [0.5, 0.6, 0.7, 0.8] }],
          usageMetadata: { promptTokenCount: 9 },
        },
      };
    case 'predict':
      if (req.model.startsWith('text-embedding')) {
        // Vertex AI's embeddings: a token count per embedding.
        return {
          body: {
            predictions: [
              { embeddings: { values: [0.1, 0.2, 0.3], statistics: { token_count: 4, truncated: false } } },
              { embeddings: { values: [0.4, 0.5, 0.6], statistics: { token_count: 6, truncated: false } } },
            ],
          },
        };
      }
      return {
        body: {
          predictions: [
            { bytesBase64Encoded: IMAGE_BYTES, mimeType: 'image/png' },
            { raiFilteredReason: 'The image was filtered.' },
          ],
        },
      };
    case 'predictLongRunning':
      return { body: { name: 'models/veo-3.0-generate-001/operations/op-42' } };
    case 'countTokens':
      return { body: { totalTokens: 11 } };
    default:
      return {
        status: 400,
        body: { error: { code: 400, message: `unexpected ${req.action}`, status: 'INVALID_ARGUMENT' } },
      };
  }
}

describe(`embeddings, images, videos, token counting (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  let server: FakeGemini;
  before(async () => {
    server = await startFakeGemini(reply);
  });
  after(() => server.close());
  beforeEach(async () => {
    resetInstrumentation();
    await collectMetrics();
  });

  const client = () => new genai.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: server.url } });
  // Images and videos: Vertex AI only in 2.x and 3.x (express mode: an API key, no project).
  const vertex = () =>
    new genai.GoogleGenAI({ vertexai: true, apiKey: TEST_API_KEY, httpOptions: { baseUrl: server.url } });
  const vertexBase = (operation: string, model: string) => ({
    ...base(operation, model),
    'gen_ai.provider.name': 'gcp.vertex_ai',
  });
  const base = (operation: string, model: string) => ({
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': 'gcp.gemini',
    'gen_ai.request.model': model,
    'server.address': '127.0.0.1',
    'server.port': server.port,
  });

  /** Runs `call` traced then bare; the app must see the same. */
  async function sameAsBare<T>(call: () => Promise<T>): Promise<unknown> {
    const settle = (p: Promise<T>) =>
      p.then(plain, (e: Error & { status?: number }) => ({ error: `${e.name} ${e.status}` }));
    const traced = await settle(call());
    instrumentation.disable();
    const bare = await settle(call());
    instrumentation.enable();
    assert.deepEqual(traced, bare);
    return traced;
  }

  it('embedContent: an embeddings span with dimension, count, input tokens and cost; metrics', async () => {
    const result = (await sameAsBare(() =>
      client().models.embedContent({
        model: 'gemini-embedding-001',
        contents: ['first text', 'second text'],
        config: { outputDimensionality: 4 },
      })
    )) as { usageMetadata?: { promptTokenCount?: number } };
    const [span] = finishedSpans();
    assert.equal(span.name, 'embeddings gemini-embedding-001');
    assert.equal(span.kind, SpanKind.CLIENT);
    // Tokens where this SDK version passes the API's usage through to the app.
    const tokens = result.usageMetadata?.promptTokenCount;
    const usage = tokens === undefined ? {} : { 'gen_ai.usage.input_tokens': 9, 'gen_ai.cost.usd': (9 * 0.15) / 1e6 };
    assert.deepEqual(
      { ...span.attributes },
      {
        ...base('embeddings', 'gemini-embedding-001'),
        'gen_ai.embeddings.dimension.count': 4,
        'gcp.gen_ai.response.embedding_count': 2,
        ...usage,
      }
    );
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    const m = await collectMetrics();
    assert.deepEqual(
      m['gen_ai.client.operation.duration'].points[0].attributes,
      base('embeddings', 'gemini-embedding-001')
    );
    if (tokens !== undefined) {
      assert.deepEqual(
        m['gen_ai.client.token.usage'].points.map((p) => [
          p.attributes['gen_ai.token.type'],
          (p.value as { sum: number }).sum,
        ]),
        [['input', 9]]
      );
      assert.equal(m['gen_ai.client.cost'].points[0].value, usd((9 * 0.15) / 1e6));
    }
  });

  it('embedContent on Vertex AI: input tokens summed from each embedding', async () => {
    const result = (await sameAsBare(() =>
      vertex().models.embedContent({ model: 'text-embedding-005', contents: ['first', 'second'] })
    )) as { embeddings?: Array<{ statistics?: { tokenCount?: number } }> };
    const [span] = finishedSpans();
    assert.equal(span.name, 'embeddings text-embedding-005');
    assert.equal(span.attributes['gen_ai.provider.name'], 'gcp.vertex_ai');
    assert.equal(span.attributes['gcp.gen_ai.response.embedding_count'], 2);
    assert.equal(span.attributes['gen_ai.embeddings.dimension.count'], 3);
    // Where this SDK version maps the statistics through to the app, they are summed on the span.
    const counted = result.embeddings?.every((e) => typeof e.statistics?.tokenCount === 'number');
    assert.equal(span.attributes['gen_ai.usage.input_tokens'], counted ? 10 : undefined);
  });

  it('embedContent failing: ERROR span with error.type, the app gets the same error', async () => {
    await sameAsBare(() => client().models.embedContent({ model: 'embedding-missing', contents: 'x' }));
    const [span] = finishedSpans();
    assert.equal(span.name, 'embeddings embedding-missing');
    assert.equal(span.attributes['error.type'], '404');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
  });

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

  it('caches: create, update and delete, with the cached token count', async () => {
    const ai = client();
    const cache = (await sameAsBare(() =>
      ai.caches.create({ model: 'gemini-2.5-flash', config: { contents: 'a long document', ttl: '3600s' } })
    )) as { name?: string };
    assert.equal(cache.name, 'cachedContents/cache-7');
    await sameAsBare(() => ai.caches.update({ name: 'cachedContents/cache-7', config: { ttl: '7200s' } }));
    await sameAsBare(() => ai.caches.delete({ name: 'cachedContents/cache-7' }));
    const spans = finishedSpans().map((s) => [s.name, { ...s.attributes }]);
    const cached = {
      'gcp.gen_ai.cache.name': 'cachedContents/cache-7',
      'gcp.gen_ai.cache.token_count': 4096,
      'gcp.gen_ai.cache.expire_time': '2026-11-25T10:00:00Z',
    };
    const address = { 'server.address': '127.0.0.1', 'server.port': server.port };
    assert.deepEqual(spans, [
      ['create_cache gemini-2.5-flash', { ...base('create_cache', 'gemini-2.5-flash'), ...cached }],
      [
        'update_cache',
        { 'gen_ai.operation.name': 'update_cache', 'gen_ai.provider.name': 'gcp.gemini', ...address, ...cached },
      ],
      [
        'delete_cache',
        {
          'gen_ai.operation.name': 'delete_cache',
          'gen_ai.provider.name': 'gcp.gemini',
          ...address,
          'gcp.gen_ai.cache.name': 'cachedContents/cache-7',
        },
      ],
    ]);
  });

  it('disable() restores every method', () => {
    const proto = genai.Models.prototype as unknown as Record<string, { __wrapped?: boolean }>;
    instrumentation.disable();
    for (const method of ['embedContentInternal', 'generateImagesInternal', 'countTokens']) {
      assert.equal(proto[method].__wrapped, undefined, method);
    }
    instrumentation.enable();
    assert.equal(proto.embedContentInternal.__wrapped, true);
  });
});
