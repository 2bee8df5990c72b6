/*
 * Batch jobs (`ai.batches.create`, `createEmbeddings`): a `create_batch
 * {model}` CLIENT span for the submitting request, with the job's name and
 * state and the inline request count; no usage or cost (billed when the job
 * runs).
 */
import { finishedSpans, resetInstrumentation } from '../utils/otel';
import { collectMetrics } from '../utils/metrics';
import * as assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import { sameAsBare } from '../utils/model-calls';

const job = (model: string) => ({
  name: 'batches/job-42',
  metadata: { model: `models/${model}`, displayName: 'nightly', state: 'BATCH_STATE_PENDING' },
});

describe(`batch jobs (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini((req) =>
    req.action === 'batchGenerateContent' || req.action === 'asyncBatchEmbedContent'
      ? { body: job(req.model) }
      : undefined
  );
  beforeEach(async () => {
    resetInstrumentation();
    await collectMetrics();
  });
  const base = (model: string) => ({
    'gen_ai.operation.name': 'create_batch',
    'gen_ai.provider.name': 'gcp.gemini',
    'gen_ai.request.model': model,
    'server.address': '127.0.0.1',
    'server.port': server.port,
  });

  it('batches.create with inline requests: the job, its state and the request count; no usage', async () => {
    const request = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] };
    await sameAsBare(() =>
      server.client().batches.create({ model: 'gemini-2.5-flash', src: [request, request, request] } as never)
    );
    const [span] = finishedSpans();
    assert.equal(span.name, 'create_batch gemini-2.5-flash');
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.deepEqual(
      { ...span.attributes },
      {
        ...base('gemini-2.5-flash'),
        'gcp.gen_ai.batch.request_count': 3,
        'gcp.gen_ai.batch.id': 'batches/job-42',
        'gcp.gen_ai.batch.state': 'JOB_STATE_PENDING',
      }
    );
    const m = await collectMetrics();
    assert.equal(m['gen_ai.client.token.usage'], undefined);
    assert.equal(m['gen_ai.client.operation.duration'].points.length, 1);
  });

  it('batches.create from a file: no request count', async () => {
    await server.client().batches.create({ model: 'gemini-2.5-flash', src: 'files/requests-1' } as never);
    const [span] = finishedSpans();
    assert.equal(span.attributes['gcp.gen_ai.batch.request_count'], undefined);
    assert.equal(span.attributes['gcp.gen_ai.batch.id'], 'batches/job-42');
  });

  it('batches.createEmbeddings: a create_batch span with the embedding count, where the SDK has it', async function () {
    const batches = server.client().batches as unknown as { createEmbeddings?: (p: unknown) => Promise<unknown> };
    if (typeof batches.createEmbeddings !== 'function') this.skip();
    await batches.createEmbeddings!({
      model: 'gemini-embedding-001',
      src: { inlinedRequests: { contents: [{ parts: [{ text: 'a' }] }, { parts: [{ text: 'b' }] }] } },
    });
    const [span] = finishedSpans();
    assert.equal(span.name, 'create_batch gemini-embedding-001');
    assert.equal(span.attributes['gcp.gen_ai.batch.request_count'], 2);
  });
});
