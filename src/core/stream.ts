/*
 * The lifecycle of a traced stream, for any surface that streams: the SDK's
 * iterator is wrapped in a plain object (no generator, no Proxy) that hands
 * each call straight to it (for a loop's stream, in the loop's context) and
 * returns the SDK's own promise; our reactions to that promise hand each chunk
 * to the surface's sink and end it exactly once, however the stream ends. Per
 * chunk: a counter, a timestamp, the sink. No allocation but the promise
 * reaction. The open streams are swept for idleness and ended at shutdown.
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
import { performance } from 'node:perf_hooks';
import { context, diag, type Context } from '@opentelemetry/api';
import * as sc from '../semconv.js';
import { isThenable } from './thenable.js';

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

  get size(): number {
    return this.streams.size;
  }

  /**
   * Wraps any SDK stream: `sink` hears of every chunk and of the end; with a
   * `ctx`, calls run in it (a loop's stream runs its round trips and tools
   * inside the app's iteration). `idleTimeoutMs`: when nobody reads it for
   * that long, the span ends as abandoned (0: only at shutdown).
   */
  wrap(iterator: unknown, ctx: Context | undefined, sink: StreamSink, idleTimeoutMs: number): unknown {
    if (
      iterator === null ||
      typeof iterator !== 'object' ||
      typeof (iterator as AsyncIteratorLike).next !== 'function'
    ) {
      sink.end(sc.STREAM_OUTCOME_COMPLETED);
      return iterator;
    }
    return new TracedStream(iterator as AsyncIteratorLike, ctx, sink, idleTimeoutMs, this);
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
