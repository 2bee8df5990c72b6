/*
 * Everything recorded for one model round trip, streamed or not: its span,
 * its metrics (recorded whether or not the span is sampled), its cost, and
 * what it adds to a function-calling loop and to manual-loop links.
 */
import { context, diag, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { ContentCapture } from './config.js';
import type { AgentRun } from './agent.js';
import { activeAgentRun } from './agent.js';
import {
  answeredCallsOf,
  errorType,
  functionCallsOf,
  modelVersionOf,
  NO_CALLS,
  requestAttributes,
  responseAttributes,
  samplingAttributes,
  StreamedResponse,
  usageTotals,
} from './attributes.js';
import {
  inputMessages,
  outputMessages,
  recordMessages,
  recordSystemInstructions,
  systemInstructions,
  toolDefinitions,
} from './content.js';
import type {
  FunctionCallLike,
  GenerateContentParametersLike,
  GenerateContentResponseLike,
  ModelsLike,
} from './internal-types.js';
import type { FunctionCallLinks } from './links.js';
import type { GenAIMetrics } from './metrics.js';
import { endSpanWithError, endSpanWithResponse, startGenerateContentSpan } from './record.js';
import { apiKeyOf } from './secrets.js';
import * as sc from './semconv.js';

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';

/** What a round trip needs from the instrumentation. */
export interface RoundTripHost {
  readonly tracer: Tracer;
  readonly metrics: GenAIMetrics;
  readonly links: FunctionCallLinks;
  /** Where content goes; undefined when it is not captured at all (the default). */
  contentCapture(): ContentCapture | undefined;
  /** Who the call is for (enduser.id hashed, role, plan), from the app's callback and baggage. */
  endUser(ctx: Context): Attributes;
  /** Emits a log event (the `gen_ai.client.inference.operation.details` event) in `ctx`. */
  emitEvent(name: string, attributes: Attributes, ctx: Context): void;
  /** USD for this usage at the model's list price; undefined for an unknown model (reported once). */
  costOf(
    response: GenerateContentResponseLike | undefined,
    requestModel: string | undefined,
    vertexAi: boolean
  ): number | undefined;
}

export class RoundTrip {
  /** performance.now() when the SDK was asked. */
  readonly startedAt = performance.now();
  readonly span: Span;
  readonly run: AgentRun | undefined;
  /** operation, provider, request model, server address and port: the span's first and the metrics' base attributes. */
  private readonly attrs: Readonly<Attributes>;
  private readonly vertexAi: boolean;
  /** The client's API client: its key is scrubbed from a failure's message. */
  private readonly apiClient: ModelsLike['apiClient'];
  /** Content capture for this round trip, when any (span, event or both). */
  private readonly capture?: ContentCapture;
  /** The request's content attributes, when captured. */
  private inputContent?: Attributes;
  /** enduser.* of the call (empty when unknown). */
  private readonly user: Attributes;
  /** The request attributes, kept for the event (event capture only). */
  private requestAttrs?: Attributes;
  private chunkAttrs?: Attributes;
  private lastChunkAt = 0;

  constructor(
    private readonly host: RoundTripHost,
    models: ModelsLike | undefined,
    params: GenerateContentParametersLike | undefined,
    stream: boolean
  ) {
    const model = typeof params?.model === 'string' ? params.model : undefined;
    this.attrs = samplingAttributes(sc.GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT, models?.apiClient, model);
    this.apiClient = models?.apiClient;
    this.vertexAi = this.attrs[sc.ATTR_GEN_AI_PROVIDER_NAME] === sc.GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI;
    const parent = context.active();
    // A request answering function calls of an earlier round trip links to it.
    const answered = answeredCallsOf(params);
    const links =
      answered.length > 0 ? host.links.answered(trace.getSpanContext(parent)?.traceId, answered) : undefined;
    this.run = activeAgentRun(parent);
    this.user = host.endUser(parent);
    this.run?.roundStarted(params, answered.length);
    // At start, so a sampler can keep, say, enduser.role = qa. (The SDK copies span attributes.)
    const startAttrs = Object.keys(this.user).length > 0 ? { ...this.attrs, ...this.user } : this.attrs;
    this.span = startGenerateContentSpan(host.tracer, startAttrs, params, stream, links);
    // From here on the span exists: nothing may keep it from ending.
    try {
      const capture = host.contentCapture();
      const onSpan = capture?.onSpans === true && this.span.isRecording();
      if (capture && (onSpan || capture.onEvents)) {
        this.capture = { ...capture, onSpans: onSpan };
        this.inputContent = this.readInput(params, this.capture);
        if (onSpan) this.span.setAttributes(this.inputContent);
        if (capture.onEvents) {
          this.requestAttrs = requestAttributes(params);
          if (stream) this.requestAttrs[sc.ATTR_GEN_AI_REQUEST_STREAM] = true;
        }
      }
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record the request`, err);
    }
  }

  /** The request's messages, system instruction and tools (content capture only). */
  private readInput(params: GenerateContentParametersLike | undefined, capture: ContentCapture): Attributes {
    const attrs: Attributes = {};
    const limit = capture.maxLength;
    try {
      const input = recordMessages(inputMessages(params?.contents, limit), capture, sc.ATTR_GEN_AI_INPUT_MESSAGES);
      if (input !== undefined) attrs[sc.ATTR_GEN_AI_INPUT_MESSAGES] = input;
      const system = systemInstructions(params?.config?.systemInstruction, limit);
      const recordedSystem = system ? recordSystemInstructions(system, capture) : undefined;
      if (recordedSystem !== undefined) attrs[sc.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = recordedSystem;
      const tools = toolDefinitions(params?.config?.tools, limit);
      if (tools) attrs[sc.ATTR_GEN_AI_TOOL_DEFINITIONS] = JSON.stringify(tools);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record the request's content`, err);
    }
    return attrs;
  }

  /**
   * The `gen_ai.client.inference.operation.details` event: the span's
   * attributes and the content, correlated with the span (its context).
   */
  private emitDetails(
    response: GenerateContentResponseLike | undefined,
    failure: unknown,
    extra: Attributes | undefined
  ): void {
    const attrs: Attributes = {
      ...this.attrs,
      ...this.user,
      ...this.requestAttrs,
      ...responseAttributes(response),
      ...extra,
      ...this.inputContent,
    };
    if (failure) attrs[sc.ATTR_ERROR_TYPE] = errorType((failure as { error: unknown }).error);
    this.host.emitEvent(sc.EVENT_INFERENCE_OPERATION_DETAILS, attrs, trace.setSpan(context.active(), this.span));
  }

  /** Whether this round trip records content (on its span, as an event, or both): a stream then keeps its parts. */
  get capturesContent(): boolean {
    return this.capture !== undefined;
  }

  /** A stream chunk reached the app at `t`: the time since the previous one is a metric point. */
  chunk(value: GenerateContentResponseLike | undefined, t: number): void {
    if (this.lastChunkAt === 0) {
      this.chunkAttrs = metricAttributes(this.attrs, modelVersionOf(value)).base;
    } else {
      this.host.metrics.timePerOutputChunk.record((t - this.lastChunkAt) / 1000, this.chunkAttrs);
    }
    this.lastChunkAt = t;
  }

  /**
   * The round trip ended: with a response (or a stream's summary); `failure`
   * when it failed. `endedAt` (performance.now()) when it ended before now: a
   * completed stream ends at its last chunk.
   */
  end(
    response: GenerateContentResponseLike | StreamedResponse | undefined,
    failure?: { error: unknown },
    spanExtra?: Attributes,
    timeToFirstChunk?: number,
    endedAt?: number
  ): void {
    let cost: number | undefined;
    let extra = spanExtra;
    try {
      // Never the SDK's own `functionCalls` getter: it warns on the console.
      const calls: readonly FunctionCallLike[] =
        response instanceof StreamedResponse ? (response.functionCalls ?? NO_CALLS) : functionCallsOf(response);
      const requestModel = this.attrs[sc.ATTR_GEN_AI_REQUEST_MODEL] as string | undefined;
      cost = response?.usageMetadata ? this.host.costOf(response, requestModel, this.vertexAi) : undefined;
      if (cost !== undefined) extra = { ...extra, [sc.ATTR_GEN_AI_COST_USD]: cost };
      if (this.capture) {
        let output: Attributes | undefined;
        if (response) {
          const whole = response instanceof StreamedResponse ? response.asResponse() : response;
          const recorded = recordMessages(
            outputMessages(whole, this.capture.maxLength),
            this.capture,
            sc.ATTR_GEN_AI_OUTPUT_MESSAGES
          );
          if (recorded !== undefined) output = { [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: recorded };
        }
        if (this.capture.onEvents) this.emitDetails(response, failure, { ...extra, ...output });
        if (this.capture.onSpans) extra = { ...extra, ...output };
      }
      this.recordMetrics(response, failure, cost, timeToFirstChunk, endedAt);
      if (calls.length > 0) this.host.links.asked(this.span.spanContext(), calls);
      this.run?.roundEnded(response?.usageMetadata, calls.length, cost);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record a round trip`, err);
    }
    // A stream that failed still shows what it said before.
    if (failure) {
      let partial = extra;
      try {
        if (this.span.isRecording()) partial = { ...responseAttributes(response), ...extra };
      } catch (err) {
        diag.warn(`${LOG_PREFIX} could not read what a failed stream said`, err);
      }
      endSpanWithError(this.span, failure.error, partial, endedAt, apiKeyOf(this.apiClient));
    } else endSpanWithResponse(this.span, response, extra, endedAt);
  }

  private recordMetrics(
    response: GenerateContentResponseLike | undefined,
    failure: { error: unknown } | undefined,
    cost: number | undefined,
    timeToFirstChunk: number | undefined,
    endedAt = performance.now()
  ): void {
    const m = this.host.metrics;
    const sets = metricAttributes(this.attrs, modelVersionOf(response));
    const duration = (endedAt - this.startedAt) / 1000;
    if (failure) {
      m.operationDuration.record(duration, { ...sets.base, [sc.ATTR_ERROR_TYPE]: errorType(failure.error) });
    } else {
      m.operationDuration.record(duration, sets.base);
    }
    if (timeToFirstChunk !== undefined) m.timeToFirstChunk.record(timeToFirstChunk, sets.base);
    const usage = usageTotals(response?.usageMetadata);
    if (usage.input !== undefined) m.tokenUsage.record(usage.input, sets.input);
    if (usage.output !== undefined) m.tokenUsage.record(usage.output, sets.output);
    const candidates = response?.candidates;
    if (Array.isArray(candidates)) {
      // A stream's summary keeps its candidates by index: the array may have holes.
      for (let i = 0; i < candidates.length; i++) {
        const reason = candidates[i]?.finishReason;
        if (typeof reason === 'string' && reason) {
          m.finishReasons.add(1, sets.countersKey, sets.counters, reason);
        }
      }
    }
    if (cost !== undefined) {
      // Cost per (hashed) user: the one metric that carries enduser.id.
      const user = this.user[sc.ATTR_ENDUSER_ID];
      m.cost.add(cost, sets.countersKey, sets.counters, user === undefined ? '' : String(user));
    }
  }
}

/** The attribute sets of one round trip's metric points. */
export interface MetricAttributeSets {
  /** Operation, provider, request model, server, response model. */
  readonly base: Attributes;
  readonly input: Attributes;
  readonly output: Attributes;
  /** Operation, provider, request and response model: the cost and finish-reason counters' set (no server, to keep them small). */
  readonly counters: Attributes;
  /** That set's content as a string: equal sets from different clients share one total. */
  readonly countersKey: string;
}

// Built once per (sampling attributes, response model) and shared by every call that has them.
const metricAttributeSets = new WeakMap<Readonly<Attributes>, Map<string, MetricAttributeSets>>();

export function metricAttributes(attrs: Readonly<Attributes>, responseModel: string | undefined): MetricAttributeSets {
  let byModel = metricAttributeSets.get(attrs);
  if (!byModel) metricAttributeSets.set(attrs, (byModel = new Map()));
  const key = responseModel ?? '';
  let sets = byModel.get(key);
  if (!sets) {
    const base: Attributes = responseModel
      ? { ...attrs, [sc.ATTR_GEN_AI_RESPONSE_MODEL]: responseModel }
      : { ...attrs };
    const counters: Attributes = {
      [sc.ATTR_GEN_AI_OPERATION_NAME]: base[sc.ATTR_GEN_AI_OPERATION_NAME],
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: base[sc.ATTR_GEN_AI_PROVIDER_NAME],
    };
    if (base[sc.ATTR_GEN_AI_REQUEST_MODEL]) counters[sc.ATTR_GEN_AI_REQUEST_MODEL] = base[sc.ATTR_GEN_AI_REQUEST_MODEL];
    if (responseModel) counters[sc.ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
    sets = Object.freeze({
      base: Object.freeze(base),
      input: Object.freeze({ ...base, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_VALUE_INPUT }),
      output: Object.freeze({ ...base, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_VALUE_OUTPUT }),
      counters: Object.freeze(counters),
      countersKey: JSON.stringify(Object.entries(counters).sort()),
    });
    // Bounded: response models come from the server.
    if (byModel.size < 64) byModel.set(key, sets);
  }
  return sets;
}
