import { diag, type TracerProvider } from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { Patcher, type PatchTarget } from './core/patcher.js';
import { resolveSettings, type Settings } from './core/settings.js';
import { Telemetry } from './core/telemetry.js';
import type { AnyFunction, SdkClass } from './surfaces/surface.js';
import type { GeminiInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Traces Google's Gemini SDK, `@google/genai` 1.x to 3.x, loaded with
 * `require` or `import`: a `generate_content {model}` CLIENT span per model
 * round trip, streamed or not, and spans for the SDK's other surfaces,
 * following the OpenTelemetry GenAI semantic conventions.
 *
 * The instance owns two objects: its Settings (options and environment,
 * resolved once per setConfig()) and its Telemetry (tracer, instruments,
 * totals, open streams, pending calls, caches). The Patcher hooks every
 * surface of surfaces/index.ts on every loaded copy of the SDK.
 */
export class GeminiInstrumentation extends InstrumentationBase<GeminiInstrumentationConfig> implements PatchTarget {
  // `declare`: init() runs inside super(), before field initializers would
  // run, and assigns these; a class field would overwrite them with undefined.
  declare private _patcher: Patcher;
  declare private _telemetry: Telemetry | undefined;
  declare private _settings: { config: GeminiInstrumentationConfig; settings: Settings } | undefined;
  declare private _tracerProvider: TracerProvider | undefined;
  declare private _instrumentedByHand: boolean | undefined;

  constructor(config: GeminiInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  /** What the instrumentation records with (made on first use: the base class calls into us from its constructor). */
  get telemetry(): Telemetry {
    if (this._telemetry) return this._telemetry;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return (this._telemetry = new Telemetry({
      get tracer() {
        return self.tracer;
      },
      get meter() {
        return self.meter;
      },
      get logger() {
        return self.logger;
      },
      get tracerProvider() {
        return self._tracerProvider;
      },
    }));
  }

  /** The settings of the current configuration, resolved once per setConfig(). */
  get settings(): Settings {
    const config = this.getConfig();
    if (this._settings?.config !== config) this._settings = { config, settings: resolveSettings(config) };
    return this._settings.settings;
  }

  get enabled(): boolean {
    return this.isEnabled();
  }

  wrap(target: object, name: string, wrapper: (original: AnyFunction) => AnyFunction): void {
    this._wrap(target, name as never, wrapper as never);
  }

  unwrap(target: object, name: string): void {
    this._unwrap(target, name as never);
  }

  /**
   * @internal An SDK object whose class we learn of only when it appears (a
   * Live session of a bundled copy): its prototype is patched.
   */
  adopt(value: unknown, owner: SdkClass): void {
    this._patcher.adopt(value, owner);
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this._tracerProvider = tracerProvider;
  }

  // The base class calls this when the meter provider changes (and from its
  // constructor): instruments are made again on next use.
  protected override _updateMetricInstruments(): void {
    this._telemetry?.meterChanged();
  }

  protected init() {
    this._patcher = new Patcher(this);
    return [this._patcher.definition()];
  }

  // The base class restores only copies its hooks saw load; copies given to
  // instrument() are restored and re-patched with them.
  override enable(): void {
    super.enable();
    if (this._instrumentedByHand) this._patcher.patch(undefined);
  }

  override disable(): void {
    super.disable();
    if (this._instrumentedByHand) this._patcher.unpatchAll();
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
      const t = target as Record<string, unknown> | undefined;
      if (!t || (typeof t !== 'object' && typeof t !== 'function')) return false;
      const hasModels = (o: unknown) => typeof (o as { Models?: unknown } | undefined)?.Models === 'function';
      if (hasModels(t) || hasModels(t.default)) {
        this._instrumentedByHand = true;
        this._patcher.patch(t);
        return true;
      }
      if (this._patcher.instrumentClient(t)) {
        this._instrumentedByHand = true;
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
