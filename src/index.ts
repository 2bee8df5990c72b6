export { GeminiInstrumentation } from './instrumentation.js';
export type { GeminiInstrumentationConfig } from './types.js';
export { withAgentRun } from './agent.js';
