/*
 * How we hook into @google/genai.
 *
 * `models.generateContent` and its siblings are arrow functions assigned in the
 * `Models` constructor, so they cannot be patched on the prototype. What the
 * prototype does carry, unchanged from 1.0 to 3.x, is the private
 * `generateContentInternal`, which every public path (`generateContent`,
 * `chat.sendMessage`, each hop of automatic function calling, each request of
 * a 3.x continuation) calls exactly once per HTTP round trip. Wrapping it on
 * the exported `Models.prototype` gives one span per round trip, no nested
 * duplicates for chats, and covers clients created before `enable()`.
 *
 * The CJS and ESM bundles are separate copies with their own `Models` class:
 * each is patched when it loads (require-in-the-middle / import-in-the-middle),
 * as is every other copy of the SDK in node_modules.
 */
import { context, diag, trace, type Tracer } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type { GenAIModuleLike, GenerateContentParametersLike, ModelsLike } from './internal-types.js';
import { endSpanWithError, endSpanWithResponse, startGenerateContentSpan } from './record.js';
import type { OpenStreams } from './stream.js';

export const MODULE_NAME = '@google/genai';
/** Keep identical to README "Supported Versions" and the versions the tests install. */
export const SUPPORTED_VERSIONS = ['>=1.0.0 <4'];

type AnyFunction = (...args: unknown[]) => unknown;

/** What the patching needs from the instrumentation instance. */
export interface PatchHost {
  readonly tracer: Tracer;
  readonly streams: OpenStreams;
  /** Called when a stream span starts: make sure open streams end when the tracer provider shuts down. */
  watchShutdown(): void;
  wrap(target: object, name: string, wrapper: (original: AnyFunction) => AnyFunction): void;
  unwrap(target: object, name: string): void;
}

const GENERATE_CONTENT_INTERNAL = 'generateContentInternal';
const GENERATE_CONTENT_STREAM_INTERNAL = 'generateContentStreamInternal';

export function genaiModuleDefinition(host: PatchHost): InstrumentationNodeModuleDefinition {
  // The base class remembers only the last copy of a module it saw, so its
  // enable()/disable() would reach only that one. We keep every copy's
  // prototype and patch or restore them all together.
  const prototypes = new Set<Record<string, unknown>>();
  return new InstrumentationNodeModuleDefinition(
    MODULE_NAME,
    SUPPORTED_VERSIONS,
    (moduleExports: GenAIModuleLike, moduleVersion?: string) => {
      const proto = modelsPrototype(moduleExports);
      if (proto) prototypes.add(proto);
      else {
        diag.warn(
          `opentelemetry-instrumentation-google-genai: @google/genai ${moduleVersion ?? ''} has no ` +
            `Models.prototype.${GENERATE_CONTENT_INTERNAL}; generateContent is not traced`
        );
      }
      for (const each of prototypes) patchPrototype(host, each);
      return moduleExports;
    },
    () => {
      for (const each of prototypes) unpatchPrototype(host, each);
    }
  );
}

/** The `Models` prototype of one loaded copy of the SDK, if it has the method we hook. */
function modelsPrototype(moduleExports: GenAIModuleLike | undefined): Record<string, unknown> | undefined {
  // An ESM namespace of a CJS build may carry the exports under `default`.
  const models = moduleExports?.Models ?? (moduleExports?.default as GenAIModuleLike | undefined)?.Models;
  const proto = models?.prototype;
  return proto && typeof proto[GENERATE_CONTENT_INTERNAL] === 'function' ? proto : undefined;
}

function patchPrototype(host: PatchHost, proto: Record<string, unknown>): void {
  // enable() after enable(), or two loads of the same file: never wrap twice.
  if (!isWrapped(proto[GENERATE_CONTENT_INTERNAL])) {
    host.wrap(proto, GENERATE_CONTENT_INTERNAL, (original) => patchedGenerateContentInternal(host, original));
  }
  if (
    typeof proto[GENERATE_CONTENT_STREAM_INTERNAL] === 'function' &&
    !isWrapped(proto[GENERATE_CONTENT_STREAM_INTERNAL])
  ) {
    host.wrap(proto, GENERATE_CONTENT_STREAM_INTERNAL, (original) =>
      patchedGenerateContentStreamInternal(host, original)
    );
  }
}

function unpatchPrototype(host: PatchHost, proto: Record<string, unknown>): void {
  for (const name of [GENERATE_CONTENT_INTERNAL, GENERATE_CONTENT_STREAM_INTERNAL]) {
    if (isWrapped(proto[name])) host.unwrap(proto, name);
  }
}

interface Thenable {
  then(onFulfilled: (value: unknown) => void, onRejected: (reason: unknown) => void): unknown;
}

function isThenable(value: unknown): value is Thenable {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as Thenable).then === 'function'
  );
}

/**
 * `generateContentInternal(params)`: one HTTP round trip. The span is the
 * active context while the SDK sends the request (so HTTP spans nest under it)
 * and ends when the response is parsed or the call fails. The caller gets the
 * SDK's own promise, not one of ours.
 */
function patchedGenerateContentInternal(host: PatchHost, original: AnyFunction): AnyFunction {
  return function generateContentInternal(this: ModelsLike, ...args: unknown[]): unknown {
    let span;
    try {
      span = startGenerateContentSpan(host.tracer, this, args[0] as GenerateContentParametersLike, false);
    } catch (err) {
      diag.warn('opentelemetry-instrumentation-google-genai: could not start a span', err);
      return original.apply(this, args);
    }
    let result: unknown;
    try {
      result = context.with(trace.setSpan(context.active(), span), () => original.apply(this, args));
    } catch (err) {
      endSpanWithError(span, err);
      throw err;
    }
    if (!isThenable(result)) {
      endSpanWithResponse(span, undefined);
      return result;
    }
    const finished = span;
    // Our reactions never throw, so the promise `then` derives never rejects:
    // the app sees only the SDK's promise, settling exactly as it would.
    result.then(
      (response) => endSpanWithResponse(finished, response as never),
      (error) => endSpanWithError(finished, error)
    );
    return result;
  };
}

/**
 * `generateContentStreamInternal(params)`: one streamed HTTP round trip. It
 * resolves to the SDK's async iterator once the response headers are in (an
 * HTTP error rejects here); the span lives on in the iterator we hand back,
 * until the stream ends one way or another (see stream.ts).
 */
function patchedGenerateContentStreamInternal(host: PatchHost, original: AnyFunction): AnyFunction {
  return function generateContentStreamInternal(this: ModelsLike, ...args: unknown[]): unknown {
    let span;
    let startedAt: number;
    try {
      startedAt = performance.now();
      span = startGenerateContentSpan(host.tracer, this, args[0] as GenerateContentParametersLike, true);
      host.watchShutdown();
    } catch (err) {
      diag.warn('opentelemetry-instrumentation-google-genai: could not start a span', err);
      return original.apply(this, args);
    }
    const ctx = trace.setSpan(context.active(), span);
    let result: unknown;
    try {
      result = context.with(ctx, () => original.apply(this, args));
    } catch (err) {
      endSpanWithError(span, err);
      throw err;
    }
    // A span that is not recording needs nothing from the chunks: leave the SDK's stream as it is.
    if (!span.isRecording() || !isThenable(result)) {
      endSpanWithResponse(span, undefined);
      return result;
    }
    const started = span;
    return (result as Promise<unknown>).then(
      (iterator) => host.streams.wrap(iterator, started, ctx, startedAt),
      (error: unknown) => {
        endSpanWithError(started, error);
        throw error;
      }
    );
  };
}
