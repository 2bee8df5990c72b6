/*
 * Live API sessions (`ai.live.connect`): one CLIENT span from connect to
 * close, with an event per completed turn, per tool call the server asks
 * for and per tool response the app sends, and the usage the server reports,
 * summed. The websocket URL is never read (the API key travels in it); the
 * app's callbacks are called as they would be, with the same `this`.
 */
import { context, diag, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { samplingAttributes, spanName } from './attributes.js';
import type { ModelsLike } from './internal-types.js';
import type { OperationHost } from './operations.js';
import { endSpanWithError, endSpanWithResponse } from './record.js';
import { metricAttributes } from './round-trip.js';
import { apiKeyOf } from './secrets.js';
import * as sc from './semconv.js';
import { isThenable } from './thenable.js';

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';
type AnyFunction = (...args: unknown[]) => unknown;

interface Callbacks {
  onopen?: AnyFunction;
  onmessage?: AnyFunction;
  onerror?: AnyFunction;
  onclose?: AnyFunction;
}

interface LiveParams {
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

/** The session objects `connect()` resolved to, and their span. */
const sessions = new WeakMap<object, LiveSession>();

class LiveSession {
  readonly span: Span;
  private readonly attrs: Readonly<Attributes>;
  private readonly startedAt = performance.now();
  private turns = 0;
  private toolCalls = 0;
  private input = 0;
  private output = 0;
  private usageSeen = false;
  private error: unknown;
  private ended = false;

  constructor(
    private readonly host: OperationHost,
    private readonly client: ModelsLike,
    model: string | undefined
  ) {
    this.attrs = samplingAttributes(sc.OPERATION_LIVE_SESSION, client?.apiClient, model);
    const user = host.endUser(context.active());
    this.span = host.tracer.startSpan(spanName(sc.OPERATION_LIVE_SESSION, model), {
      kind: SpanKind.CLIENT,
      attributes: Object.keys(user).length > 0 ? { ...this.attrs, ...user } : this.attrs,
    });
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
      this.input += count(usage.promptTokenCount) + count(usage.toolUsePromptTokenCount);
      this.output += count(usage.responseTokenCount) + count(usage.thoughtsTokenCount);
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
    try {
      if (typeof close?.code === 'number') attrs[sc.ATTR_GCP_GEN_AI_LIVE_CLOSE_CODE] = close.code;
      const sets = metricAttributes(this.attrs, undefined);
      if (this.usageSeen) {
        attrs[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = this.input;
        attrs[sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = this.output;
        this.host.metrics.tokenUsage.record(this.input, sets.input);
        this.host.metrics.tokenUsage.record(this.output, sets.output);
      }
      this.host.metrics.operationDuration.record((performance.now() - this.startedAt) / 1000, sets.base);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record a Live API session`, err);
    }
    const error = failure ?? this.error;
    if (error !== undefined) endSpanWithError(this.span, error, attrs, undefined, apiKeyOf(this.client?.apiClient));
    else endSpanWithResponse(this.span, undefined, attrs);
  }
}

/** `live.connect(params)`: the session's span starts here and ends when the socket closes. */
export function patchedLiveConnect(host: OperationHost, original: AnyFunction): AnyFunction {
  return function (this: ModelsLike, ...args: unknown[]): unknown {
    const params = args[0] as LiveParams | undefined;
    if (!host.isEnabled() || !params || typeof params !== 'object') return original.apply(this, args);
    let session: LiveSession;
    let observed: LiveParams;
    try {
      session = new LiveSession(host, this, typeof params.model === 'string' ? params.model : undefined);
      // A copy with our callbacks: the app's own object is left as it is.
      observed = { ...params, callbacks: session.callbacks(params.callbacks) };
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not start a Live API span`, err);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = context.with(trace.setSpan(context.active(), session.span), () =>
        original.apply(this, [observed, ...args.slice(1)])
      );
    } catch (err) {
      session.end(err);
      throw err;
    }
    if (isThenable(result)) {
      result.then(
        (s) => {
          if (s && typeof s === 'object') sessions.set(s, session);
        },
        (err: unknown) => session.end(err)
      );
    }
    return result;
  };
}

/** `session.sendToolResponse(params)`: an event on the session's span. */
export function patchedSendToolResponse(original: AnyFunction): AnyFunction {
  return function (this: object, ...args: unknown[]): unknown {
    try {
      sessions.get(this)?.toolResponse(args[0]);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record a Live API tool response`, err);
    }
    return original.apply(this, args);
  };
}
