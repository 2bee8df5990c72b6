export { GeminiInstrumentation } from './instrumentation.js';
export type { GeminiInstrumentationConfig } from './types.js';
