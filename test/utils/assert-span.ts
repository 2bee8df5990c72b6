import * as assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** The exception events of a span, as `recordException` writes them. */
export function exceptionEvents(span: ReadableSpan) {
  return span.events.filter((e) => e.name === 'exception');
}

export function assertClientSpan(span: ReadableSpan, name: string, attributes: Record<string, unknown>): void {
  assert.equal(span.name, name);
  assert.equal(span.kind, SpanKind.CLIENT);
  assert.deepEqual({ ...span.attributes }, attributes);
  assert.ok(span.ended, 'span ended');
}

export function assertOk(span: ReadableSpan): void {
  assert.equal(span.status.code, SpanStatusCode.UNSET);
  assert.deepEqual(exceptionEvents(span), []);
}
