/*
 * One span per streamed round trip, ended exactly once however the stream
 * ends. The SDK's iterator is wrapped in a plain object (no generator, no
 * Proxy) that hands each call straight to it (for a loop's stream, in the
 * loop's context) and returns the SDK's own promise; our reactions to that promise count the
 * chunk and remember the fields the span needs. Per chunk: a counter, a
 * timestamp, a few property reads. No allocation but the promise reaction.
 *
 * How a stream ends (gcp.gen_ai.stream.outcome):
 * - `completed`: the iterator said done. The span and the duration end at
 *   the last chunk's arrival, not when the consumer next asked: a framework
 *   that runs its tools between the last chunk and its next `next()` (ADK's
 *   streaming mode does) would otherwise add their time to the model's;
 * - `cut_short`: the consumer called return() (break out of for-await);
 * - `failed`: the iterator threw (HTTP drop, abort, malformed chunk): ERROR;
 * - `abandoned`: nobody asked for a chunk for `streamIdleTimeoutMs`, or the
 *   tracer provider shut down first. The stream itself is left alone (we
 *   never cancel the app's request); only the span ends.
 */
import { context, diag, type Attributes, type Context } from '@opentelemetry/api';
import { StreamedResponse } from './attributes.js';
import type { RoundTrip } from './round-trip.js';
import * as sc from './semconv.js';
import { isThenable } from './thenable.js';

export interface StreamOptions {
  /** A `chunk_progress` event every this many chunks; 0 for none. */
  chunkProgressInterval: number;
  /** End the span of a stream nobody reads for this long; 0 to wait for shutdown only. */
  idleTimeoutMs: number;
  /** Record `gen_ai.client.operation.time_per_output_chunk`, a metric point per chunk. */
  timePerOutputChunk: boolean;
}

export const DEFAULT_CHUNK_PROGRESS_INTERVAL = 100;
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 60_000;

const now = () => performance.now();

interface AsyncIteratorLike {
  next(...args: unknown[]): unknown;
  return?(value?: unknown): unknown;
  throw?(error?: unknown): unknown;
}

interface IterResult {
  done?: boolean;
  value?: unknown;
}

/** The streams whose span is still open: swept for idleness, ended when the tracer provider shuts down. */
export class OpenStreams {
  private readonly streams = new Set<TracedStream>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private timerEvery = 0;

  constructor(private readonly options: () => StreamOptions) {}

  get size(): number {
    return this.streams.size;
  }

  /** Wraps the SDK's stream of one round trip; the round trip ends when the stream does. */
  wrapRoundTrip(iterator: unknown, roundTrip: RoundTrip, ctx: Context): unknown {
    // One round trip's iterator only reads the response body: nothing it does
    // makes spans, so its calls are not bound to a context (a saving per chunk).
    return this.wrap(iterator, ctx, new RoundTripSink(roundTrip, this.options()), false);
  }

  /**
   * Wraps any SDK stream: `sink` hears of every chunk and of the end; with
   * `bind`, calls run in `ctx` (a loop's stream runs its round trips and tools
   * inside the app's iteration).
   */
  wrap(iterator: unknown, ctx: Context, sink: StreamSink, bind = true): unknown {
    if (
      iterator === null ||
      typeof iterator !== 'object' ||
      typeof (iterator as AsyncIteratorLike).next !== 'function'
    ) {
      sink.end(sc.STREAM_OUTCOME_COMPLETED);
      return iterator;
    }
    return new TracedStream(
      iterator as AsyncIteratorLike,
      bind ? ctx : undefined,
      sink,
      this.options().idleTimeoutMs,
      this
    );
  }

  add(stream: TracedStream): void {
    this.streams.add(stream);
    const idle = stream.idleTimeoutMs;
    if (idle <= 0) return;
    // One timer for all open streams, checking at half the shortest idle time;
    // it never keeps the process alive.
    const every = Math.max(10, Math.floor(idle / 2));
    if (this.timer === undefined || every < this.timerEvery) {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref();
      this.timerEvery = every;
    }
  }

  delete(stream: TracedStream): void {
    // The timer stops at its next sweep if nothing is open then: a service that
    // streams one call after another does not create a timer per stream.
    this.streams.delete(stream);
  }

  private sweep(): void {
    if (this.streams.size === 0) {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const t = now();
    for (const stream of this.streams) {
      if (stream.idleTimeoutMs > 0 && stream.pending === 0 && t - stream.lastActivity >= stream.idleTimeoutMs) {
        stream.abandon();
      }
    }
  }

  /** Ends the span of every open stream as abandoned (the tracer provider is shutting down). */
  abandonAll(): void {
    for (const stream of [...this.streams]) stream.abandon();
  }
}

/** What a traced stream reports to: a round trip's span, or a function-calling loop's. */
export interface StreamSink {
  /** A chunk reached the app; `t` is performance.now(). */
  chunk(value: unknown, t: number): void;
  /**
   * The stream is over, one way or another; `error` when it failed. Called
   * once. `lastChunkAt` (performance.now()) when it completed after a chunk.
   */
  end(outcome: string, error?: unknown, lastChunkAt?: number): void;
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
    options: StreamOptions
  ) {
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
    // A histogram point costs more than all the rest of a chunk's handling together (the metrics SDK hashes its attributes): opt-in.
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
      lastChunkAt
    );
  }
}

/** The app's view of the SDK's stream, traced. */
export class TracedStream {
  /** Calls handed to the SDK's iterator that have not settled yet. */
  pending = 0;
  /** When the consumer or the stream last did anything (performance.now()). */
  lastActivity: number;
  private stopping = false;
  private ended = false;
  /** A chunk could not be read: later chunks are passed through unobserved. */
  private unreadable = false;
  /** When the last chunk reached the app (performance.now()); 0 before the first. */
  private lastChunkAt = 0;

  constructor(
    private readonly inner: AsyncIteratorLike,
    /** The context calls run in; undefined: the caller's. */
    private readonly ctx: Context | undefined,
    private readonly sink: StreamSink,
    readonly idleTimeoutMs: number,
    private readonly registry: OpenStreams
  ) {
    this.idleTimeoutMs = idleTimeoutMs > 0 ? idleTimeoutMs : 0;
    this.lastActivity = now();
    // Bound once so the per-chunk path allocates no closures.
    this.onResult = this.onResult.bind(this);
    this.onError = this.onError.bind(this);
    this.callNext = this.callNext.bind(this);
    registry.add(this);
  }

  next(...args: unknown[]): unknown {
    // for-await calls next() with no argument: the common path takes no array.
    return args.length === 0 ? this.step(this.callNext) : this.step(() => this.inner.next(...args));
  }

  return(value?: unknown): unknown {
    this.stopping = true;
    const inner = this.inner;
    if (typeof inner.return !== 'function') {
      this.finish(sc.STREAM_OUTCOME_CUT_SHORT);
      return Promise.resolve({ done: true, value });
    }
    return this.step(() => inner.return!(value));
  }

  throw(error?: unknown): unknown {
    const inner = this.inner;
    if (typeof inner.throw !== 'function') {
      this.finish(sc.STREAM_OUTCOME_FAILED, error);
      return Promise.reject(error);
    }
    return this.step(() => inner.throw!(error));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the span without touching the stream: nobody is reading it. */
  abandon(): void {
    this.finish(sc.STREAM_OUTCOME_ABANDONED);
  }

  private callNext(): unknown {
    return this.inner.next();
  }

  /** Runs one call of the SDK's iterator (in the bound context, if any, so work it does nests under the span). */
  private step(call: () => unknown): unknown {
    this.pending++;
    this.lastActivity = now();
    let result: unknown;
    try {
      result = this.ctx ? context.with(this.ctx, call) : call();
    } catch (err) {
      this.pending--;
      this.finish(sc.STREAM_OUTCOME_FAILED, err);
      throw err;
    }
    if (isThenable(result)) {
      (result as PromiseLike<IterResult>).then(this.onResult, this.onError);
    } else {
      this.pending--;
    }
    return result;
  }

  private onResult(result: IterResult): void {
    this.pending--;
    if (this.ended) return;
    const t = now();
    this.lastActivity = t;
    if (!result || result.done) {
      if (this.stopping) this.finish(sc.STREAM_OUTCOME_CUT_SHORT);
      else this.finish(sc.STREAM_OUTCOME_COMPLETED, undefined, this.lastChunkAt || undefined);
      return;
    }
    this.lastChunkAt = t;
    if (this.unreadable) return;
    try {
      this.sink.chunk(result.value, t);
    } catch (err) {
      // Said once: a shape we cannot read is likely on every chunk that follows.
      this.unreadable = true;
      diag.warn(
        'opentelemetry-instrumentation-google-genai: could not read a stream chunk; the rest of this stream is not observed',
        err
      );
    }
  }

  private onError(error: unknown): void {
    this.pending--;
    this.lastActivity = now();
    this.finish(sc.STREAM_OUTCOME_FAILED, error);
  }

  private finish(outcome: string, error?: unknown, lastChunkAt?: number): void {
    if (this.ended) return;
    this.ended = true;
    this.registry.delete(this);
    try {
      this.sink.end(outcome, error, lastChunkAt);
    } catch (err) {
      diag.warn('opentelemetry-instrumentation-google-genai: could not end a stream span', err);
    }
  }
}
