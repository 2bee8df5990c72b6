/*
 * Trace context across a queue: the publisher injects the current context
 * (trace and baggage) into the message's headers; the worker extracts it, so
 * its spans, Gemini calls included, join the publisher's trace.
 *
 * The queue here is a worker process fed over IPC: a real process boundary,
 * where nothing but the headers carries the context. With Kafka, SQS,
 * Pub/Sub or BullMQ the headers travel in the message's headers or
 * attributes, the same way.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

export interface Message<T = unknown> {
  id: string;
  /** `traceparent`, `tracestate`, `baggage`: whatever the configured propagators write. */
  headers: Record<string, string>;
  body: T;
}

const tracer = trace.getTracer('example-queue');

function messagingAttributes(queue: string, operation: 'send' | 'process', id: string) {
  return {
    'messaging.system': 'node_ipc',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': queue,
    'messaging.message.id': id,
  };
}

function failed(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Sends `body` to `queue` under a PRODUCER span, with the context in the message's headers. */
export function publish<T>(send: (message: Message<T>) => void, queue: string, id: string, body: T): void {
  const attributes = messagingAttributes(queue, 'send', id);
  tracer.startActiveSpan(`send ${queue}`, { kind: SpanKind.PRODUCER, attributes }, (span) => {
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    try {
      send({ id, headers, body });
    } catch (err) {
      failed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Runs `handle` under a CONSUMER span whose parent is the context the publisher injected. */
export function consume<T, R>(queue: string, message: Message<T>, handle: (body: T) => Promise<R>): Promise<R> {
  const parent = propagation.extract(ROOT_CONTEXT, message.headers);
  const attributes = messagingAttributes(queue, 'process', message.id);
  return tracer.startActiveSpan(`process ${queue}`, { kind: SpanKind.CONSUMER, attributes }, parent, async (span) => {
    try {
      return await handle(message.body);
    } catch (err) {
      failed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}
