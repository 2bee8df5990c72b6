/*
 * Context caches (`caches.create`, `update`, `delete`): the cache's name,
 * expiry and cached token count, so what a cache costs can be put next to
 * the calls that read it.
 */
import type { Attributes } from '@opentelemetry/api';
import * as sc from '../semconv.js';
import { count, modelCall, put, text, type Json, type Params } from './model-call.js';

function cacheRequest(params: Params): Attributes {
  return put({}, sc.ATTR_GCP_GEN_AI_CACHE_NAME, text((params as { name?: unknown } | undefined)?.name));
}

function cacheResponse(response: Json): Attributes {
  const attrs = put({}, sc.ATTR_GCP_GEN_AI_CACHE_NAME, text(response?.name));
  const usage = response?.usageMetadata as { totalTokenCount?: unknown } | undefined;
  put(attrs, sc.ATTR_GCP_GEN_AI_CACHE_TOKEN_COUNT, count(usage?.totalTokenCount));
  return put(attrs, sc.ATTR_GCP_GEN_AI_CACHE_EXPIRE_TIME, text(response?.expireTime));
}

export const createCache = modelCall({
  owner: 'Caches',
  method: 'create',
  operation: sc.OPERATION_CREATE_CACHE,
  request: cacheRequest,
  response: cacheResponse,
});

export const updateCache = modelCall({
  owner: 'Caches',
  method: 'update',
  operation: sc.OPERATION_UPDATE_CACHE,
  request: cacheRequest,
  response: cacheResponse,
});

export const deleteCache = modelCall({
  owner: 'Caches',
  method: 'delete',
  operation: sc.OPERATION_DELETE_CACHE,
  request: cacheRequest,
});
