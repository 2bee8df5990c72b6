/*
 * Images: `generateImages`, `editImage`, `upscaleImage` (through their
 * private `...Internal` methods), `recontextImage` and `segmentImage`. Spans
 * with `gen_ai.output.type` = image and the requested, returned, filtered and
 * mask counts; never the bytes.
 */
import type { Attributes } from '@opentelemetry/api';
import * as sc from '../semconv.js';
import { count, list, modelCall, put, type Json, type Params } from './model-call.js';

function imageRequest(params: Params): Attributes {
  const attrs: Attributes = { [sc.ATTR_GEN_AI_OUTPUT_TYPE]: sc.GEN_AI_OUTPUT_TYPE_VALUE_IMAGE };
  return put(attrs, sc.ATTR_GCP_GEN_AI_REQUEST_IMAGE_COUNT, count(params?.config?.numberOfImages));
}

function imageCounts(response: Json): Attributes {
  const images = list(response?.generatedImages);
  const attrs: Attributes = { [sc.ATTR_GCP_GEN_AI_RESPONSE_IMAGE_COUNT]: images.length };
  const filtered = images.filter((i) => typeof (i as { raiFilteredReason?: unknown })?.raiFilteredReason === 'string');
  if (filtered.length > 0) attrs[sc.ATTR_GCP_GEN_AI_RESPONSE_FILTERED_IMAGE_COUNT] = filtered.length;
  return attrs;
}

const image = (method: string, operation: string) =>
  modelCall({ owner: 'Models', method, operation, request: imageRequest, response: imageCounts });

export const generateImages = image('generateImagesInternal', sc.OPERATION_GENERATE_IMAGES);
export const editImage = image('editImageInternal', sc.OPERATION_EDIT_IMAGE);
export const upscaleImage = image('upscaleImageInternal', sc.OPERATION_UPSCALE_IMAGE);
export const recontextImage = image('recontextImage', sc.OPERATION_RECONTEXT_IMAGE);
export const segmentImage = modelCall({
  owner: 'Models',
  method: 'segmentImage',
  operation: sc.OPERATION_SEGMENT_IMAGE,
  response: (response) => put({}, sc.ATTR_GCP_GEN_AI_RESPONSE_MASK_COUNT, list(response?.generatedMasks).length),
});
