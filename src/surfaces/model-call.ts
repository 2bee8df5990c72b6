/*
 * The shape most SDK surfaces share: one call, one HTTP round trip, one
 * CLIENT span named `{operation} {model}`, ended when the promise settles,
 * with the duration and (when the response has usage) token and cost metrics.
 * A surface of this shape is only its declaration and its pure mappers:
 *
 *   export const embeddings = modelCall({ owner: 'Models', method: 'embedContentInternal', operation: ..., request, response, usage });
 */
import { context, SpanKind, trace, type Attributes, type Context } from '@opentelemetry/api';
import { modelVersionOf, spanName, usageTotals } from '../mapping/attributes.js';
import { SERVICE_TIER_STANDARD } from '../mapping/cost.js';
import { hasEndUser } from '../mapping/enduser.js';
import { apiKeyOf } from '../mapping/secrets.js';
import type { GenerateContentResponseLike, ModelsLike, UsageMetadataLike } from '../internal-types.js';
import type { OptIn, Settings } from '../core/settings.js';
import { isVertexAi, type Telemetry } from '../core/telemetry.js';
import { CallSpan, quietly, type TracedCall } from '../core/traced-call.js';
import * as sc from '../semconv.js';
import type { Instrumented, SdkClass, Surface } from './surface.js';

export type Params = { model?: unknown; config?: Record<string, unknown> } | undefined;
export type Json = Record<string, unknown> | undefined;

export interface ModelCallSpec {
  readonly owner: SdkClass;
  readonly method: string;
  /** `gen_ai.operation.name`: a value of the conventions where one fits, else ours (README, Semantic Conventions). */
  readonly operation: string;
  readonly optIn?: OptIn;
  /** The model the call is for, when it is not `params.model` (a tuning job's base model). */
  model?(params: Params): string | undefined;
  /** Request attributes, for a recording span. */
  request?(params: Params): Attributes;
  /** Response attributes, for a recording span. Never bytes, never content. */
  response?(response: Json): Attributes;
  /** The usage to count as tokens (and, for priced models, cost). */
  usage?(response: Json): UsageMetadataLike | undefined;
}

export function modelCall(spec: ModelCallSpec): Surface {
  return {
    owner: spec.owner,
    method: spec.method,
    operation: spec.operation,
    optIn: spec.optIn,
    start: (at, self, args) => new ModelCall(at, spec, self as ModelsLike, args[0] as Params),
  };
}

class ModelCall implements TracedCall {
  readonly context: Context;
  private readonly call: CallSpan;
  private readonly attrs: Readonly<Attributes>;
  private readonly model: string | undefined;
  private readonly telemetry: Telemetry;
  private readonly settings: Settings;

  constructor(
    at: Instrumented,
    private readonly spec: ModelCallSpec,
    private readonly models: ModelsLike,
    params: Params
  ) {
    this.telemetry = at.telemetry;
    this.settings = at.settings;
    const model = spec.model ? spec.model(params) : params?.model;
    this.model = typeof model === 'string' ? model : undefined;
    this.attrs = this.telemetry.samplingAttributes(spec.operation, models?.apiClient, this.model);
    const parent = context.active();
    const user = this.telemetry.endUser(parent, this.settings);
    const span = this.telemetry.tracer.startSpan(spanName(spec.operation, this.model), {
      kind: SpanKind.CLIENT,
      attributes: hasEndUser(user) ? { ...this.attrs, ...user } : this.attrs,
    });
    this.call = new CallSpan(span);
    this.context = trace.setSpan(parent, span);
    quietly('read the request', () => {
      if (span.isRecording() && spec.request) span.setAttributes(spec.request(params));
    });
  }

  succeeded(response: unknown): void {
    this.end(response as Json);
  }

  failed(error: unknown): void {
    this.end(undefined, { error });
  }

  private end(response: Json, failure?: { error: unknown }): void {
    let extra: Attributes = {};
    let base: Attributes | undefined;
    quietly(`record a ${this.spec.operation} call`, () => {
      const usage = response ? this.spec.usage?.(response) : undefined;
      const totals = usageTotals(usage);
      const sets = this.telemetry.metricAttributes(this.attrs, modelVersionOf(response as GenerateContentResponseLike));
      base = sets.base;
      const m = this.telemetry.metrics;
      if (totals.input !== undefined) {
        m.tokenUsage.record(totals.input, sets.input);
        extra[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = totals.input;
        const response = { usageMetadata: usage } as GenerateContentResponseLike;
        const cost = this.telemetry.costOf(response, this.model, isVertexAi(this.attrs), this.settings);
        if (cost !== undefined) {
          extra[sc.ATTR_GEN_AI_COST_USD] = cost;
          this.telemetry.addCost(sets, SERVICE_TIER_STANDARD, '', cost);
        }
      }
      if (response && this.call.span.isRecording() && this.spec.response)
        extra = { ...this.spec.response(response), ...extra };
    });
    this.call.finish({
      error: failure?.error,
      failed: failure !== undefined,
      attributes: extra,
      duration: base && { histogram: this.telemetry.metrics.operationDuration, attributes: base },
      apiKey: failure ? apiKeyOf(this.models?.apiClient) : undefined,
    });
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A non-negative integer, else undefined. */
export const count = (v: unknown): number | undefined => (isCount(v) ? v : undefined);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Sets `key` when `value` says something (not undefined, null or ''). */
export function put(attrs: Attributes, key: string, value: unknown): Attributes {
  if (value !== undefined && value !== null && value !== '') attrs[key] = value as never;
  return attrs;
}
