/*
 * Token counting (`models.countTokens`, `models.computeTokens`): free calls
 * an app may make before every request, so traced only with
 * `traceTokenCounting`.
 */
import * as sc from '../semconv.js';
import { count, modelCall, put } from './model-call.js';

export const countTokens = modelCall({
  owner: 'Models',
  method: 'countTokens',
  operation: sc.OPERATION_COUNT_TOKENS,
  optIn: 'tokenCounting',
  response: (response) => put({}, sc.ATTR_GCP_GEN_AI_RESPONSE_TOTAL_TOKENS, count(response?.totalTokens)),
});

export const computeTokens = modelCall({
  owner: 'Models',
  method: 'computeTokens',
  operation: sc.OPERATION_COMPUTE_TOKENS,
  optIn: 'tokenCounting',
});
