/*
 * What we record on a span for one model round trip: start it with the
 * attributes a sampler needs, add the request parameters when it records,
 * finish it from the response or the error. Never throws: a failure here is
 * reported through diag and the app's call goes on untouched.
 */
import {
  diag,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Link,
  type Span,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';
import { errorType, requestAttributes } from '../mapping/attributes.js';
import type { GenerateContentParametersLike } from '../internal-types.js';
import { scrubSecrets } from '../mapping/secrets.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  EVENT_EXCEPTION,
  ATTR_GEN_AI_REQUEST_STREAM,
} from '../semconv.js';

/**
 * Starts the CLIENT span of one HTTP round trip, streamed or not: `name` is
 * `generate_content {model}`, or another for the Interactions API's agent
 * runs and fetches.
 */
export function startGenerateContentSpan(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  params: GenerateContentParametersLike | undefined,
  stream: boolean,
  links?: Link[]
): Span {
  const span = tracer.startSpan(name, {
    kind: SpanKind.CLIENT,
    attributes,
    links,
  });
  // Request parameters matter only to a span that is kept. Once started, the
  // span is returned whatever happens, so that it ends.
  try {
    if (span.isRecording()) {
      // No parameters: a round trip that asks for no generation (an agent run, a fetch).
      if (params !== undefined) span.setAttributes(requestAttributes(params));
      if (stream) span.setAttribute(ATTR_GEN_AI_REQUEST_STREAM, true);
    }
  } catch (err) {
    diag.warn('opentelemetry-instrumentation-google-genai: could not read the request', err);
  }
  return span;
}

/** Ends the span with `attributes`, what the caller read and measured (a round trip: the response's attributes and more). */
export function endSpan(span: Span, attributes?: Attributes, endTime?: TimeInput): void {
  // No closure here, unlike endSpanWithError: every successful call ends through this.
  try {
    if (attributes && span.isRecording()) span.setAttributes(attributes);
  } catch (err) {
    diag.warn('opentelemetry-instrumentation-google-genai: could not read the response', err);
  }
  endQuietly(span, endTime);
}

/**
 * Ends the span as failed: status ERROR, `error.type`, and the exception as
 * an event (as `recordException` writes it), its message and stack trace
 * scrubbed of `apiKey` and of credentials in URLs.
 */
export function endSpanWithError(
  span: Span,
  error: unknown,
  extra?: Attributes,
  endTime?: TimeInput,
  apiKey?: string
): void {
  finish(span, endTime, 'record the error', () => {
    if (extra) span.setAttributes(extra);
    span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
    const e = error instanceof Error ? (error as Error & { code?: unknown }) : undefined;
    const message = scrubSecrets(e ? e.message : String(error), apiKey);
    // As recordException would: the code, else the name, as the type.
    const event: Attributes = { [ATTR_EXCEPTION_MESSAGE]: message };
    if (e?.code || e?.name) event[ATTR_EXCEPTION_TYPE] = e.code ? String(e.code) : e.name;
    if (typeof e?.stack === 'string') event[ATTR_EXCEPTION_STACKTRACE] = scrubSecrets(e.stack, apiKey);
    span.addEvent(EVENT_EXCEPTION, event);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e ? message : undefined });
  });
}

/** Records (only on a recording span) and ends the span; a failure in either is reported, never thrown. */
function finish(span: Span, endTime: TimeInput | undefined, what: string, record: () => void): void {
  try {
    if (span.isRecording()) record();
  } catch (err) {
    diag.warn(`opentelemetry-instrumentation-google-genai: could not ${what}`, err);
  }
  endQuietly(span, endTime);
}

function endQuietly(span: Span, endTime: TimeInput | undefined): void {
  try {
    span.end(endTime);
  } catch (err) {
    diag.warn('opentelemetry-instrumentation-google-genai: could not end a span', err);
  }
}
