/*
 * How we hook into @google/genai.
 *
 * Round trips. `models.generateContent` and its siblings are arrow functions
 * assigned in the `Models` constructor, so they are not on the prototype. What
 * the prototype does carry, unchanged from 1.0 to 3.x, is the private
 * `generateContentInternal`, which every public path (`generateContent`,
 * `chat.sendMessage`, each hop of automatic function calling, each request of
 * a 3.x continuation) calls exactly once per HTTP round trip, and its
 * streaming twin `generateContentStreamInternal`. Wrapping both on the
 * exported `Models.prototype` gives one span per round trip, no nested
 * duplicates for chats, and covers clients created before `enable()`.
 *
 * Loops. Automatic function calling runs inside the public `generateContent`
 * and `generateContentStream` (and so inside chats, which call them). Those
 * being instance fields, we put an accessor on `Models.prototype`: the
 * constructor's `this.generateContent = ...` goes through its setter, which
 * stores a wrapped function on the instance as a plain data property (same
 * name, enumerable, writable, one identity for the life of the client). A
 * client created before `enable()` keeps the SDK's own function: its round
 * trips are traced, its loops get no `agent.run`.
 *
 * The CJS and ESM bundles are separate copies with their own `Models` class:
 * each is patched when it loads (require-in-the-middle / import-in-the-middle),
 * as is every other copy of the SDK in node_modules.
 */
import { context, diag, trace, type Context, type Tracer } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import { agentRunContext, startAgentRun, traceCallableTools, type AgentRun } from './agent.js';
import { automaticFunctionCalling } from './attributes.js';
import type {
  GenAIModuleLike,
  GenerateContentParametersLike,
  GenerateContentResponseLike,
  ModelsLike,
} from './internal-types.js';
import { patchedLiveConnect, patchedSendToolResponse } from './live.js';
import { OPERATIONS, patchedOperation } from './operations.js';
import { RoundTrip, type RoundTripHost } from './round-trip.js';
import type { OpenStreams } from './stream.js';
import { isThenable } from './thenable.js';

export const MODULE_NAME = '@google/genai';
/** Keep identical to README "Supported Versions" and the versions the tests install. */
export const SUPPORTED_VERSIONS = ['>=1.0.0 <4'];

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';

type AnyFunction = (...args: unknown[]) => unknown;

/** What the patching needs from the instrumentation instance. */
export interface PatchHost extends RoundTripHost {
  readonly tracer: Tracer;
  readonly streams: OpenStreams;
  isEnabled(): boolean;
  /** Whether an opt-in kind of call is traced (token counting). */
  optedIn(what: 'tokenCounting' | 'operationPolling'): boolean;
  agentName(): string | undefined;
  /** Max length of recorded tool arguments and results; undefined when content is not captured on spans. */
  contentLimit(): number | undefined;
  /** Called when a stream span starts: make sure open streams end when the tracer provider shuts down. */
  watchShutdown(): void;
  wrap(target: object, name: string, wrapper: (original: AnyFunction) => AnyFunction): void;
  unwrap(target: object, name: string): void;
}

const GENERATE_CONTENT_INTERNAL = 'generateContentInternal';
const GENERATE_CONTENT_STREAM_INTERNAL = 'generateContentStreamInternal';
const GENERATE_CONTENT = 'generateContent';
const GENERATE_CONTENT_STREAM = 'generateContentStream';

export function genaiModuleDefinition(host: PatchHost): InstrumentationNodeModuleDefinition {
  // The base class remembers only the last copy of a module it saw, so its
  // enable()/disable() would reach only that one. We keep every copy's
  // prototype and patch or restore them all together.
  const prototypes = new Set<Record<string, unknown>>();
  // The prototypes of `Caches` and `Operations` of every copy, by class.
  const otherPrototypes = new Map<Record<string, unknown>, OtherOwner>();
  return new InstrumentationNodeModuleDefinition(
    MODULE_NAME,
    SUPPORTED_VERSIONS,
    (moduleExports: GenAIModuleLike | undefined, moduleVersion?: string) => {
      // Called without exports (enable() after a manual instrument()): re-patch the copies we know.
      const proto = moduleExports === undefined ? undefined : modelsPrototype(moduleExports);
      if (proto) prototypes.add(proto);
      else if (moduleExports !== undefined) {
        diag.warn(
          `${LOG_PREFIX} @google/genai ${moduleVersion ?? ''} has no ` +
            `Models.prototype.${GENERATE_CONTENT_INTERNAL}; generateContent is not traced`
        );
      }
      for (const owner of ['Caches', 'Operations', 'Live', 'Session'] as const) {
        const other = moduleExports === undefined ? undefined : ownerPrototype(moduleExports, owner);
        if (other) otherPrototypes.set(other, owner);
      }
      for (const each of prototypes) patchPrototype(host, each);
      for (const [each, owner] of otherPrototypes) patchOperations(host, each, owner);
      return moduleExports;
    },
    () => {
      for (const each of prototypes) unpatchPrototype(host, each);
      for (const [each, owner] of otherPrototypes) unpatchOperations(host, each, owner);
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
  installLoopAccessor(host, proto, GENERATE_CONTENT, false);
  installLoopAccessor(host, proto, GENERATE_CONTENT_STREAM, true);
  // Embeddings, images, videos, token counting: each where this version has it.
  patchOperations(host, proto, 'Models');
}

type Owner = 'Models' | 'Caches' | 'Operations';
type OtherOwner = 'Caches' | 'Operations' | 'Live' | 'Session';

/** Live API: `Live.prototype.connect` (the session's span) and `Session.prototype.sendToolResponse` (an event). */
const LIVE_METHODS: Record<'Live' | 'Session', [string, (host: PatchHost, original: AnyFunction) => AnyFunction]> = {
  Live: ['connect', (host, original) => patchedLiveConnect(host, original)],
  Session: ['sendToolResponse', (_host, original) => patchedSendToolResponse(original)],
};

function patchOperations(host: PatchHost, proto: Record<string, unknown>, owner: Owner | OtherOwner): void {
  if (owner === 'Live' || owner === 'Session') {
    const [method, wrapper] = LIVE_METHODS[owner];
    if (typeof proto[method] === 'function' && !isWrapped(proto[method])) {
      host.wrap(proto, method, (original) => wrapper(host, original));
    }
    return;
  }
  for (const spec of OPERATIONS) {
    if ((spec.owner ?? 'Models') !== owner) continue;
    if (typeof proto[spec.method] === 'function' && !isWrapped(proto[spec.method])) {
      host.wrap(proto, spec.method, (original) => patchedOperation(host, spec, original));
    }
  }
}

function unpatchOperations(host: PatchHost, proto: Record<string, unknown>, owner: Owner | OtherOwner): void {
  if (owner === 'Live' || owner === 'Session') {
    const [method] = LIVE_METHODS[owner];
    if (isWrapped(proto[method])) host.unwrap(proto, method);
    return;
  }
  for (const spec of OPERATIONS) {
    if ((spec.owner ?? 'Models') === owner && isWrapped(proto[spec.method])) host.unwrap(proto, spec.method);
  }
}

/** The prototype of `Caches` or `Operations` of one loaded copy of the SDK, if it has that class. */
function ownerPrototype(moduleExports: GenAIModuleLike, owner: OtherOwner): Record<string, unknown> | undefined {
  type Exports = Record<string, { prototype?: Record<string, unknown> } | undefined> & { default?: unknown };
  const exports = moduleExports as unknown as Exports;
  const cls = exports[owner] ?? (exports.default as Exports | undefined)?.[owner];
  return cls?.prototype && typeof cls.prototype === 'object' ? cls.prototype : undefined;
}

function unpatchPrototype(host: PatchHost, proto: Record<string, unknown>): void {
  for (const name of [GENERATE_CONTENT_INTERNAL, GENERATE_CONTENT_STREAM_INTERNAL]) {
    if (isWrapped(proto[name])) host.unwrap(proto, name);
  }
  unpatchOperations(host, proto, 'Models');
  for (const name of [GENERATE_CONTENT, GENERATE_CONTENT_STREAM]) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor?.set && (descriptor.set as { [LOOP_ACCESSOR]?: boolean })[LOOP_ACCESSOR]) delete proto[name];
  }
}

const LOOP_ACCESSOR = Symbol.for('opentelemetry-instrumentation-google-genai/loop-accessor');
const LOOP_WRAPPED = Symbol.for('opentelemetry-instrumentation-google-genai/loop-wrapped');

/**
 * A client made before we could patch (a bundled app): its `models` gets the
 * loop wrappers on its own `generateContent` / `generateContentStream`, once.
 */
export function instrumentClientLoops(host: PatchHost, models: Record<string, unknown>): boolean {
  let changed = false;
  for (const [name, stream] of [
    [GENERATE_CONTENT, false],
    [GENERATE_CONTENT_STREAM, true],
  ] as const) {
    const fn = models[name] as (AnyFunction & { [LOOP_WRAPPED]?: boolean }) | undefined;
    if (typeof fn !== 'function' || fn[LOOP_WRAPPED]) continue;
    const wrapped = loopAware(host, fn, stream) as AnyFunction & { [LOOP_WRAPPED]?: boolean };
    Object.defineProperty(wrapped, LOOP_WRAPPED, { value: true });
    models[name] = wrapped;
    changed = true;
  }
  return changed;
}

/**
 * The accessor that catches the constructor's `this.generateContent = fn` and
 * stores `fn` wrapped, as an ordinary own property of the instance. Only where
 * the prototype has no such member of its own (as in every version so far).
 */
function installLoopAccessor(host: PatchHost, proto: Record<string, unknown>, name: string, stream: boolean): void {
  if (Object.prototype.hasOwnProperty.call(proto, name)) return;
  const set = function (this: object, fn: unknown): void {
    let value = fn;
    if (typeof fn === 'function') {
      value = loopAware(host, fn as AnyFunction, stream);
      Object.defineProperty(value, LOOP_WRAPPED, { value: true });
    }
    Object.defineProperty(this, name, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  };
  Object.defineProperty(set, LOOP_ACCESSOR, { value: true });
  Object.defineProperty(proto, name, { get: () => undefined, set, configurable: true, enumerable: false });
}

/**
 * `generateContent` / `generateContentStream` of one client: with automatic
 * function calling active, the call runs inside an `agent.run` span and the
 * callable tools are traced; otherwise (or once disabled) the SDK's function
 * is simply called.
 */
function loopAware(host: PatchHost, original: AnyFunction, stream: boolean): AnyFunction {
  return function (this: ModelsLike, ...args: unknown[]): unknown {
    const params = args[0] as GenerateContentParametersLike | undefined;
    let run: AgentRun;
    try {
      if (!host.isEnabled() || !automaticFunctionCalling(params)) return original.apply(this, args);
      run = startAgentRun(host.tracer, host.metrics, this, params, host.agentName(), host.endUser(context.active()));
      if (run.span.isRecording()) traceCallableTools(params?.config?.tools, toolTracing(host));
      if (stream) host.watchShutdown();
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not start agent.run`, err);
      return original.apply(this, args);
    }
    const ctx = agentRunContext(run);
    let result: unknown;
    try {
      result = context.with(ctx, () => original.apply(this, args));
    } catch (err) {
      endRunQuietly(run, err);
      throw err;
    }
    if (!isThenable(result)) {
      endRunQuietly(run);
      return result;
    }
    if (!stream) {
      result.then(
        () => endRunQuietly(run),
        (err: unknown) => endRunQuietly(run, err)
      );
      return result;
    }
    // The loop of a stream runs lazily, inside the app's iteration: bind the
    // iteration to the run, and end the run when the stream ends.
    return (result as Promise<unknown>).then(
      (iterator) =>
        host.streams.wrap(iterator, ctx, {
          chunk: () => undefined,
          end: (outcome, error, lastChunkAt) => run.end(error, outcome, lastChunkAt),
        }),
      (err: unknown) => {
        endRunQuietly(run, err);
        throw err;
      }
    );
  };
}

function endRunQuietly(run: AgentRun, error?: unknown): void {
  try {
    run.end(error);
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not end agent.run`, err);
  }
}

function toolTracing(host: PatchHost) {
  return { tracer: host.tracer, metrics: host.metrics, contentLimit: () => host.contentLimit() };
}

/**
 * Starts a round trip and runs the SDK's method in its span's context (so
 * HTTP spans nest under it). Returns the method's result; `roundTrip` is
 * undefined when it could not start (the method then ran alone) or when the
 * method threw or returned no promise (the round trip then already ended).
 */
function runRoundTrip(
  host: PatchHost,
  models: ModelsLike,
  original: AnyFunction,
  args: unknown[],
  stream: boolean
): { result: unknown; roundTrip?: RoundTrip; ctx?: Context } {
  let roundTrip: RoundTrip;
  try {
    roundTrip = new RoundTrip(host, models, args[0] as GenerateContentParametersLike, stream);
    if (stream) host.watchShutdown();
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not start a span`, err);
    return { result: original.apply(models, args) };
  }
  const ctx = trace.setSpan(context.active(), roundTrip.span);
  let result: unknown;
  try {
    result = context.with(ctx, () => original.apply(models, args));
  } catch (err) {
    endQuietly(roundTrip, undefined, { error: err });
    throw err;
  }
  if (!isThenable(result)) {
    endQuietly(roundTrip, undefined);
    return { result };
  }
  return { result, roundTrip, ctx };
}

/**
 * `generateContentInternal(params)`: one HTTP round trip, ended when the
 * response is parsed or the call fails. The caller gets the SDK's own
 * promise, not one of ours.
 */
function patchedGenerateContentInternal(host: PatchHost, original: AnyFunction): AnyFunction {
  return function generateContentInternal(this: ModelsLike, ...args: unknown[]): unknown {
    // Another tracer that wrapped over us keeps our wrapper after disable(): pass through.
    if (!host.isEnabled()) return original.apply(this, args);
    const { result, roundTrip } = runRoundTrip(host, this, original, args, false);
    if (!roundTrip) return result;
    // Our reactions never throw, so the promise `then` derives never rejects:
    // the app sees only the SDK's promise, settling exactly as it would.
    (result as PromiseLike<unknown>).then(
      (response) => endQuietly(roundTrip, response as GenerateContentResponseLike),
      (error: unknown) => endQuietly(roundTrip, undefined, { error })
    );
    return result;
  };
}

/**
 * `generateContentStreamInternal(params)`: one streamed HTTP round trip. It
 * resolves to the SDK's async iterator once the response headers are in (an
 * HTTP error rejects here); the round trip lives on in the iterator we hand
 * back, until the stream ends one way or another (see stream.ts). Streams of
 * unsampled spans are wrapped too: their metrics are still recorded.
 */
function patchedGenerateContentStreamInternal(host: PatchHost, original: AnyFunction): AnyFunction {
  return function generateContentStreamInternal(this: ModelsLike, ...args: unknown[]): unknown {
    if (!host.isEnabled()) return original.apply(this, args);
    const { result, roundTrip, ctx } = runRoundTrip(host, this, original, args, true);
    if (!roundTrip || !ctx) return result;
    return (result as Promise<unknown>).then(
      (iterator) => host.streams.wrapRoundTrip(iterator, roundTrip, ctx),
      (error: unknown) => {
        endQuietly(roundTrip, undefined, { error });
        throw error;
      }
    );
  };
}

/**
 * Ends a round trip from a reaction to the SDK's promise: a throw there would
 * reject a promise nobody handles, so nothing may escape.
 */
function endQuietly(
  roundTrip: RoundTrip,
  response: GenerateContentResponseLike | undefined,
  failure?: { error: unknown }
) {
  try {
    roundTrip.end(response, failure);
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not end a round trip`, err);
  }
}
