/*
 * The service's telemetry, loaded before the app (`node --require
 * ./telemetry.js app.js`) as most Node services do it: the NodeSDK with the
 * usual auto-instrumentations plus ours. Exporters, endpoint, sampler and
 * service name come from the standard OTEL_* variables.
 *
 * In your own service, import GeminiInstrumentation from
 * 'opentelemetry-instrumentation-google-genai'.
 */
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { GeminiInstrumentation } from '../../src';

const sdk = new NodeSDK({
  instrumentations: [
    new HttpInstrumentation(),
    new ExpressInstrumentation(),
    // Gemini's HTTP calls (fetch) as children of the generate_content spans.
    new UndiciInstrumentation(),
    new GeminiInstrumentation(),
  ],
});
sdk.start();

// Flush what is buffered before the process goes (the app's own handler closes the server).
process.once('SIGTERM', () => {
  sdk.shutdown().finally(() => process.exit(0));
});
