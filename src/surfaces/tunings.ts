/*
 * Tuning jobs (`ai.tunings.tune`): a `create_tuning_job {base model}` CLIENT
 * span for the request that starts the job, with its name (on the Gemini
 * API, the tuned model's), its state and the examples sent inline. The
 * training runs later, on Google's side, and is billed then: no usage or
 * cost here. The class is not exported; core/patcher.ts reaches it through
 * the field the client's constructor assigns. Getting, listing and
 * cancelling jobs are not traced (README, Not traced).
 */
import type { Attributes } from '@opentelemetry/api';
import * as sc from '../semconv.js';
import { modelCall, put, text, type Json, type Params } from './model-call.js';

type TuneParams = { baseModel?: unknown; trainingDataset?: { examples?: unknown } };

const model = (params: Params) => text((params as TuneParams | undefined)?.baseModel);

const request = (params: Params): Attributes => {
  const examples = (params as TuneParams | undefined)?.trainingDataset?.examples;
  return put({}, sc.ATTR_GCP_GEN_AI_TUNING_EXAMPLE_COUNT, Array.isArray(examples) ? examples.length : undefined);
};

/** Vertex AI answers with the job; the Gemini API with an operation whose metadata names the tuned model. */
const response = (job: Json): Attributes => {
  const tuned = text((job?.metadata as Json)?.tunedModel) ?? text(job?.name);
  const attrs = put({}, sc.ATTR_GCP_GEN_AI_TUNING_JOB, tuned);
  return put(attrs, sc.ATTR_GCP_GEN_AI_TUNING_STATE, text(job?.state));
};

export const tuneVertex = modelCall({
  owner: 'Tunings',
  method: 'tuneInternal',
  operation: sc.OPERATION_CREATE_TUNING_JOB,
  model,
  request,
  response,
});

export const tuneGeminiApi = modelCall({
  owner: 'Tunings',
  method: 'tuneMldevInternal',
  operation: sc.OPERATION_CREATE_TUNING_JOB,
  model,
  request,
  response,
});
