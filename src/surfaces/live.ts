/*
 * The Live API surface (`ai.live.connect`): one CLIENT span from connect to
 * close, with an event per completed turn, per tool call the server asks
 * for and per tool response the app sends (`Session.prototype.sendToolResponse`),
 * and the usage the server reports, summed, with its cost. The websocket URL is never read
 * (the API key travels in it); the app's callbacks are called as they would
 * be, with the same `this`.
 */
import { context, diag, SpanKind, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { modalityAttributes, spanName } from '../mapping/attributes.js';
import { SERVICE_TIER_STANDARD } from '../mapping/cost.js';
import type { ModalityTokenCountLike, ModelsLike } from '../internal-types.js';
import type { Settings } from '../core/settings.js';
import { isVertexAi, type Telemetry } from '../core/telemetry.js';
import { CallSpan, type TracedCall } from '../core/traced-call.js';
import { hasEndUser } from '../mapping/enduser.js';
import { apiKeyOf } from '../mapping/secrets.js';
import * as sc from '../semconv.js';
import type { Instrumented, Surface } from './surface.js';

export const liveConnect: Surface = {
  owner: 'Live',
  method: 'connect',
  operation: sc.OPERATION_LIVE_SESSION,
  start: (at, self, args) => {
    const params = args[0] as LiveParams | undefined;
    if (!params || typeof params !== 'object') return undefined;
    return startSession(at, self, params, args, sc.OPERATION_LIVE_SESSION);
  },
};

/** A session's span, and the connect call's arguments with our callbacks in a copy (the app's object is left as it is). */
export function startSession(
  at: Instrumented,
  self: unknown,
  params: LiveParams,
  args: unknown[],
  operation: string
): LiveSession {
  const model = typeof params.model === 'string' ? params.model : undefined;
  const session = new LiveSession(at.telemetry, at, self as ModelsLike, model, operation);
  session.args = [{ ...params, callbacks: session.callbacks(params.callbacks) }, ...args.slice(1)];
  return session;
}

/** `session.sendToolResponse(params)`: an event on the session's span; the SDK's call runs as it is. */
export const liveToolResponse: Surface = {
  owner: 'Session',
  method: 'sendToolResponse',
  operation: sc.OPERATION_LIVE_SESSION,
  start: (at, self, args) => {
    at.telemetry.liveSessions.get(self as object)?.toolResponse(args[0]);
    return undefined;
  },
};

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';
type AnyFunction = (...args: unknown[]) => unknown;

interface Callbacks {
  onopen?: AnyFunction;
  onmessage?: AnyFunction;
  onerror?: AnyFunction;
  onclose?: AnyFunction;
}

export interface LiveParams {
  model?: unknown;
  callbacks?: Callbacks;
  [key: string]: unknown;
}

interface LiveMessage {
  usageMetadata?: Record<string, unknown>;
  serverContent?: { turnComplete?: unknown; interrupted?: unknown };
  toolCall?: { functionCalls?: Array<{ name?: unknown; id?: unknown }> };
  goAway?: unknown;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);

/** The Live API's `*TokensDetails` lists, summed over a session by modality (audio is priced apart). */
class ModalityTotals {
  private readonly byModality = new Map<string, number>();

  add(details: unknown): void {
    if (!Array.isArray(details)) return;
    for (const d of details as ModalityTokenCountLike[]) {
      const n = count(d?.tokenCount);
      if (n > 0 && typeof d.modality === 'string' && this.byModality.size < 16) {
        this.byModality.set(d.modality, (this.byModality.get(d.modality) ?? 0) + n);
      }
    }
  }

  get list(): ModalityTokenCountLike[] | undefined {
    if (this.byModality.size === 0) return undefined;
    return [...this.byModality].map(([modality, tokenCount]) => ({ modality, tokenCount }));
  }
}

/** A session's span: opened at connect, ended at close (or when connect fails). */
export class LiveSession implements TracedCall {
  readonly span: Span;
  readonly context: Context;
  args?: unknown[];
  private readonly call: CallSpan;
  private readonly attrs: Readonly<Attributes>;
  private turns = 0;
  private toolCalls = 0;
  private input = 0;
  private output = 0;
  /** The usage the server reported, summed by kind: the session's cost. */
  private readonly usage = { prompt: 0, response: 0, thoughts: 0, cached: 0, toolUse: 0 };
  /** By modality, made when a message first reports one. */
  private modalities?: {
    prompt: ModalityTotals;
    response: ModalityTotals;
    cache: ModalityTotals;
    toolUse: ModalityTotals;
  };
  private usageSeen = false;
  private readonly settings: Settings;
  private readonly user: Attributes;
  private error: unknown;
  private ended = false;

  constructor(
    private readonly telemetry: Telemetry,
    private readonly at: Instrumented,
    private readonly client: ModelsLike,
    private readonly model: string | undefined,
    operation: string = sc.OPERATION_LIVE_SESSION
  ) {
    this.settings = at.settings;
    this.attrs = telemetry.samplingAttributes(operation, client?.apiClient, model);
    const parent = context.active();
    const user = telemetry.endUser(parent, at.settings);
    this.user = user;
    this.span = telemetry.tracer.startSpan(spanName(operation, model), {
      kind: SpanKind.CLIENT,
      attributes: hasEndUser(user) ? { ...this.attrs, ...user } : this.attrs,
    });
    this.call = new CallSpan(this.span);
    this.context = trace.setSpan(parent, this.span);
  }

  /** connect() resolved to the session: its span goes on until the socket closes. */
  succeeded(session: unknown): void {
    if (!session || typeof session !== 'object') return;
    this.telemetry.liveSessions.set(session, this);
    // A copy instrument() was given has its Session class patched here: the SDK exports it, the client does not hold one.
    this.at.adopt?.(session, 'Session');
  }

  /** connect() threw or rejected. */
  failed(error: unknown): void {
    this.end(error);
  }

  /** The app's callbacks, observed: same arguments, same `this`, same return value. */
  callbacks(app: Callbacks | undefined): Callbacks {
    const forward = (name: keyof Callbacks, observe: (arg: unknown) => void) =>
      function (this: unknown, ...args: unknown[]): unknown {
        try {
          observe(args[0]);
        } catch (err) {
          diag.warn(`${LOG_PREFIX} could not record a Live API event`, err);
        }
        // Called as a method of our object, it is the app's object the callback expects; else the same `this`.
        return app?.[name]?.apply(this === wrapped ? app : this, args);
      };
    const wrapped: Callbacks = {
      onmessage: forward('onmessage', (m) => this.message(m as LiveMessage)),
      onerror: forward('onerror', (e) => (this.error ??= e ?? new Error('WebSocket error'))),
      onclose: forward('onclose', (e) => this.end(undefined, e as { code?: unknown; reason?: unknown })),
    };
    if (app?.onopen) wrapped.onopen = forward('onopen', () => undefined);
    return wrapped;
  }

  private message(m: LiveMessage | undefined): void {
    if (!m || typeof m !== 'object' || this.ended) return;
    const usage = m.usageMetadata;
    if (usage && typeof usage === 'object') {
      this.usageSeen = true;
      const u = this.usage;
      u.prompt += count(usage.promptTokenCount);
      u.response += count(usage.responseTokenCount);
      u.thoughts += count(usage.thoughtsTokenCount);
      u.cached += count(usage.cachedContentTokenCount);
      u.toolUse += count(usage.toolUsePromptTokenCount);
      if (usage.promptTokensDetails || usage.responseTokensDetails || usage.cacheTokensDetails) {
        const by = (this.modalities ??= {
          prompt: new ModalityTotals(),
          response: new ModalityTotals(),
          cache: new ModalityTotals(),
          toolUse: new ModalityTotals(),
        });
        by.prompt.add(usage.promptTokensDetails);
        by.response.add(usage.responseTokensDetails);
        by.cache.add(usage.cacheTokensDetails);
        by.toolUse.add(usage.toolUsePromptTokensDetails);
      }
      this.input = u.prompt + u.toolUse;
      this.output = u.response + u.thoughts;
    }
    if (!this.span.isRecording()) return;
    if (m.serverContent?.turnComplete === true) {
      this.turns++;
      this.span.addEvent(sc.EVENT_LIVE_TURN, { [sc.ATTR_GCP_GEN_AI_LIVE_TURN]: this.turns });
    }
    const calls = m.toolCall?.functionCalls;
    if (Array.isArray(calls) && calls.length > 0) {
      this.toolCalls += calls.length;
      const names = calls.map((c) => (typeof c?.name === 'string' ? c.name : '')).filter(Boolean);
      this.span.addEvent(sc.EVENT_LIVE_TOOL_CALL, { [sc.ATTR_GCP_GEN_AI_LIVE_FUNCTION_NAMES]: names });
    }
    if (m.goAway) this.span.addEvent(sc.EVENT_LIVE_GO_AWAY);
  }

  /** The app sent tool results. */
  toolResponse(params: unknown): void {
    if (this.ended || !this.span.isRecording()) return;
    const responses = (params as { functionResponses?: unknown } | undefined)?.functionResponses;
    const list = Array.isArray(responses) ? responses : responses ? [responses] : [];
    const names = list.map((r) => (typeof r?.name === 'string' ? r.name : '')).filter(Boolean);
    this.span.addEvent(sc.EVENT_LIVE_TOOL_RESPONSE, { [sc.ATTR_GCP_GEN_AI_LIVE_FUNCTION_NAMES]: names });
  }

  /** connect() failed, or the socket closed: the span ends, once. */
  end(failure?: unknown, close?: { code?: unknown; reason?: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    const attrs: Attributes = {
      [sc.ATTR_GCP_GEN_AI_LIVE_TURNS]: this.turns,
      [sc.ATTR_GCP_GEN_AI_LIVE_TOOL_CALLS]: this.toolCalls,
    };
    let base: Attributes | undefined;
    try {
      if (typeof close?.code === 'number') attrs[sc.ATTR_GCP_GEN_AI_LIVE_CLOSE_CODE] = close.code;
      const sets = this.telemetry.metricAttributes(this.attrs, undefined);
      base = sets.base;
      if (this.usageSeen) {
        attrs[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = this.input;
        attrs[sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = this.output;
        this.telemetry.metrics.tokenUsage.record(this.input, sets.input);
        this.telemetry.metrics.tokenUsage.record(this.output, sets.output);
        // Priced like the model's other calls, from the usage summed over the session.
        const u = this.usage;
        const usageMetadata = {
          promptTokenCount: u.prompt,
          candidatesTokenCount: u.response,
          thoughtsTokenCount: u.thoughts,
          cachedContentTokenCount: u.cached,
          toolUsePromptTokenCount: u.toolUse,
          // Audio in and out at the audio rates a `prices` entry gives (Live models have none built in).
          promptTokensDetails: this.modalities?.prompt.list,
          candidatesTokensDetails: this.modalities?.response.list,
          cacheTokensDetails: this.modalities?.cache.list,
          toolUsePromptTokensDetails: this.modalities?.toolUse.list,
        };
        modalityAttributes(usageMetadata, u.thoughts, attrs);
        const cost = this.telemetry.costOf({ usageMetadata }, this.model, isVertexAi(this.attrs), this.settings);
        if (cost !== undefined) {
          attrs[sc.ATTR_GEN_AI_COST_USD] = cost;
          const user = this.user[sc.ATTR_ENDUSER_ID];
          this.telemetry.addCost(sets, SERVICE_TIER_STANDARD, user === undefined ? '' : String(user), cost);
        }
      }
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record a Live API session`, err);
    }
    const error = failure ?? this.error;
    this.call.finish({
      error,
      failed: error !== undefined,
      attributes: attrs,
      duration: base && { histogram: this.telemetry.metrics.operationDuration, attributes: base },
      apiKey: error !== undefined ? apiKeyOf(this.client?.apiClient) : undefined,
    });
  }
}
