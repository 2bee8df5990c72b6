// The floor of any OpenTelemetry preload: a NodeSDK with no instrumentation,
// started from a --require file, with the same OTEL_* settings as ours.
const { NodeSDK } = require('@opentelemetry/sdk-node');

new NodeSDK({ instrumentations: [] }).start();
