/*
 * embedContent on the Gemini API and Vertex AI: an embeddings span with dimension, count, input tokens
 * (from usageMetadata, or summed from each embedding) and cost, its metrics, and errors.
 */
import { finishedSpans } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { collectMetrics, usd } from '../utils/metrics';
import { SDK_MAJOR } from '../utils/genai';
import { modelCallSuite, sameAsBare } from '../utils/model-calls';

describe(`embeddings (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const { client, vertex, base } = modelCallSuite();

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
});
