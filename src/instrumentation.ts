import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { genaiModuleDefinition } from './patch.js';
import type { GeminiInstrumentationConfig } from './types.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';

/**
 * Traces Google's Gemini SDK, `@google/genai` 1.x to 3.x, loaded with
 * `require` or `import`: a `generate_content {model}` CLIENT span per model
 * round trip, following the OpenTelemetry GenAI semantic conventions.
 */
export class GeminiInstrumentation extends InstrumentationBase<GeminiInstrumentationConfig> {
  constructor(config: GeminiInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected init() {
    // init() runs inside the base constructor: read the tracer lazily, it
    // changes with setTracerProvider().
    const getTracer = () => this.tracer;
    return [
      genaiModuleDefinition({
        get tracer() {
          return getTracer();
        },
        wrap: (target, name, wrapper) => this._wrap(target, name as never, wrapper as never),
        unwrap: (target, name) => this._unwrap(target, name as never),
      }),
    ];
  }
}
