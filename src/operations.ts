/*
 * The SDK's other model calls, one CLIENT span per HTTP round trip, each a
 * private `...Internal` method (or a plain method) on `Models.prototype`:
 * embeddings, images, the request that starts a video operation, and (only
 * when asked for) token counting. What each records is in OPERATIONS; how
 * the span starts and ends is shared (`runOperation`).
 */
import {
  context,
  diag,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { errorType, modelVersionOf, samplingAttributes, spanName, usageTotals } from './attributes.js';
import type { GenerateContentResponseLike, ModelsLike, UsageMetadataLike } from './internal-types.js';
import type { GenAIMetrics } from './metrics.js';
import { endSpanWithError, endSpanWithResponse } from './record.js';
import { metricAttributes } from './round-trip.js';
import { apiKeyOf } from './secrets.js';
import * as sc from './semconv.js';
import { isThenable } from './thenable.js';

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';

type Params = { model?: unknown; config?: Record<string, unknown> } | undefined;
type Json = Record<string, unknown> | undefined;

/** What one kind of call records. */
export interface OperationSpec {
  /** The exported class whose prototype has the method (default `Models`). */
  readonly owner?: 'Models' | 'Caches' | 'Operations';
  /** The method on that prototype. */
  readonly method: string;
  /** `gen_ai.operation.name`: a value of the conventions where one fits, else ours (README, Semantic Conventions). */
  readonly operation: string;
  /** Off unless the app asks for it (an option). */
  readonly optIn?: 'tokenCounting' | 'operationPolling';
  /** Request attributes, for a recording span. */
  request?(params: Params): Attributes;
  /** Response attributes, for a recording span. Never bytes, never content. */
  response?(response: Json): Attributes;
  /** The usage to count as tokens (and, for priced models, cost). */
  usage?(response: Json): UsageMetadataLike | undefined;
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function put(attrs: Attributes, key: string, value: unknown): Attributes {
  if (value !== undefined && value !== null && value !== '') attrs[key] = value as never;
  return attrs;
}

/** Embeddings: tokens from 3.x `usageMetadata`, else (Vertex AI) the sum of each embedding's `statistics.tokenCount`. */
function embeddingUsage(response: Json): UsageMetadataLike | undefined {
  const usage = response?.usageMetadata as UsageMetadataLike | undefined;
  if (usage && num(usage.promptTokenCount) !== undefined) return { promptTokenCount: usage.promptTokenCount };
  let total: number | undefined;
  for (const e of list(response?.embeddings)) {
    const count = num((e as { statistics?: { tokenCount?: unknown } })?.statistics?.tokenCount);
    if (count !== undefined) total = (total ?? 0) + count;
  }
  return total === undefined ? undefined : { promptTokenCount: total };
}

function imageCounts(response: Json): Attributes {
  const images = list(response?.generatedImages);
  const attrs: Attributes = { [sc.ATTR_GCP_GEN_AI_RESPONSE_IMAGE_COUNT]: images.length };
  const filtered = images.filter((i) => typeof (i as { raiFilteredReason?: unknown })?.raiFilteredReason === 'string');
  if (filtered.length > 0) attrs[sc.ATTR_GCP_GEN_AI_RESPONSE_FILTERED_IMAGE_COUNT] = filtered.length;
  return attrs;
}

function imageRequest(params: Params): Attributes {
  const attrs: Attributes = { [sc.ATTR_GEN_AI_OUTPUT_TYPE]: sc.GEN_AI_OUTPUT_TYPE_VALUE_IMAGE };
  put(attrs, sc.ATTR_GCP_GEN_AI_REQUEST_IMAGE_COUNT, num(params?.config?.numberOfImages));
  return attrs;
}

export const OPERATIONS: readonly OperationSpec[] = [
  {
    method: 'embedContentInternal',
    operation: sc.GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
    request: (params) => put({}, sc.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, num(params?.config?.outputDimensionality)),
    response: (response) => {
      const attrs: Attributes = {};
      const first = list(response?.embeddings)[0] as { values?: unknown } | undefined;
      // The dimension the model returned, when the request did not say.
      put(
        attrs,
        sc.ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT,
        Array.isArray(first?.values) ? first.values.length : undefined
      );
      put(attrs, sc.ATTR_GCP_GEN_AI_RESPONSE_EMBEDDING_COUNT, list(response?.embeddings).length);
      return attrs;
    },
    usage: embeddingUsage,
  },
  {
    method: 'generateImagesInternal',
    operation: sc.OPERATION_GENERATE_IMAGES,
    request: imageRequest,
    response: imageCounts,
  },
  { method: 'editImageInternal', operation: sc.OPERATION_EDIT_IMAGE, request: imageRequest, response: imageCounts },
  {
    method: 'upscaleImageInternal',
    operation: sc.OPERATION_UPSCALE_IMAGE,
    request: imageRequest,
    response: imageCounts,
  },
  { method: 'recontextImage', operation: sc.OPERATION_RECONTEXT_IMAGE, request: imageRequest, response: imageCounts },
  {
    method: 'segmentImage',
    operation: sc.OPERATION_SEGMENT_IMAGE,
    response: (response) => put({}, sc.ATTR_GCP_GEN_AI_RESPONSE_MASK_COUNT, list(response?.generatedMasks).length),
  },
  {
    method: 'generateVideosInternal',
    operation: sc.OPERATION_GENERATE_VIDEOS,
    request: (params) => {
      const attrs: Attributes = { [sc.ATTR_GEN_AI_OUTPUT_TYPE]: sc.GCP_GEN_AI_OUTPUT_TYPE_VALUE_VIDEO };
      return put(attrs, sc.ATTR_GCP_GEN_AI_REQUEST_VIDEO_COUNT, num(params?.config?.numberOfVideos));
    },
    // The long-running operation's name: the key to correlate the polling (operations.get) with this span.
    response: (response) =>
      put({}, sc.ATTR_GCP_GEN_AI_OPERATION_ID, typeof response?.name === 'string' ? response.name : undefined),
  },
  {
    method: 'countTokens',
    operation: sc.OPERATION_COUNT_TOKENS,
    optIn: 'tokenCounting',
    response: (response) => put({}, sc.ATTR_GCP_GEN_AI_RESPONSE_TOTAL_TOKENS, num(response?.totalTokens)),
  },
  { method: 'computeTokens', operation: sc.OPERATION_COMPUTE_TOKENS, optIn: 'tokenCounting' },
  // Polling a long-running operation (videos): only when asked for, since an app may poll every few seconds for minutes.
  ...['getVideosOperationInternal', 'fetchPredictVideosOperationInternal'].map((method): OperationSpec => ({
    owner: 'Operations',
    method,
    operation: sc.OPERATION_GET_OPERATION,
    optIn: 'operationPolling',
    request: (params) => {
      const name = (params as { operationName?: unknown } | undefined)?.operationName;
      return put({}, sc.ATTR_GCP_GEN_AI_OPERATION_ID, typeof name === 'string' ? name : undefined);
    },
    response: (response) =>
      put({}, sc.ATTR_GCP_GEN_AI_OPERATION_DONE, typeof response?.done === 'boolean' ? response.done : undefined),
  })),
  // Context caches: the cached token count, so what a cache costs can be put next to the calls that read it.
  {
    owner: 'Caches',
    method: 'create',
    operation: sc.OPERATION_CREATE_CACHE,
    request: cacheRequest,
    response: cacheResponse,
  },
  {
    owner: 'Caches',
    method: 'update',
    operation: sc.OPERATION_UPDATE_CACHE,
    request: cacheRequest,
    response: cacheResponse,
  },
  { owner: 'Caches', method: 'delete', operation: sc.OPERATION_DELETE_CACHE, request: cacheRequest },
];

function cacheRequest(params: Params): Attributes {
  const name = (params as { name?: unknown } | undefined)?.name;
  return put({}, sc.ATTR_GCP_GEN_AI_CACHE_NAME, typeof name === 'string' ? name : undefined);
}

function cacheResponse(response: Json): Attributes {
  const attrs = put({}, sc.ATTR_GCP_GEN_AI_CACHE_NAME, typeof response?.name === 'string' ? response.name : undefined);
  const usage = response?.usageMetadata as { totalTokenCount?: unknown } | undefined;
  put(attrs, sc.ATTR_GCP_GEN_AI_CACHE_TOKEN_COUNT, num(usage?.totalTokenCount));
  put(
    attrs,
    sc.ATTR_GCP_GEN_AI_CACHE_EXPIRE_TIME,
    typeof response?.expireTime === 'string' ? response.expireTime : undefined
  );
  return attrs;
}

/** What an operation needs from the instrumentation. */
export interface OperationHost {
  readonly tracer: Tracer;
  readonly metrics: GenAIMetrics;
  isEnabled(): boolean;
  optedIn(what: 'tokenCounting' | 'operationPolling'): boolean;
  endUser(ctx: Context): Attributes;
  costOf(
    response: GenerateContentResponseLike | undefined,
    requestModel: string | undefined,
    vertexAi: boolean
  ): number | undefined;
}

type AnyFunction = (...args: unknown[]) => unknown;

/** The wrapper of one operation's method. */
export function patchedOperation(host: OperationHost, spec: OperationSpec, original: AnyFunction): AnyFunction {
  return function (this: ModelsLike, ...args: unknown[]): unknown {
    if (!host.isEnabled() || (spec.optIn && !host.optedIn(spec.optIn))) return original.apply(this, args);
    let call: OperationCall;
    try {
      call = new OperationCall(host, spec, this, args[0] as Params);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not start a span`, err);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = context.with(trace.setSpan(context.active(), call.span), () => original.apply(this, args));
    } catch (err) {
      call.end(undefined, { error: err });
      throw err;
    }
    if (!isThenable(result)) {
      call.end(undefined);
      return result;
    }
    // Our reactions never throw (end() catches), so the promise `then` makes never rejects.
    result.then(
      (response) => call.end(response as Json),
      (error: unknown) => call.end(undefined, { error })
    );
    return result;
  };
}

class OperationCall {
  readonly span: Span;
  private readonly attrs: Readonly<Attributes>;
  private readonly startedAt = performance.now();
  private readonly model: string | undefined;

  constructor(
    private readonly host: OperationHost,
    private readonly spec: OperationSpec,
    private readonly models: ModelsLike,
    params: Params
  ) {
    this.model = typeof params?.model === 'string' ? params.model : undefined;
    this.attrs = samplingAttributes(spec.operation, models?.apiClient, this.model);
    const user = host.endUser(context.active());
    const start = Object.keys(user).length > 0 ? { ...this.attrs, ...user } : this.attrs;
    this.span = host.tracer.startSpan(spanName(spec.operation, this.model), {
      kind: SpanKind.CLIENT,
      attributes: start,
    });
    try {
      if (this.span.isRecording() && spec.request) this.span.setAttributes(spec.request(params));
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not read the request`, err);
    }
  }

  end(response: Json, failure?: { error: unknown }): void {
    let extra: Attributes = {};
    try {
      const usage = response ? this.spec.usage?.(response) : undefined;
      const totals = usageTotals(usage);
      const vertexAi = this.attrs[sc.ATTR_GEN_AI_PROVIDER_NAME] === sc.GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI;
      const sets = metricAttributes(this.attrs, modelVersionOf(response as GenerateContentResponseLike));
      const m = this.host.metrics;
      const duration = (performance.now() - this.startedAt) / 1000;
      if (failure) {
        m.operationDuration.record(duration, { ...sets.base, [sc.ATTR_ERROR_TYPE]: errorType(failure.error) });
      } else {
        m.operationDuration.record(duration, sets.base);
      }
      if (totals.input !== undefined) {
        m.tokenUsage.record(totals.input, sets.input);
        extra[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = totals.input;
        const cost = this.host.costOf({ usageMetadata: usage } as GenerateContentResponseLike, this.model, vertexAi);
        if (cost !== undefined) {
          extra[sc.ATTR_GEN_AI_COST_USD] = cost;
          m.cost.add(cost, sets.countersKey, sets.counters);
        }
      }
      if (response && this.span.isRecording() && this.spec.response)
        extra = { ...this.spec.response(response), ...extra };
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record a ${this.spec.operation} call`, err);
    }
    if (failure) endSpanWithError(this.span, failure.error, extra, undefined, apiKeyOf(this.models?.apiClient));
    else endSpanWithResponse(this.span, undefined, extra);
  }
}
