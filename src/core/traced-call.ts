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
import { context, diag, type Attributes, type Context, type Histogram, type Span } from '@opentelemetry/api';
import { errorType } from '../mapping/attributes.js';
import * as sc from '../semconv.js';
import { endSpanWithError, endSpanWithResponse } from './record.js';
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
export function runTraced<T>(start: () => TracedCall | undefined, run: (args?: unknown[]) => T, what: string): T {
  let call: TracedCall | undefined;
  try {
    call = start();
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not start ${what}`, err);
  }
  if (!call) return run();
  const c = call;
  let result: T;
  try {
    result = context.with(c.context, () => run(c.args));
  } catch (err) {
    quietly(`end ${what}`, () => c.failed(err));
    throw err;
  }
  if (!isThenable(result)) {
    quietly(`end ${what}`, () => c.succeeded(result));
    return result;
  }
  const handOver = c.handOver;
  if (handOver) {
    // The app awaits this one instead of the SDK's: it resolves to our view of the value, and rejects with the SDK's error.
    return (result as PromiseLike<unknown>).then(
      (value) => {
        try {
          return handOver.call(c, value);
        } catch (err) {
          diag.warn(`${LOG_PREFIX} could not follow ${what}`, err);
          quietly(`end ${what}`, () => c.succeeded(value));
          return value;
        }
      },
      (error: unknown) => {
        quietly(`end ${what}`, () => c.failed(error));
        throw error;
      }
    ) as T;
  }
  // Our reactions never throw, so the promise `then` derives never rejects.
  result.then(
    (value) => quietly(`end ${what}`, () => c.succeeded(value)),
    (error: unknown) => quietly(`end ${what}`, () => c.failed(error))
  );
  return result;
}

/** How a call ended. */
export interface CallEnd {
  /** The error, when it failed. */
  error?: unknown;
  failed?: boolean;
  /** Attributes to set on the span as it ends (recorded only on a recording span). */
  attributes?: Attributes;
  /** A response whose conventions' attributes go on the span (model round trips). */
  response?: Parameters<typeof endSpanWithResponse>[1];
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
    this.ended = true;
    const failed = end.failed ?? end.error !== undefined;
    if (end.duration) {
      quietly('record a duration', () => {
        const seconds = ((end.endedAt ?? performance.now()) - this.startedAt) / 1000;
        end.duration!.histogram.record(
          seconds,
          failed
            ? { ...end.duration!.attributes, [sc.ATTR_ERROR_TYPE]: errorType(end.error) }
            : end.duration!.attributes
        );
      });
    }
    if (failed) endSpanWithError(this.span, end.error, end.attributes, end.endedAt, end.apiKey);
    else endSpanWithResponse(this.span, end.response, end.attributes, end.endedAt);
  }
}
