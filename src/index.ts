export { GeminiInstrumentation } from './instrumentation.js';
export type { GeminiInstrumentationConfig } from './types.js';
export { withAgentRun } from './core/agent-run.js';
export type { ModelPrice, Rates, ScheduledPrice, ServiceTierPrices, TierPrice } from './mapping/cost.js';
export { BUILTIN_PRICES, PRICE_TABLE_AS_OF } from './mapping/prices.js';
export type { RecordedMessage, RedactMessage } from './mapping/capture.js';
