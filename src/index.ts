export { GeminiInstrumentation } from './instrumentation.js';
export type { GeminiInstrumentationConfig } from './types.js';
export { withAgentRun } from './agent.js';
export type { ModelPrice, Rates } from './cost.js';
export { BUILTIN_PRICES, PRICE_TABLE_AS_OF } from './prices.js';
export type { RecordedMessage, RedactMessage } from './config.js';
