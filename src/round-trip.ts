/*
 * Everything recorded for one model round trip, streamed or not: its span,
 * its metrics (recorded whether or not the span is sampled), its cost, and
 * what it adds to a function-calling loop and to manual-loop links.
 */
import { context, diag, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { AgentRun } from './agent.js';
import { activeAgentRun } from './agent.js';
import {
  answeredCallsOf,
  errorType,
  functionCallsOf,
  responseAttributes,
  samplingAttributes,
  StreamedResponse,
  usageTotals,
} from './attributes.js';
import { inputMessages, outputMessages, systemInstructions, toolDefinitions } from './content.js';
import type {
  FunctionCallLike,
  GenerateContentParametersLike,
  GenerateContentResponseLike,
  ModelsLike,
} from './internal-types.js';
import type { FunctionCallLinks } from './links.js';
import type { GenAIMetrics } from './metrics.js';
import { endSpanWithError, endSpanWithResponse, startGenerateContentSpan } from './record.js';
import * as sc from './semconv.js';

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';

/** What a round trip needs from the instrumentation. */
export interface RoundTripHost {
  readonly tracer: Tracer;
  readonly metrics: GenAIMetrics;
  readonly links: FunctionCallLinks;
  /** Max length of recorded content; undefined when content is not captured on spans. */
  contentLimit(): number | undefined;
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
  private readonly attrs: Attributes;
  private readonly vertexAi: boolean;
  /** Max length of each recorded text when content goes on the span, else undefined. */
  readonly contentLimit: number | undefined;
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
    this.vertexAi = this.attrs[sc.ATTR_GEN_AI_PROVIDER_NAME] === sc.GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI;
    const parent = context.active();
    // A request answering function calls of an earlier round trip links to it.
    const answered = answeredCallsOf(params);
    const links =
      answered.length > 0 ? host.links.answered(trace.getSpanContext(parent)?.traceId, answered) : undefined;
    this.run = activeAgentRun(parent);
    this.run?.roundStarted(params, answered.length);
    // The SDK copies span attributes: no copy of ours needed.
    this.span = startGenerateContentSpan(host.tracer, this.attrs, params, stream, links);
    this.contentLimit = this.span.isRecording() ? host.contentLimit() : undefined;
    if (this.contentLimit !== undefined) this.recordInput(params, this.contentLimit);
  }

  /** The request's messages, system instruction and tools, on the span (content capture only). */
  private recordInput(params: GenerateContentParametersLike | undefined, limit: number): void {
    try {
      const attrs: Attributes = {
        [sc.ATTR_GEN_AI_INPUT_MESSAGES]: JSON.stringify(inputMessages(params?.contents, limit)),
      };
      const system = systemInstructions(params?.config?.systemInstruction, limit);
      if (system) attrs[sc.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(system);
      const tools = toolDefinitions(params?.config?.tools, limit);
      if (tools) attrs[sc.ATTR_GEN_AI_TOOL_DEFINITIONS] = JSON.stringify(tools);
      this.span.setAttributes(attrs);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record the request's content`, err);
    }
  }

  /** A stream chunk reached the app at `t`: the time since the previous one is a metric point. */
  chunk(value: GenerateContentResponseLike | undefined, t: number): void {
    if (this.lastChunkAt === 0) {
      const model = value?.modelVersion;
      this.chunkAttrs = model ? { ...this.attrs, [sc.ATTR_GEN_AI_RESPONSE_MODEL]: model } : this.attrs;
    } else {
      this.host.metrics.timePerOutputChunk.record((t - this.lastChunkAt) / 1000, this.chunkAttrs);
    }
    this.lastChunkAt = t;
  }

  /** The round trip ended: with a response (or a stream's summary); `failure` when it failed. */
  end(
    response: GenerateContentResponseLike | StreamedResponse | undefined,
    failure?: { error: unknown },
    spanExtra?: Attributes,
    timeToFirstChunk?: number
  ): void {
    let cost: number | undefined;
    let extra = spanExtra;
    try {
      const calls: FunctionCallLike[] =
        (response as StreamedResponse | undefined)?.functionCalls ?? functionCallsOf(response);
      const requestModel = this.attrs[sc.ATTR_GEN_AI_REQUEST_MODEL] as string | undefined;
      cost = response?.usageMetadata ? this.host.costOf(response, requestModel, this.vertexAi) : undefined;
      if (cost !== undefined) extra = { ...extra, [sc.ATTR_GEN_AI_COST_USD]: cost };
      if (this.contentLimit !== undefined && response) {
        const whole = response instanceof StreamedResponse ? response.asResponse() : response;
        extra = {
          ...extra,
          [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: JSON.stringify(outputMessages(whole, this.contentLimit)),
        };
      }
      this.recordMetrics(response, failure, cost, timeToFirstChunk);
      if (calls.length > 0) this.host.links.asked(this.span.spanContext(), calls);
      this.run?.roundEnded(response?.usageMetadata, calls.length, cost);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record a round trip`, err);
    }
    // A stream that failed still shows what it said before.
    if (failure) endSpanWithError(this.span, failure.error, { ...responseAttributes(response), ...extra });
    else endSpanWithResponse(this.span, response, extra);
  }

  private recordMetrics(
    response: GenerateContentResponseLike | undefined,
    failure: { error: unknown } | undefined,
    cost: number | undefined,
    timeToFirstChunk: number | undefined
  ): void {
    const m = this.host.metrics;
    const attrs: Attributes = { ...this.attrs };
    if (response?.modelVersion) attrs[sc.ATTR_GEN_AI_RESPONSE_MODEL] = response.modelVersion;
    if (failure) {
      m.operationDuration.record((performance.now() - this.startedAt) / 1000, {
        ...attrs,
        [sc.ATTR_ERROR_TYPE]: errorType(failure.error),
      });
    } else {
      m.operationDuration.record((performance.now() - this.startedAt) / 1000, attrs);
    }
    if (timeToFirstChunk !== undefined) m.timeToFirstChunk.record(timeToFirstChunk, attrs);
    const usage = usageTotals(response?.usageMetadata);
    if (usage.input !== undefined) {
      m.tokenUsage.record(usage.input, { ...attrs, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_VALUE_INPUT });
    }
    if (usage.output !== undefined) {
      m.tokenUsage.record(usage.output, { ...attrs, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_VALUE_OUTPUT });
    }
    if (cost !== undefined) {
      const costAttrs: Attributes = {
        [sc.ATTR_GEN_AI_OPERATION_NAME]: attrs[sc.ATTR_GEN_AI_OPERATION_NAME],
        [sc.ATTR_GEN_AI_PROVIDER_NAME]: attrs[sc.ATTR_GEN_AI_PROVIDER_NAME],
      };
      if (attrs[sc.ATTR_GEN_AI_REQUEST_MODEL])
        costAttrs[sc.ATTR_GEN_AI_REQUEST_MODEL] = attrs[sc.ATTR_GEN_AI_REQUEST_MODEL];
      if (attrs[sc.ATTR_GEN_AI_RESPONSE_MODEL])
        costAttrs[sc.ATTR_GEN_AI_RESPONSE_MODEL] = attrs[sc.ATTR_GEN_AI_RESPONSE_MODEL];
      m.cost.add(cost, costAttrs);
    }
  }
}
