/*
 * Batch jobs (`ai.batches.create`, `createEmbeddings`): a `create_batch
 * {model}` CLIENT span for the request that submits the job, with the job's
 * name and state and the number of requests sent inline. The work runs later
 * and its tokens are billed then, not on this span: it has no usage or cost.
 * Getting, listing, cancelling and deleting jobs are not traced (README, Not
 * traced).
 */
import type { Attributes } from '@opentelemetry/api';
import * as sc from '../semconv.js';
import { modelCall, put, text, type Json, type Params } from './model-call.js';

/** How many requests the app sent inline: an array, `inlinedRequests`, or an embeddings batch's contents. */
function requestCount(params: Params): number | undefined {
  const src = (params as { src?: unknown } | undefined)?.src;
  if (Array.isArray(src)) return src.length;
  const inlined = (src as { inlinedRequests?: unknown } | undefined)?.inlinedRequests;
  if (Array.isArray(inlined)) return inlined.length;
  const contents = (inlined as { contents?: unknown } | undefined)?.contents;
  return Array.isArray(contents) ? contents.length : undefined;
}

const request = (params: Params): Attributes => put({}, sc.ATTR_GCP_GEN_AI_BATCH_REQUEST_COUNT, requestCount(params));

const response = (job: Json): Attributes => {
  const attrs = put({}, sc.ATTR_GCP_GEN_AI_BATCH_ID, text(job?.name));
  return put(attrs, sc.ATTR_GCP_GEN_AI_BATCH_STATE, text(job?.state));
};

export const createBatch = modelCall({
  owner: 'Batches',
  method: 'createInternal',
  operation: sc.OPERATION_CREATE_BATCH,
  request,
  response,
});

export const createEmbeddingsBatch = modelCall({
  owner: 'Batches',
  method: 'createEmbeddingsInternal',
  operation: sc.OPERATION_CREATE_BATCH,
  request,
  response,
});
