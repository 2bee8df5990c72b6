/*
 * Videos: the request that starts a video operation (`generateVideos`,
 * through `generateVideosInternal`), with the operation's name to correlate
 * its polling; and, only with `traceOperationPolling` (an app may poll every
 * few seconds for minutes), each poll of the long-running operation.
 */
import type { Attributes } from '@opentelemetry/api';
import * as sc from '../semconv.js';
import { count, modelCall, put, text } from './model-call.js';
import type { Surface } from './surface.js';

export const generateVideos = modelCall({
  owner: 'Models',
  method: 'generateVideosInternal',
  operation: sc.OPERATION_GENERATE_VIDEOS,
  request: (params) => {
    const attrs: Attributes = { [sc.ATTR_GEN_AI_OUTPUT_TYPE]: sc.GCP_GEN_AI_OUTPUT_TYPE_VALUE_VIDEO };
    return put(attrs, sc.ATTR_GCP_GEN_AI_REQUEST_VIDEO_COUNT, count(params?.config?.numberOfVideos));
  },
  // The long-running operation's name: the key to correlate the polling (operations.get) with this span.
  response: (response) => put({}, sc.ATTR_GCP_GEN_AI_OPERATION_ID, text(response?.name)),
});

const poll = (method: string): Surface =>
  modelCall({
    owner: 'Operations',
    method,
    operation: sc.OPERATION_GET_OPERATION,
    optIn: 'operationPolling',
    request: (params) =>
      put(
        {},
        sc.ATTR_GCP_GEN_AI_OPERATION_ID,
        text((params as { operationName?: unknown } | undefined)?.operationName)
      ),
    response: (response) =>
      put({}, sc.ATTR_GCP_GEN_AI_OPERATION_DONE, typeof response?.done === 'boolean' ? response.done : undefined),
  });

export const getVideosOperation = poll('getVideosOperationInternal');
export const fetchPredictVideosOperation = poll('fetchPredictVideosOperationInternal');
