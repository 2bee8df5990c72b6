import { diag, trace, type Attributes, type Context, type TracerProvider } from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import {
  captureMode,
  capturesOnEvents,
  capturesOnSpans,
  DEFAULT_MAX_CONTENT_LENGTH,
  type ContentCapture,
} from './config.js';
import { costOf, priceFor, type PriceTable } from './cost.js';
import type { GenerateContentResponseLike } from './internal-types.js';
import { endUserAttributes } from './enduser.js';
import { FunctionCallLinks } from './links.js';
import { GenAIMetrics, metricTotals } from './metrics.js';
import { BUILTIN_PRICES } from './prices.js';
import { modelVersionOf } from './attributes.js';
import { genaiModuleDefinition, instrumentClientLoops, type PatchHost } from './patch.js';
import { DEFAULT_CHUNK_PROGRESS_INTERVAL, DEFAULT_STREAM_IDLE_TIMEOUT_MS, OpenStreams } from './stream.js';
import type { GeminiInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/** The part of the logs API's Logger we use (typed here so no logs API types are a dependency). */
interface EventLogger {
  emit(record: { eventName: string; attributes: Attributes; context: Context }): void;
}

type ShutdownableProvider = TracerProvider & { shutdown?: () => Promise<void> };

/**
 * Traces Google's Gemini SDK, `@google/genai` 1.x to 3.x, loaded with
 * `require` or `import`: a `generate_content {model}` CLIENT span per model
 * round trip, streamed or not, following the OpenTelemetry GenAI semantic
 * conventions.
 */
export class GeminiInstrumentation extends InstrumentationBase<GeminiInstrumentationConfig> {
  private _streams?: OpenStreams;
  private _links?: FunctionCallLinks;
  private _metrics?: GenAIMetrics;
  /** What the counters report: kept here, so they outlive a meter provider change. */
  private readonly _totals = metricTotals();
  private _prices?: { from: unknown; table: PriceTable; found: Map<string, ReturnType<typeof priceFor>> };
  private _unpricedWarned?: Set<string>;
  private _capture?: { config: GeminiInstrumentationConfig; capture: ContentCapture | undefined };
  private _explicitProvider?: TracerProvider;
  private readonly _watchedProviders = new WeakSet<object>();

  constructor(config: GeminiInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this._explicitProvider = tracerProvider;
  }

  /** The streams whose span is still open (created on first use: init() runs inside super()). */
  private get streams(): OpenStreams {
    return (this._streams ??= new OpenStreams(() => {
      const config = this.getConfig();
      return {
        chunkProgressInterval: config.chunkProgressInterval ?? DEFAULT_CHUNK_PROGRESS_INTERVAL,
        idleTimeoutMs: config.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
        timePerOutputChunk: config.timePerOutputChunkMetric === true,
      };
    }));
  }

  /**
   * A stream nobody finishes must still be exported: when the tracer provider
   * shuts down (NodeSDK.shutdown(), our register on exit or SIGTERM), end the
   * spans of open streams first, as abandoned, so its processors export them.
   * We wrap that provider's own `shutdown` once; it still runs and its promise
   * is returned as it is.
   */
  private watchShutdown(): void {
    let provider = (this._explicitProvider ?? trace.getTracerProvider()) as ShutdownableProvider & {
      getDelegate?: () => TracerProvider;
    };
    if (typeof provider.getDelegate === 'function') provider = provider.getDelegate() as typeof provider;
    if (this._watchedProviders.has(provider) || typeof provider.shutdown !== 'function') return;
    this._watchedProviders.add(provider);
    const streams = this.streams;
    const shutdown = provider.shutdown;
    provider.shutdown = function (this: unknown, ...args: unknown[]) {
      streams.abandonAll();
      return shutdown.apply(this, args as []);
    };
  }

  // The base class calls this when the meter provider changes (and from its
  // constructor, before our fields exist): instruments are made on next use.
  protected override _updateMetricInstruments(): void {
    // Runs from the base class constructor too, before our fields are set.
    this._metrics?.dispose();
    this._metrics = undefined;
  }

  private get metrics(): GenAIMetrics {
    return (this._metrics ??= new GenAIMetrics(this.meter, this._totals));
  }

  /**
   * The built-in prices with the `prices` option over them, and the models
   * already looked up in them (rebuilt when the option changes).
   */
  private priceTable(): { table: PriceTable; found: Map<string, ReturnType<typeof priceFor>> } {
    const option = this.getConfig().prices;
    let prices = this._prices;
    if (!prices || prices.from !== option) {
      prices = this._prices = {
        from: option,
        table: option ? { ...BUILTIN_PRICES, ...option } : BUILTIN_PRICES,
        found: new Map(),
      };
    }
    return prices;
  }

  /** The price for this response and request model, looked up once per model pair (alias and suffix rules are costly). */
  private priceOf(responseModel: string | undefined, requestModel: string | undefined, vertexAi: boolean) {
    const { table, found } = this.priceTable();
    const key = `${vertexAi ? 'v' : 'g'}|${responseModel ?? ''}|${requestModel ?? ''}`;
    let price = found.get(key);
    if (price === undefined && !found.has(key)) {
      price = priceFor(table, responseModel, requestModel, vertexAi);
      // Bounded: model names come from responses.
      if (found.size < 1000) found.set(key, price);
    }
    return price;
  }

  private costOf(
    response: GenerateContentResponseLike | undefined,
    requestModel: string | undefined,
    vertexAi: boolean
  ): number | undefined {
    const found = this.priceOf(modelVersionOf(response), requestModel, vertexAi);
    if (!found) {
      // Never a guess: no cost, and one word about it per model.
      const name = modelVersionOf(response) ?? requestModel ?? '(no model)';
      const warned = (this._unpricedWarned ??= new Set());
      if (!warned.has(name) && warned.size < 100) {
        warned.add(name);
        diag.warn(
          `opentelemetry-instrumentation-google-genai: no price for model ${name}${vertexAi ? ' on Vertex AI' : ''}; ` +
            'its calls get no gen_ai.cost.usd (add it with the prices option)'
        );
      }
      return undefined;
    }
    return costOf(response?.usageMetadata, found.price, vertexAi);
  }

  /**
   * Where content goes under the current options and environment; undefined
   * for NO_CONTENT. Worked out once per configuration (setConfig() makes a new
   * one), not on every call.
   */
  private contentCapture(): ContentCapture | undefined {
    const config = this.getConfig();
    if (this._capture?.config === config) return this._capture.capture;
    const mode = captureMode(config.captureMessageContent);
    const capture: ContentCapture | undefined =
      mode === 'NO_CONTENT'
        ? undefined
        : {
            onSpans: capturesOnSpans(mode),
            onEvents: capturesOnEvents(mode),
            maxLength: config.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH,
            preview: mode === 'PREVIEW',
            redact: config.redactMessage,
          };
    this._capture = { config, capture };
    return capture;
  }

  /** A log event through the logs API (the instrumentation's logger), in `ctx` so it carries the span's ids. */
  private emitEvent(eventName: string, attributes: Attributes, ctx: Context): void {
    try {
      (this.logger as unknown as EventLogger).emit({ eventName, attributes, context: ctx });
    } catch (err) {
      diag.warn('opentelemetry-instrumentation-google-genai: could not emit an event', err);
    }
  }

  /** Function calls asked for and not answered yet, for links from manual loops. */
  private get links(): FunctionCallLinks {
    return (this._links ??= new FunctionCallLinks());
  }

  protected init() {
    // init() runs inside the base constructor: read these lazily.
    const getTracer = () => this.tracer;
    const getStreams = () => this.streams;
    const getLinks = () => this.links;
    const getMetrics = () => this.metrics;
    const host: PatchHost = {
      get tracer() {
        return getTracer();
      },
      get streams() {
        return getStreams();
      },
      get links() {
        return getLinks();
      },
      get metrics() {
        return getMetrics();
      },
      costOf: (response, requestModel, vertexAi) => this.costOf(response, requestModel, vertexAi),
      isEnabled: () => this.isEnabled(),
      optedIn: (what) =>
        what === 'tokenCounting'
          ? this.getConfig().traceTokenCounting === true
          : this.getConfig().traceOperationPolling === true,
      agentName: () => this.getConfig().agentName,
      contentLimit: () => {
        // Tool arguments and results are recorded whole or not at all: not in PREVIEW.
        const capture = this.contentCapture();
        return capture?.onSpans && !capture.preview ? capture.maxLength : undefined;
      },
      contentCapture: () => this.contentCapture(),
      endUser: (ctx) => endUserAttributes(ctx, this.getConfig()),
      emitEvent: (name, attributes, ctx) => this.emitEvent(name, attributes, ctx),
      watchShutdown: () => this.watchShutdown(),
      wrap: (target, name, wrapper) => this._wrap(target, name as never, wrapper as never),
      unwrap: (target, name) => this._unwrap(target, name as never),
    };
    const definition = genaiModuleDefinition(host);
    // Kept outside the instance's fields: init() runs before they are initialized.
    manual.set(this, { host, definition });
    return [definition];
  }

  // The base class restores only copies its hooks saw load; copies given to
  // instrument() are restored and re-patched with them.
  override enable(): void {
    super.enable();
    if (manual.get(this)?.used) (manual.get(this)!.definition.patch as (e: unknown) => unknown)?.(undefined);
  }

  override disable(): void {
    super.disable();
    if (manual.get(this)?.used) (manual.get(this)!.definition.unpatch as (e: unknown) => unknown)?.(undefined);
  }

  /**
   * Instruments `@google/genai` where module hooks cannot see it load (an app
   * bundled by esbuild, webpack or Next.js): pass the SDK's exports
   * (`import * as genai from '@google/genai'`) or a `GoogleGenAI` client. Safe
   * to call more than once and together with the automatic path: nothing is
   * wrapped twice. A client made before this call gets its round trips traced
   * and, passed itself, its function-calling loops too. Returns whether it
   * recognized `target`.
   */
  instrument(target: unknown): boolean {
    try {
      const parts = manual.get(this);
      const t = target as Record<string, unknown> | undefined;
      if (!parts || !t || (typeof t !== 'object' && typeof t !== 'function')) return false;
      parts.used = true;
      const patch = parts.definition.patch as ((exports: unknown, version?: string) => unknown) | undefined;
      const hasModels = (o: unknown) => typeof (o as { Models?: unknown } | undefined)?.Models === 'function';
      if (hasModels(t) || hasModels(t.default)) {
        patch?.(t, undefined);
        return true;
      }
      const models = t.models as Record<string, unknown> | undefined;
      const proto = models && typeof models === 'object' ? Object.getPrototypeOf(models) : undefined;
      if (proto && typeof proto.generateContentInternal === 'function') {
        const protoOf = (o: unknown) =>
          o && typeof o === 'object' ? { prototype: Object.getPrototypeOf(o) } : undefined;
        patch?.(
          { Models: { prototype: proto }, Caches: protoOf(t.caches), Operations: protoOf(t.operations) },
          undefined
        );
        instrumentClientLoops(parts.host, models!);
        return true;
      }
      diag.warn(
        'opentelemetry-instrumentation-google-genai: instrument() takes the @google/genai exports or a GoogleGenAI client'
      );
    } catch (err) {
      diag.warn('opentelemetry-instrumentation-google-genai: instrument() failed', err);
    }
    return false;
  }
}

const manual = new WeakMap<
  GeminiInstrumentation,
  { host: PatchHost; definition: ReturnType<typeof genaiModuleDefinition>; used?: boolean }
>();
