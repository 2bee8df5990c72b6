import { trace, type TracerProvider } from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { capturesOnSpans, captureMode, DEFAULT_MAX_CONTENT_LENGTH } from './config.js';
import { FunctionCallLinks } from './links.js';
import { genaiModuleDefinition } from './patch.js';
import { DEFAULT_CHUNK_PROGRESS_INTERVAL, DEFAULT_STREAM_IDLE_TIMEOUT_MS, OpenStreams } from './stream.js';
import type { GeminiInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

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

  /** Function calls asked for and not answered yet, for links from manual loops. */
  private get links(): FunctionCallLinks {
    return (this._links ??= new FunctionCallLinks());
  }

  protected init() {
    // init() runs inside the base constructor: read these lazily.
    const getTracer = () => this.tracer;
    const getStreams = () => this.streams;
    const getLinks = () => this.links;
    return [
      genaiModuleDefinition({
        get tracer() {
          return getTracer();
        },
        get streams() {
          return getStreams();
        },
        get links() {
          return getLinks();
        },
        isEnabled: () => this.isEnabled(),
        agentName: () => this.getConfig().agentName,
        contentLimit: () => {
          const config = this.getConfig();
          if (!capturesOnSpans(captureMode(config.captureMessageContent))) return undefined;
          return config.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH;
        },
        watchShutdown: () => this.watchShutdown(),
        wrap: (target, name, wrapper) => this._wrap(target, name as never, wrapper as never),
        unwrap: (target, name) => this._unwrap(target, name as never),
      }),
    ];
  }
}
