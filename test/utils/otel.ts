/*
 * In-process OpenTelemetry for the tests: the real SDK's tracer provider with
 * an in-memory exporter, and the instrumentation enabled before any test
 * loads @google/genai. Import this module first.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { GeminiInstrumentation } from '../../src';

export const spanExporter = new InMemorySpanExporter();
export const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(spanExporter)],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
// As NodeSDK does: what uses the global API (withAgentRun) reaches the same exporter.
trace.setGlobalTracerProvider(tracerProvider);

export const instrumentation = new GeminiInstrumentation();
instrumentation.setTracerProvider(tracerProvider);

export function finishedSpans(): ReadableSpan[] {
  return spanExporter.getFinishedSpans();
}

export function resetSpans(): void {
  spanExporter.reset();
}

/** Each test starts from the default: enabled, default options, no spans. */
export function resetInstrumentation(): void {
  instrumentation.enable();
  instrumentation.setConfig({});
  spanExporter.reset();
}
