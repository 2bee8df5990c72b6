/*
 * The real logs SDK with an in-memory exporter, given to the instrumentation:
 * what its content events look like once exported.
 */
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { instrumentation } from './otel';

export const logExporter = new InMemoryLogRecordExporter();
export const loggerProvider = new LoggerProvider({
  processors: [new SimpleLogRecordProcessor({ exporter: logExporter })],
});
instrumentation.setLoggerProvider(loggerProvider);

export function finishedLogs() {
  return logExporter.getFinishedLogRecords();
}
