/*
 * The SDK's bridge to its generated client (@google/genai 2.x and 3.x): the
 * classes behind `ai.interactions`, `ai.agents`, `ai.triggers` and
 * `ai.decisions` (not exported; core/patcher.ts reaches them through the
 * client's getters) hand each call to a generated client that retries by
 * itself (408, 409, 429, 5xx, `maxRetries`) and, for interactions in 3.x,
 * sends more requests to continue one (`automatic_continuation`). None of
 * those requests passes a method we could wrap, so a surface of a bridge:
 * - puts its call in the context it runs in (`BridgeCall`);
 * - has `transport(owner)` beside it: `getClient` instruments the generated
 *   client's transport once, and its `fetcher` runs every request made for a
 *   call in that call's round-trip span (an HTTP client span nests under it);
 * - a round trip answered with an error status ends when the next one starts
 *   (a retry) or with the app's error; one answered 2xx ends with what the
 *   app gets (a unary call; a continued call's last round trip carries the
 *   usage the SDK summed, so the spans of a call sum to it), or with its
 *   event stream: read from the response body as the SDK reads it, ended at
 *   `[DONE]` (after which the SDK cancels the body rather than read to its
 *   end), cut short when the app stops, abandoned when idle.
 */
import { performance } from 'node:perf_hooks';
import { context, createContextKey, diag, type Attributes, type Context } from '@opentelemetry/api';
import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';
import type { Settings } from '../core/settings.js';
import type { StreamSink } from '../core/stream.js';
import type { TracedCall } from '../core/traced-call.js';
import { quietly } from '../core/traced-call.js';
import type { GenerateContentParametersLike, GenerateContentResponseLike, ModelsLike } from '../internal-types.js';
import { interactionAsResponse, interactionModalityAttributes, interactionStatus } from '../mapping/interactions.js';
import * as sc from '../semconv.js';
import { RoundTrip, type RoundTripKind } from './generate-content.js';
import type { Instrumented, SdkClass, Surface } from './surface.js';

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';
const CALL = createContextKey('opentelemetry-instrumentation-google-genai bridge call');
const TRANSPORT = Symbol.for('opentelemetry-instrumentation-google-genai/interactions-transport');

type Fetcher = (this: unknown, request: Request) => Promise<Response>;

/** Not a span: the generated client a bridge's `getClient` returns gets its transport traced, once. */
export function transport(owner: SdkClass): Surface {
  return {
    owner,
    method: 'getClient',
    operation: `instrument the ${owner} transport`,
    start: () => ({
      context: context.active(),
      failed: () => undefined,
      succeeded: (client) => instrumentTransport(client),
    }),
  };
}

/** A bridge object: `parentClient` is the client's API client (provider, server, key). */
export type Bridge = { parentClient?: ModelsLike['apiClient'] };

/** What each round trip of a call starts with. */
export interface CallSpec {
  params: GenerateContentParametersLike | undefined;
  stream: boolean;
  kind?: RoundTripKind;
  /** Request attributes of the API's own, built only for a span that records. */
  start?(): Attributes;
  /** false: no token usage is reported (a fetch). */
  usage: boolean;
  /** What a unary result says, as a response and attributes (default: an interaction's). */
  result?(value: unknown): { response?: GenerateContentResponseLike; attributes?: Attributes };
}

function instrumentTransport(client: unknown): void {
  const http = (client as { _httpClient?: { fetcher?: Fetcher; [TRANSPORT]?: true } } | undefined)?._httpClient;
  if (!http || typeof http.fetcher !== 'function' || http[TRANSPORT]) return;
  const original = http.fetcher;
  Object.defineProperty(http, TRANSPORT, { value: true });
  http.fetcher = function (this: unknown, request: Request): Promise<Response> {
    const call = context.active().getValue(CALL) as BridgeCall | undefined;
    return call ? call.send(request, original, this) : original.call(this, request);
  };
}

/** One call of a bridge's method: the round trips its requests make, each a span. */
export class BridgeCall implements TracedCall {
  readonly context: Context;
  private readonly parent: Context;
  /** Requests sent so far. */
  private sent = 0;
  /** The round trip answered last, not yet ended: with its error status, or 2xx and waiting for the interaction. */
  private pending?: { trip: RoundTrip; status: number; at: number };

  constructor(
    private readonly at: Instrumented,
    private readonly self: Bridge,
    private readonly spec: CallSpec
  ) {
    this.parent = context.active();
    this.context = this.parent.setValue(CALL, this);
  }

  /** One HTTP request of the call, in its own round-trip span. */
  send(request: Request, fetcher: Fetcher, self: unknown): Promise<Response> {
    let trip: RoundTrip | undefined;
    this.sent++;
    try {
      this.endPending();
      trip = context.with(this.parent, () => this.startRoundTrip());
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not start a round trip of the generated client`, err);
    }
    if (!trip) return fetcher.call(self, request);
    const t = trip;
    let sent: Promise<Response>;
    try {
      sent = context.with(t.context, () => fetcher.call(self, request));
    } catch (err) {
      quietly('end an interaction round trip', () => t.failed(err));
      throw err;
    }
    return sent.then(
      (response) => {
        quietly('follow an interaction response', () => this.answered(t, response));
        return response;
      },
      (error: unknown) => {
        quietly('end an interaction round trip', () => t.failed(error));
        throw error;
      }
    );
  }

  private startRoundTrip(): RoundTrip {
    const { params, stream, kind, start } = this.spec;
    const trip = new RoundTrip(this.at, { apiClient: this.self.parentClient }, params, stream, kind);
    // Once the span exists nothing may keep it from ending: what we cannot read is left out.
    if (start && trip.span.isRecording()) quietly('read a request', () => trip.span.setAttributes(start()));
    return trip;
  }

  private answered(trip: RoundTrip, response: Response): void {
    const body = response.status < 400 && isEventStream(response) ? response.body : null;
    if (!body) {
      this.pending = { trip, status: response.status, at: performance.now() };
      return;
    }
    const sink = new InteractionEvents(trip, this.at.settings, this.spec.usage);
    let observed: ReadableStream<Uint8Array> | undefined;
    // The SDK reads `response.body`: the same Response, its body read through ours.
    Object.defineProperty(response, 'body', {
      configurable: true,
      get: () => (observed ??= this.observe(body, sink)),
    });
  }

  /** The body as the SDK reads it, every read and the cancel passed to the real one, the bytes to `sink`. */
  private observe(body: ReadableStream<Uint8Array>, sink: InteractionEvents): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    const source = {
      next: () => reader.read(),
      return: (v?: unknown) => reader.cancel(v).then(() => ({ done: true })),
    };
    const traced = this.at.telemetry.streams.wrap(source, undefined, sink, this.at.settings.stream.idleTimeoutMs) as {
      next(): Promise<{ done?: boolean; value?: Uint8Array }>;
      return(reason?: unknown): Promise<unknown>;
    };
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const r = await traced.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value!);
        },
        async cancel(reason) {
          await traced.return(reason);
        },
      },
      { highWaterMark: 0 }
    );
  }

  /** A retry (or the next request of a continued call) began: the round trip before it is over. */
  private endPending(): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    if (p.status >= 400) p.trip.end(undefined, { error: httpError(p.status) }, undefined, undefined, p.at);
    else p.trip.end(undefined, undefined, undefined, undefined, p.at);
  }

  failed(error: unknown): void {
    const p = this.pending;
    this.pending = undefined;
    if (p) p.trip.failed(error);
    else if (this.sent === 0) {
      // It failed before any request: still a span, so the failure shows.
      const trip = context.with(this.parent, () => this.startRoundTrip());
      trip.failed(error);
    }
  }

  succeeded(value: unknown): void {
    const p = this.pending;
    this.pending = undefined;
    // A stream's round trip ends with its body.
    if (!p || this.spec.stream) return;
    let response: GenerateContentResponseLike | undefined;
    let attributes: Attributes | undefined;
    // What we cannot read leaves the span without it: the span still ends.
    quietly('read a response of the generated client', () => {
      if (this.spec.result) ({ response, attributes } = this.spec.result(value));
      else {
        const status = interactionStatus(value);
        response = interactionAsResponse(value, this.spec.usage);
        attributes = this.spec.usage ? interactionModalityAttributes((value as { usage?: unknown })?.usage) : {};
        if (status) attributes[sc.ATTR_GEN_AI_RESPONSE_STATUS] = status;
      }
    });
    p.trip.end(response, undefined, attributes);
  }
}

/** A chunk of a stream whose next chunk may finish its last character (one object for every chunk). */
const DECODE_STREAM = { stream: true } as const;

const isEventStream = (response: Response) =>
  (response.headers.get('content-type') ?? '').toLowerCase().includes('text/event-stream');

/** An error status as the SDK's errors carry it (`error.type` is the status). */
function httpError(status: number): Error {
  return Object.assign(new Error(`HTTP ${status}`), { name: 'ApiError', status });
}

interface StreamEvent {
  event_type?: string;
  index?: number;
  step?: Record<string, unknown>;
  delta?: { type?: string; text?: unknown };
  interaction?: Record<string, unknown>;
  status?: string;
  error?: { code?: number; message?: string };
}

/**
 * The events of one streamed round trip, from the bytes the SDK reads:
 * counted, the first one timed, the interaction's id, status and usage kept
 * from `interaction.*` events; the round trip ends at `[DONE]`, or failed at
 * an `error` event.
 */
class InteractionEvents implements StreamSink {
  private events = 0;
  private firstAt = 0;
  private readonly decoder = new TextDecoder();
  private readonly parser: EventSourceParser;
  private interaction?: Record<string, unknown>;
  /** The steps as they started (and, with content captured, grew), by index. */
  private steps?: Array<Record<string, unknown>>;
  /** Content is captured: the deltas are kept too. */
  private readonly capturing: boolean;
  private status?: string;
  private failure?: { error: unknown };
  private done = false;
  private readonly progressEvery: number;
  private readonly recording: boolean;
  private now = 0;

  constructor(
    private readonly trip: RoundTrip,
    settings: Settings,
    private readonly usage: boolean
  ) {
    const every = settings.stream.chunkProgressInterval;
    this.progressEvery = every > 0 ? Math.floor(every) : 0;
    this.recording = trip.span.isRecording();
    this.capturing = trip.capturesContent;
    this.parser = createParser({ onEvent: (e) => this.event(e) });
  }

  chunk(value: unknown, t: number): void {
    if (this.done || !(value instanceof Uint8Array)) return;
    this.now = t;
    this.parser.feed(this.decoder.decode(value, DECODE_STREAM));
  }

  private event(message: EventSourceMessage): void {
    const data = message.data;
    if (data === '[DONE]') {
      this.finish(sc.STREAM_OUTCOME_COMPLETED);
      return;
    }
    const n = ++this.events;
    if (n === 1) {
      this.firstAt = this.now;
      if (this.recording) this.trip.span.addEvent(sc.EVENT_FIRST_TOKEN);
    }
    if (this.recording && this.progressEvery > 0 && n % this.progressEvery === 0) {
      this.trip.span.addEvent(sc.EVENT_CHUNK_PROGRESS, { [sc.ATTR_EVENT_CHUNKS]: n });
    }
    // Parsed: what says something about the interaction, and the steps as they start (their calls
    // link the answering request); the deltas only when the content is captured.
    const delta = data.includes('"step.delta"');
    if (
      delta
        ? !this.capturing
        : !data.includes('"interaction') && !data.includes('"error"') && !data.includes('"step.start"')
    )
      return;
    const event = JSON.parse(data) as StreamEvent;
    if (event.event_type === 'step.start' && typeof event.index === 'number' && event.step) {
      (this.steps ??= [])[event.index] = { ...event.step };
      return;
    }
    if (delta) {
      this.append(event);
      return;
    }
    if (event.interaction && typeof event.interaction === 'object') {
      this.interaction = { ...this.interaction, ...event.interaction };
      this.status = interactionStatus(event.interaction) ?? this.status;
    }
    if (typeof event.status === 'string') this.status = event.status;
    if (event.event_type === 'error') {
      const code = event.error?.code;
      this.failure = {
        error: Object.assign(new Error(event.error?.message ?? 'error event'), {
          name: 'ApiError',
          status: typeof code === 'number' ? code : undefined,
        }),
      };
    }
  }

  /** A text delta, appended to its step's last text (content capture only). */
  private append(event: StreamEvent): void {
    const step = typeof event.index === 'number' ? this.steps?.[event.index] : undefined;
    const d = event.delta;
    if (!step || !d || d.type !== 'text' || typeof d.text !== 'string') return;
    const key = step.type === 'thought' ? 'summary' : 'content';
    const items = Array.isArray(step[key]) ? (step[key] as Array<{ type?: string; text?: string }>) : [];
    const last = items[items.length - 1];
    if (last?.type === 'text') items[items.length - 1] = { ...last, text: (last.text ?? '') + d.text };
    else items.push({ type: 'text', text: d.text });
    step[key] = items;
  }

  end(outcome: string, error?: unknown, lastChunkAt?: number): void {
    if (this.done) return;
    this.finish(outcome, error, lastChunkAt);
  }

  private finish(outcome: string, error?: unknown, endedAt = this.now): void {
    this.done = true;
    const ttfc = this.firstAt > 0 ? (this.firstAt - this.trip.startedAt) / 1000 : undefined;
    const attrs: Attributes = {
      [sc.ATTR_GEN_AI_RESPONSE_CHUNK_COUNT]: this.events,
      [sc.ATTR_GCP_GEN_AI_STREAM_OUTCOME]: this.failure ? sc.STREAM_OUTCOME_FAILED : outcome,
    };
    if (ttfc !== undefined) attrs[sc.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = ttfc;
    if (this.status) attrs[sc.ATTR_GEN_AI_RESPONSE_STATUS] = this.status;
    const failure = this.failure ?? (outcome === sc.STREAM_OUTCOME_FAILED ? { error } : undefined);
    let response: GenerateContentResponseLike | undefined;
    quietly('read a streamed interaction', () => {
      const interaction =
        this.steps && !Array.isArray(this.interaction?.steps)
          ? { ...this.interaction, steps: this.steps.filter(Boolean) }
          : this.interaction;
      response = interactionAsResponse(interaction, this.usage);
      if (this.usage) Object.assign(attrs, interactionModalityAttributes(interaction?.usage));
    });
    this.trip.end(response, failure, attrs, ttfc, endedAt || undefined);
  }
}
