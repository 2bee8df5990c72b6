import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/**
 * Options of {@link GeminiInstrumentation}. Besides these, the standard
 * `OTEL_*` environment variables configure the SDK that exports what we record.
 */
// Options specific to Gemini arrive with the features that need them (streams,
// content capture, cost); the base options (`enabled`, hooks) apply today.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GeminiInstrumentationConfig extends InstrumentationConfig {}
