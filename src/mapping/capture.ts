/*
 * Settings read from the options and the environment: one place, read when
 * used, so `setConfig()` takes effect at once.
 */

/** Where message content may go. Nothing leaves the process unless a user chose one of the last three. */
export type CaptureMode = 'NO_CONTENT' | 'SPAN_ONLY' | 'EVENT_ONLY' | 'SPAN_AND_EVENT' | 'PREVIEW';

export const CAPTURE_CONTENT_ENV = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';
export const DEFAULT_MAX_CONTENT_LENGTH = 16 * 1024;

const MODES: readonly CaptureMode[] = ['NO_CONTENT', 'SPAN_ONLY', 'EVENT_ONLY', 'SPAN_AND_EVENT', 'PREVIEW'];

/**
 * The capture mode: the `captureMessageContent` option when given, else
 * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, else NO_CONTENT. The
 * legacy booleans: `true` means SPAN_AND_EVENT (everything), `false`
 * NO_CONTENT. Anything unknown is NO_CONTENT: never capture by mistake.
 */
export function captureMode(option: string | boolean | undefined, env = process.env[CAPTURE_CONTENT_ENV]): CaptureMode {
  const value = option ?? env;
  if (value === undefined || value === null) return 'NO_CONTENT';
  const text = String(value).trim().toUpperCase();
  if (text === 'TRUE') return 'SPAN_AND_EVENT';
  return (MODES as readonly string[]).includes(text) ? (text as CaptureMode) : 'NO_CONTENT';
}

export function capturesOnSpans(mode: CaptureMode): boolean {
  return mode === 'SPAN_ONLY' || mode === 'SPAN_AND_EVENT' || mode === 'PREVIEW';
}

export function capturesOnEvents(mode: CaptureMode): boolean {
  return mode === 'EVENT_ONLY' || mode === 'SPAN_AND_EVENT';
}

/** A message as recorded: the conventions' shape (role, parts, finish_reason...). */
export type RecordedMessage = Record<string, unknown>;

/**
 * Called with each message (and with the system instruction as a message of
 * role `system`) before it is recorded; returns the message to record, or
 * undefined / null to leave it out.
 */
export type RedactMessage = (
  message: RecordedMessage,
  attribute: 'gen_ai.input.messages' | 'gen_ai.output.messages' | 'gen_ai.system_instructions'
) => RecordedMessage | undefined | null;

/** Where content goes for one operation, and how. */
export interface ContentCapture {
  onSpans: boolean;
  onEvents: boolean;
  maxLength: number;
  /** PREVIEW: per message a hash, the first 32 characters and the length instead of the text. */
  preview: boolean;
  redact?: RedactMessage;
}

/**
 * `value` as JSON of at most about `max` characters. Longer JSON is replaced
 * by a JSON object that says so and keeps the start:
 * `{"truncated":true,"length":N,"prefix":"..."}`, so the attribute stays
 * valid JSON. Undefined when the value cannot be serialized.
 */
export function boundedJson(value: unknown, max: number): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    return undefined;
  }
  if (json === undefined) return undefined;
  if (max <= 0 || json.length <= max) return json;
  return JSON.stringify({ truncated: true, length: json.length, prefix: json.slice(0, max) });
}
