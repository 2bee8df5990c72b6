/*
 * Embeddings (`models.embedContent`, through its private
 * `embedContentInternal`): an `embeddings {model}` span with the dimension
 * and embedding count, and input tokens from 3.x `usageMetadata`, else
 * (Vertex AI) the sum of each embedding's `statistics.tokenCount`.
 */
import type { UsageMetadataLike } from '../internal-types.js';
import * as sc from '../semconv.js';
import { count, list, modelCall, put, type Json } from './model-call.js';

function embeddingUsage(response: Json): UsageMetadataLike | undefined {
  const usage = response?.usageMetadata as UsageMetadataLike | undefined;
  if (usage && count(usage.promptTokenCount) !== undefined) return { promptTokenCount: usage.promptTokenCount };
  let total: number | undefined;
  for (const e of list(response?.embeddings)) {
    const tokens = count((e as { statistics?: { tokenCount?: unknown } })?.statistics?.tokenCount);
    if (tokens !== undefined) total = (total ?? 0) + tokens;
  }
  return total === undefined ? undefined : { promptTokenCount: total };
}

export const embeddings = modelCall({
  owner: 'Models',
  method: 'embedContentInternal',
  operation: sc.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  request: (params) => put({}, sc.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, count(params?.config?.outputDimensionality)),
  response: (response) => {
    const first = list(response?.embeddings)[0] as { values?: unknown } | undefined;
    // The dimension the model returned, when the request did not say.
    const attrs = put(
      {},
      sc.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
      Array.isArray(first?.values) ? first.values.length : undefined
    );
    return put(attrs, sc.ATTR_GCP_GEN_AI_RESPONSE_EMBEDDING_COUNT, list(response?.embeddings).length);
  },
  usage: embeddingUsage,
});
