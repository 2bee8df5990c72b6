/*
 * The one lifecycle of every traced call: model round trips, streams, the
 * other model calls, Live sessions, agent loops and tool calls.
 *
 * `runTraced` starts the call (a failure there lets the SDK run alone), runs
 * the SDK's method in the call's context (so HTTP and tool spans nest under
 * it), and handles the three ways a method comes back: it throws (the error
 * is recorded and rethrown as it is), it returns a value, or it returns a
 * promise, whose settling we react to without ever making a rejection the
 * app could see: the app gets the SDK's own promise, or for streams and
 * sessions one that settles exactly as it does.
 *
 * `CallSpan` ends a span exactly once: the duration point, with `error.type`
 * when it failed, then the span, with the error scrubbed of secrets.
 */
// Not the global: Node's `globalThis.performance` is an accessor (a getter call on every read, Node 20 to 24).
import { performance } from 'node:perf_hooks';
import { context, diag, type Attributes, type Context, type Histogram, type Span } from '@opentelemetry/api';
import { errorType } from '../mapping/attributes.js';
import * as sc from '../semconv.js';
import { endSpan, endSpanWithError } from './record.js';
import { isThenable } from './thenable.js';

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';

/** One traced invocation: where the SDK's method runs, and what happens as it comes back. */
export interface TracedCall {
  /** The context the method runs in: the call's span (and what else it carries, such as an agent run) active. */
  readonly context: Context;
  /** Arguments to call the method with instead of the app's (the Live API's observed callbacks); the app's own are left as they are. */
  readonly args?: unknown[];
  /** The method threw, or its promise rejected. */
  failed(error: unknown): void;
  /** The method returned `value`, or its promise resolved to it. */
  succeeded(value: unknown): void;
  /**
   * For a call whose life goes on after its promise resolves (a stream, a
   * session): what the app gets instead of `value` (the wrapped iterator).
   * When set, `succeeded` is not called for a resolution; the call ends later.
   */
  handOver?(value: unknown): unknown;
}

/** Runs `fn`, reporting (never throwing) what goes wrong in it: for our reactions to the SDK's promises. */
export function quietly(what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not ${what}`, err);
  }
}

/**
 * Starts a traced call and runs `run` (the SDK's method) in its context.
 * Returns what `run` returns: the SDK's own value or promise, or for a call
 * that hands over, a promise that settles as the SDK's does.
 */
export function runTraced<T>(start: () => TracedCall | undefined, run: () => T, what: string): T {
  const call = startCall(start, undefined, undefined, undefined, what);
  return call ? follow(call, run, undefined, NO_ARGS, what) : run();
}

const NO_ARGS: readonly unknown[] = Object.freeze([]);

/**
 * `start(a, b, c)`: the call, or undefined when there is none or starting
 * threw (reported), and the SDK then runs alone. Its arguments are passed
 * along, so a caller that wraps an SDK method (core/patcher.ts) needs no
 * closure for a call it passes straight through.
 */
export function startCall<A, B, C>(
  start: (a: A, b: B, c: C) => TracedCall | undefined,
  a: A,
  b: B,
  c: C,
  what: string
): TracedCall | undefined {
  try {
    return start(a, b, c);
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not start ${what}`, err);
    return undefined;
  }
}

/**
 * Calls `fn` on `self` with `args` (or the call's own `args`) in a started
 * call's context, and follows what it returns (the second half of `runTraced`).
 */
export function follow<T>(
  call: TracedCall,
  fn: (...args: never[]) => T,
  self: unknown,
  args: readonly unknown[],
  what: string
): T {
  let result: T;
  try {
    // No closure per call: the context manager applies `fn` itself.
    result = context.with(call.context, Reflect.apply, undefined, fn, self, call.args ?? args) as T;
  } catch (err) {
    fail(call, err, what);
    throw err;
  }
  if (!isThenable(result)) {
    succeed(call, result, what);
    return result;
  }
  const handOver = call.handOver;
  if (handOver) {
    // The app awaits this one instead of the SDK's: it resolves to our view of the value, and rejects with the SDK's error.
    return (result as PromiseLike<unknown>).then(
      (value) => {
        try {
          return handOver.call(call, value);
        } catch (err) {
          diag.warn(`${LOG_PREFIX} could not follow ${what}`, err);
          succeed(call, value, what);
          return value;
        }
      },
      (error: unknown) => {
        fail(call, error, what);
        throw error;
      }
    ) as T;
  }
  // Our reactions never throw, so the promise `then` derives never rejects.
  result.then(
    (value) => succeed(call, value, what),
    (error: unknown) => fail(call, error, what)
  );
  return result;
}

/** `call.succeeded(value)`, reported (never thrown) when it fails; the message is built only then. */
function succeed(call: TracedCall, value: unknown, what: string): void {
  try {
    call.succeeded(value);
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not end ${what}`, err);
  }
}

function fail(call: TracedCall, error: unknown, what: string): void {
  try {
    call.failed(error);
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not end ${what}`, err);
  }
}

/** How a call ended. */
export interface CallEnd {
  /** The error, when it failed. */
  error?: unknown;
  failed?: boolean;
  /** Attributes to set on the span as it ends (recorded only on a recording span). */
  attributes?: Attributes;
  /** When it ended (performance.now()), if before now: a completed stream ends at its last chunk. */
  endedAt?: number;
  /** The duration histogram and its attribute set; `error.type` is added when the call failed. */
  duration?: { histogram: Histogram; attributes: Attributes };
  /** The client's API key, scrubbed from a failure's message and stack. */
  apiKey?: string;
}

/** A traced call's span: ended exactly once, its duration recorded on the way. */
export class CallSpan {
  /** performance.now() when the call started. */
  readonly startedAt = performance.now();
  private ended = false;

  constructor(readonly span: Span) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** Ends the call, once: later calls do nothing. Never throws. */
  finish(end: CallEnd): void {
    if (this.ended) return;
    if (!(end.failed ?? end.error !== undefined)) {
      this.succeed(end.attributes, end.endedAt, end.duration?.histogram, end.duration?.attributes);
      return;
    }
    this.ended = true;
    const duration = end.duration;
    if (duration) this.recordDuration(duration.histogram, duration.attributes, end.endedAt, end);
    endSpanWithError(this.span, end.error, end.attributes, end.endedAt, end.apiKey);
  }

  /**
   * Ends a call that succeeded, once, with no `CallEnd` to build (every
   * successful round trip ends here): `attributes` on the span, and the
   * duration point on `histogram` with `durationAttributes`.
   */
  succeed(
    attributes: Attributes | undefined,
    endedAt: number | undefined,
    histogram: Histogram | undefined,
    durationAttributes: Attributes | undefined
  ): void {
    if (this.ended) return;
    this.ended = true;
    if (histogram && durationAttributes) this.recordDuration(histogram, durationAttributes, endedAt);
    endSpan(this.span, attributes, endedAt);
  }

  /** The duration point; with `error.type` when `failure` (read here, where what throws is caught). */
  private recordDuration(
    histogram: Histogram,
    attributes: Attributes,
    endedAt: number | undefined,
    failure?: { error?: unknown }
  ): void {
    try {
      const attrs = failure ? { ...attributes, [sc.ATTR_ERROR_TYPE]: errorType(failure.error) } : attributes;
      histogram.record(((endedAt ?? performance.now()) - this.startedAt) / 1000, attrs);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record a duration`, err);
    }
  }
}
