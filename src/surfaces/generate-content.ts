/*
 * The generate_content surface: one CLIENT span per HTTP round trip of a
 * model call, streamed or not, on `Models.prototype.generateContentInternal`
 * and `generateContentStreamInternal` (private, unchanged from 1.0 to 3.x):
 * every public path (`generateContent`, `chat.sendMessage`, each hop of
 * automatic function calling, each request of a 3.x continuation) calls one
 * of them exactly once per HTTP request, so chats never nest and clients
 * made before `enable()` are covered.
 *
 * A round trip records its span, its metrics (whether or not the span is
 * sampled), its cost, what it adds to a function-calling loop and to
 * manual-loop links, and, for a stream, what the chunks said (StreamedResponse).
 */
import { context, diag, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { ContentCapture } from '../mapping/capture.js';
import type { AgentRun } from '../core/agent-run.js';
import { activeAgentRun } from '../core/agent-run.js';
import {
  answeredCallsOf,
  continues,
  errorType,
  finishReasons,
  functionCallsOf,
  modelVersionOf,
  NO_CALLS,
  requestAttributes,
  requestServiceTier,
  responseAttributes,
  responseServiceTier,
  inputTokens,
  outputTokens,
} from '../mapping/attributes.js';
import { SERVICE_TIER_STANDARD } from '../mapping/cost.js';
import {
  inputMessages,
  outputMessages,
  recordMessages,
  recordSystemInstructions,
  systemInstructions,
  toolDefinitions,
} from '../mapping/content.js';
import type {
  CandidateLike,
  FunctionCallLike,
  GenerateContentParametersLike,
  GenerateContentResponseLike,
  ModelsLike,
  PartLike,
  UsageMetadataLike,
} from '../internal-types.js';
import { startGenerateContentSpan } from '../core/record.js';
import type { MetricAttributeSets } from '../core/metrics.js';
import type { Settings } from '../core/settings.js';
import type { StreamSink } from '../core/stream.js';
import { isVertexAi, type Telemetry } from '../core/telemetry.js';
import { CallSpan, type TracedCall } from '../core/traced-call.js';
import { hasEndUser } from '../mapping/enduser.js';
import { apiKeyOf } from '../mapping/secrets.js';
import * as sc from '../semconv.js';
import type { Instrumented, Surface } from './surface.js';

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';

export const generateContent: Surface = {
  owner: 'Models',
  method: 'generateContentInternal',
  operation: sc.GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
  start: (at, self, args) => new RoundTrip(at, self as ModelsLike, args[0] as GenerateContentParametersLike, false),
};

/**
 * Resolves, once the response headers are in, to the SDK's async iterator (an
 * HTTP error rejects here); the round trip lives on in the iterator we hand
 * back, until the stream ends one way or another (core/stream.ts). Streams of
 * unsampled spans are wrapped too: their metrics are still recorded.
 */
export const generateContentStream: Surface = {
  owner: 'Models',
  method: 'generateContentStreamInternal',
  operation: sc.GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
  start: (at, self, args) => new RoundTrip(at, self as ModelsLike, args[0] as GenerateContentParametersLike, true),
};

/** A round trip that is not a `generate_content`: its operation, span name, and what else a sampler should see. */
export interface RoundTripKind {
  operation: string;
  spanName: string;
  attributes?: Attributes;
  /** false: no cost, whatever the usage (a managed agent: no model to price). */
  priced?: boolean;
}

export class RoundTrip implements TracedCall {
  readonly span: Span;
  readonly context: Context;
  readonly run: AgentRun | undefined;
  private readonly call: CallSpan;
  private readonly telemetry: Telemetry;
  private readonly settings: Settings;
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
  /** `config.serviceTier`, when the request names one. */
  private readonly requestTier: string | undefined;
  /** Candidates the request asked for: a failed or cut-short round trip reports `error` at each. */
  private readonly expectedCandidates: number;
  /** 3.x continuation: the token this round trip resumes from, and its hop index once known. */
  private readonly resumedFrom: string | undefined;
  private hop: number | undefined;

  constructor(
    at: Instrumented,
    models: ModelsLike | undefined,
    params: GenerateContentParametersLike | undefined,
    private readonly stream: boolean,
    /** Another kind of round trip of the same shape (the Interactions API's agent runs and fetches). */
    private readonly kind?: RoundTripKind
  ) {
    const { telemetry, settings } = at;
    this.telemetry = telemetry;
    this.settings = settings;
    const model = typeof params?.model === 'string' ? params.model : undefined;
    const site = telemetry.callSite(
      kind?.operation ?? sc.GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
      models?.apiClient,
      model
    );
    this.attrs = site.attrs;
    this.apiClient = models?.apiClient;
    this.vertexAi = isVertexAi(this.attrs);
    const parent = context.active();
    // A request answering function calls of an earlier round trip links to it.
    const answered = answeredCallsOf(params);
    let links =
      answered.length > 0 ? telemetry.links.answered(trace.getSpanContext(parent)?.traceId, answered) : undefined;
    const config = params?.config;
    this.requestTier = requestServiceTier(params);
    const n = config?.candidateCount;
    this.expectedCandidates = typeof n === 'number' && Number.isInteger(n) && n > 1 && n < 1024 ? n : 1;
    // A continued generation (3.x sets `continuationToken` on each request after the first): link to the hop before.
    const token = config?.continuationToken;
    this.resumedFrom = typeof token === 'string' && token ? token : undefined;
    const previous = this.resumedFrom ? telemetry.continuations.previous(this.resumedFrom) : undefined;
    if (previous) {
      this.hop = previous.index + 1;
      (links ??= []).push({ context: previous.span });
    }
    this.run = activeAgentRun(parent);
    this.user = telemetry.endUser(parent, settings);
    this.run?.roundStarted(params, answered.length);
    // At start, so a sampler can keep, say, enduser.role = qa. (The SDK copies span attributes.)
    const startAttrs =
      hasEndUser(this.user) || kind?.attributes ? { ...this.attrs, ...kind?.attributes, ...this.user } : this.attrs;
    this.span = startGenerateContentSpan(
      telemetry.tracer,
      kind?.spanName ?? site.spanName,
      startAttrs,
      params,
      stream,
      links
    );
    this.call = new CallSpan(this.span);
    if (this.resumedFrom) {
      // A retry from the same token is the next hop too: it follows this one.
      telemetry.continuations.resumed(this.resumedFrom, this.span.spanContext(), this.hop ?? 0);
      if (this.hop !== undefined) this.span.setAttribute(sc.ATTR_GCP_GEN_AI_CONTINUATION_INDEX, this.hop);
    }
    this.context = trace.setSpan(parent, this.span);
    if (stream) telemetry.watchShutdown();
    // From here on the span exists: nothing may keep it from ending.
    try {
      const capture = settings.capture;
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
  private emitDetails(failure: unknown, ended: Attributes): void {
    const attrs: Attributes = {
      ...this.attrs,
      ...this.user,
      ...this.requestAttrs,
      ...ended,
      ...this.inputContent,
    };
    if (failure) attrs[sc.ATTR_ERROR_TYPE] = errorType((failure as { error: unknown }).error);
    this.telemetry.emitEvent(sc.EVENT_INFERENCE_OPERATION_DETAILS, attrs, trace.setSpan(context.active(), this.span));
  }

  /** Whether this round trip records content (on its span, as an event, or both): a stream then keeps its parts. */
  get capturesContent(): boolean {
    return this.capture !== undefined;
  }

  /** A stream chunk reached the app at `t`: the time since the previous one is a metric point. */
  chunk(value: GenerateContentResponseLike | undefined, t: number): void {
    if (this.lastChunkAt === 0) {
      this.chunkAttrs = this.telemetry.metricAttributes(this.attrs, modelVersionOf(value)).base;
    } else {
      this.telemetry.metrics.timePerOutputChunk.record((t - this.lastChunkAt) / 1000, this.chunkAttrs);
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
    endedAt?: number,
    incomplete = false
  ): void {
    if (this.call.isEnded) return;
    /** The span's closing attributes (and the details event's): built only for a span that records, or for the event. */
    let attrs: Attributes | undefined;
    let sets: MetricAttributeSets | undefined;
    try {
      const usage = response?.usageMetadata;
      sets = this.telemetry.metricAttributes(this.attrs, modelVersionOf(response));
      // Priced at the tier that served the call when the response says, else the one asked for.
      const tier = responseServiceTier(usage) ?? this.requestTier ?? SERVICE_TIER_STANDARD;
      const cost =
        usage && this.kind?.priced !== false
          ? this.telemetry.costOf(
              response,
              this.attrs[sc.ATTR_GEN_AI_REQUEST_MODEL] as string | undefined,
              this.vertexAi,
              this.settings,
              tier,
              // The price in force when the round trip started.
              this.call.startedAt,
              sets
            )
          : undefined;
      const continuation = this.continuation(response);
      if (this.span.isRecording() || this.capture?.onEvents) {
        // One object: what the response says, then what we measured over it.
        attrs = responseAttributes(response);
        if (spanExtra) Object.assign(attrs, spanExtra);
        if (cost !== undefined) attrs[sc.ATTR_GEN_AI_COST_USD] = cost;
        if (continuation) Object.assign(attrs, continuation);
        // Incomplete (failed, cut short, abandoned): `error` where a finish reason never came.
        if (failure || incomplete) {
          const reasons = finishReasons(response, this.expectedCandidates);
          if (reasons.length > 0) attrs[sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
        }
      }
      if (this.capture) this.recordOutput(this.capture, response, failure, attrs);
      this.recordMetrics(sets, response, cost, tier, timeToFirstChunk);
      // Never the SDK's own `functionCalls` getter: it warns on the console.
      const calls: readonly FunctionCallLike[] =
        response instanceof StreamedResponse ? (response.functionCalls ?? NO_CALLS) : functionCallsOf(response);
      if (calls.length > 0) this.telemetry.links.asked(this.span.spanContext(), calls);
      this.run?.roundEnded(usage, calls.length, cost);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record a round trip`, err);
    }
    // The span records what it was given: `attrs` holds the response's attributes (a failed stream's too: what it said before).
    if (failure) {
      this.call.finish({
        error: failure.error,
        failed: true,
        attributes: attrs,
        endedAt,
        duration: sets && { histogram: this.telemetry.metrics.operationDuration, attributes: sets.base },
        apiKey: apiKeyOf(this.apiClient),
      });
    } else this.call.succeed(attrs, endedAt, sets && this.telemetry.metrics.operationDuration, sets?.base);
  }

  /** The answer's content (capture only): on the details event, and on the span's closing attributes when captured there. */
  private recordOutput(
    capture: ContentCapture,
    response: GenerateContentResponseLike | StreamedResponse | undefined,
    failure: { error: unknown } | undefined,
    attrs: Attributes | undefined
  ): void {
    let output: Attributes | undefined;
    if (response) {
      const whole = response instanceof StreamedResponse ? response.asResponse() : response;
      const recorded = recordMessages(
        outputMessages(whole, capture.maxLength),
        capture,
        sc.ATTR_GEN_AI_OUTPUT_MESSAGES
      );
      if (recorded !== undefined) output = { [sc.ATTR_GEN_AI_OUTPUT_MESSAGES]: recorded };
    }
    if (capture.onEvents) this.emitDetails(failure, { ...attrs, ...output });
    if (capture.onSpans && output && attrs) Object.assign(attrs, output);
  }

  /**
   * 3.x continuation: a round trip that stops at a checkpoint is remembered
   * by its token, so the next hop links to it; the first hop gets index 0.
   */
  private continuation(response: GenerateContentResponseLike | StreamedResponse | undefined): Attributes | undefined {
    const candidate = response?.candidates?.[0];
    const token = candidate?.continuationToken;
    if (!continues(candidate) || typeof token !== 'string' || !token) return undefined;
    const index = this.hop ?? 0;
    this.telemetry.continuations.checkpoint(token, this.span.spanContext(), index, this.resumedFrom);
    return this.hop === undefined ? { [sc.ATTR_GCP_GEN_AI_CONTINUATION_INDEX]: 0 } : undefined;
  }

  /** The call threw, or its promise rejected (before any stream). */
  failed(error: unknown): void {
    this.end(undefined, { error });
  }

  /** The response arrived (a unary call; a stream hands its iterator over instead). */
  succeeded(value: unknown): void {
    this.end(value as GenerateContentResponseLike | undefined);
  }

  /** A stream: the app reads the SDK's iterator through ours, and the round trip ends with the stream. */
  get handOver(): ((iterator: unknown) => unknown) | undefined {
    if (!this.stream) return undefined;
    return (iterator) =>
      // One round trip's iterator only reads the response body: nothing it does
      // makes spans, so its calls are not bound to a context (a saving per chunk).
      this.telemetry.streams.wrap(
        iterator,
        undefined,
        new RoundTripSink(this, this.settings),
        this.settings.stream.idleTimeoutMs
      );
  }

  /** Time to first chunk, tokens, finish reasons and cost; the duration is recorded as the span ends. */
  private recordMetrics(
    sets: MetricAttributeSets,
    response: GenerateContentResponseLike | undefined,
    cost: number | undefined,
    tier: string,
    timeToFirstChunk: number | undefined
  ): void {
    const m = this.telemetry.metrics;
    if (timeToFirstChunk !== undefined) m.timeToFirstChunk.record(timeToFirstChunk, sets.base);
    // Two numbers, no totals object: an unsampled call needs no more of the usage.
    const input = inputTokens(response?.usageMetadata);
    const output = outputTokens(response?.usageMetadata);
    if (input !== undefined) m.tokenUsage.record(input, sets.input);
    if (output !== undefined) m.tokenUsage.record(output, sets.output);
    const candidates = response?.candidates;
    if (Array.isArray(candidates)) {
      // A stream's summary keeps its candidates by index: the array may have holes.
      for (let i = 0; i < candidates.length; i++) {
        const reason = candidates[i]?.finishReason;
        // A checkpoint of a continued generation is not a finish.
        if (typeof reason === 'string' && reason && reason !== sc.FINISH_REASON_CONTINUATION) {
          this.telemetry.countFinishReason(sets, reason);
        }
      }
    }
    if (cost !== undefined) {
      // Cost per (hashed) user: the one metric that carries enduser.id.
      const user = this.user[sc.ATTR_ENDUSER_ID];
      this.telemetry.addCost(sets, tier, user === undefined ? '' : String(user), cost);
    }
  }

  get startedAt(): number {
    return this.call.startedAt;
  }
}

/** One streamed round trip: chunk count, time to first chunk, events, the last chunk's fields. */
class RoundTripSink implements StreamSink {
  private chunks = 0;
  private firstChunkAt = 0;
  private readonly response: StreamedResponse;
  private readonly progressEvery: number;
  private readonly timePerOutputChunk: boolean;
  private readonly recording: boolean;

  constructor(
    private readonly roundTrip: RoundTrip,
    settings: Settings
  ) {
    const options = settings.stream;
    this.progressEvery = options.chunkProgressInterval > 0 ? Math.floor(options.chunkProgressInterval) : 0;
    this.timePerOutputChunk = options.timePerOutputChunk;
    this.recording = roundTrip.span.isRecording();
    // Parts are kept only when content is captured (span or event).
    this.response = new StreamedResponse(true, roundTrip.capturesContent);
  }

  chunk(value: unknown, t: number): void {
    const n = ++this.chunks;
    if (n === 1) {
      this.firstChunkAt = t;
      if (this.recording) this.roundTrip.span.addEvent(sc.EVENT_FIRST_TOKEN);
    }
    if (this.recording && this.progressEvery > 0 && n % this.progressEvery === 0) {
      this.roundTrip.span.addEvent(sc.EVENT_CHUNK_PROGRESS, { [sc.ATTR_EVENT_CHUNKS]: n });
    }
    // The conventions' per-chunk point (on unless `timePerOutputChunkMetric: false`): the costliest part of a chunk's handling.
    if (this.timePerOutputChunk) this.roundTrip.chunk(value as never, t);
    this.response.observe(value as never);
  }

  end(outcome: string, error?: unknown, lastChunkAt?: number): void {
    const ttfc = this.firstChunkAt > 0 ? (this.firstChunkAt - this.roundTrip.startedAt) / 1000 : undefined;
    const attrs: Attributes = {
      [sc.ATTR_GEN_AI_RESPONSE_CHUNK_COUNT]: this.chunks,
      [sc.ATTR_GCP_GEN_AI_STREAM_OUTCOME]: outcome,
    };
    if (ttfc !== undefined) attrs[sc.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = ttfc;
    // An abandoned or cut-short stream ended without an error of its own.
    this.roundTrip.end(
      this.response,
      outcome === sc.STREAM_OUTCOME_FAILED ? { error } : undefined,
      attrs,
      ttfc,
      lastChunkAt,
      outcome !== sc.STREAM_OUTCOME_COMPLETED
    );
  }
}

/**
 * A stream's response as a whole, for `responseAttributes`: each field from
 * the last chunk that carries it. Never summed: the Gemini API repeats the
 * cumulative usage on every chunk and Vertex AI sends it once, at the end.
 * `observe` allocates nothing but the finish-reason slot of a candidate that
 * ends, so it can run on every chunk.
 */
export class StreamedResponse implements GenerateContentResponseLike {
  usageMetadata?: UsageMetadataLike;
  responseId?: string;
  modelVersion?: string;
  promptFeedback?: { blockReason?: string };
  /** Finish reasons by candidate index. */
  candidates?: CandidateLike[];
  /** The function calls the model asked for, as they came (kept only when `trackFunctionCalls`). */
  functionCalls?: FunctionCallLike[];

  /** Each candidate's parts, texts joined (kept only when `captureParts`: content capture is on). */
  private parts?: PartLike[][];

  constructor(
    private readonly trackFunctionCalls = false,
    private readonly captureParts = false
  ) {}

  /** Appends each candidate's new parts, joining a text to the text before it. */
  private collectParts(candidates: CandidateLike[]): void {
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i];
      const parts = candidate?.content?.parts;
      if (!Array.isArray(parts)) continue;
      const index =
        typeof candidate.index === 'number' && candidate.index >= 0 && candidate.index < 1024 ? candidate.index : i;
      const mine = ((this.parts ??= [])[index] ??= []);
      for (const part of parts) {
        const last = mine[mine.length - 1];
        if (
          typeof part?.text === 'string' &&
          last &&
          typeof last.text === 'string' &&
          !!last.thought === !!part.thought
        ) {
          mine[mine.length - 1] = { ...last, text: last.text + part.text };
        } else if (part) {
          mine.push(part);
        }
      }
    }
  }

  /** The whole streamed answer as one response (for content capture). */
  asResponse(): GenerateContentResponseLike {
    const count = Math.max(this.parts?.length ?? 0, this.candidates?.length ?? 0);
    const candidates: CandidateLike[] = [];
    for (let i = 0; i < count; i++) {
      candidates.push({
        index: i,
        content: { role: 'model', parts: this.parts?.[i] ?? [] },
        finishReason: this.candidates?.[i]?.finishReason,
      });
    }
    return { candidates };
  }

  observe(chunk: GenerateContentResponseLike | undefined): void {
    if (!chunk || typeof chunk !== 'object') return;
    if (chunk.usageMetadata) this.usageMetadata = chunk.usageMetadata;
    if (typeof chunk.responseId === 'string' && chunk.responseId) this.responseId = chunk.responseId;
    if (typeof chunk.modelVersion === 'string' && chunk.modelVersion) this.modelVersion = chunk.modelVersion;
    if (chunk.promptFeedback) this.promptFeedback = chunk.promptFeedback;
    const candidates = chunk.candidates;
    if (!Array.isArray(candidates)) return;
    if (this.trackFunctionCalls) {
      const parts = candidates[0]?.content?.parts;
      if (Array.isArray(parts)) {
        for (const part of parts) {
          if (part?.functionCall) (this.functionCalls ??= []).push(part.functionCall);
        }
      }
    }
    if (this.captureParts) this.collectParts(candidates);
    for (let i = 0; i < candidates.length; i++) {
      const reason = candidates[i]?.finishReason;
      const token = candidates[i]?.continuationToken;
      const hasReason = typeof reason === 'string' && !!reason;
      // 3.x continuation: the latest checkpoint token, so the next hop links to this one.
      if (!hasReason && (typeof token !== 'string' || !token)) continue;
      const index = candidates[i].index;
      const slot = typeof index === 'number' && index >= 0 && index < 1024 ? index : i;
      const kept = (this.candidates ??= [])[slot];
      if (kept && !hasReason) kept.continuationToken = token;
      else
        this.candidates[slot] = {
          finishReason: hasReason ? reason : undefined,
          continuationToken: token ?? kept?.continuationToken,
        };
    }
  }
}
