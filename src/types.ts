import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { RedactMessage } from './mapping/capture.js';
import type { ModelPrice } from './mapping/cost.js';
import type { EndUserOptions } from './mapping/enduser.js';

/**
 * Options of {@link GeminiInstrumentation}. Besides these, the standard
 * `OTEL_*` environment variables configure the SDK that exports what we record.
 */
/**
 * End-user identity (see EndUserOptions): `endUserId`, `endUserBaggageKeys`,
 * `endUserIdSalt`, `recordRawEndUserId`.
 */
export interface GeminiInstrumentationConfig extends InstrumentationConfig, EndUserOptions {
  /**
   * A `chunk_progress` event on a stream's span every this many chunks, with
   * the count so far in its `chunks` attribute. 0 turns the events off.
   * @default 100
   */
  chunkProgressInterval?: number;
  /**
   * A stream that nobody reads for this long (no `next()` call pending) has
   * its span ended with `gcp.gen_ai.stream.outcome` = `abandoned`, so it is
   * exported even if the app never drains it. The stream itself is not
   * touched. 0 disables the idle check: such spans then end when the tracer
   * provider shuts down.
   * @default 60000
   */
  streamIdleTimeoutMs?: number;
  /**
   * Record the `gen_ai.client.operation.time_per_output_chunk` histogram: one
   * point for every stream chunk after the first, as the conventions
   * recommend. `false` turns it off: it is the costliest thing done per chunk
   * (the metrics SDK hashes a point's attributes on every record, a few µs).
   * Time to first chunk, duration and chunk count are always recorded.
   * @default true
   */
  timePerOutputChunkMetric?: boolean;
  /**
   * Trace `models.countTokens` and `models.computeTokens` (spans
   * `count_tokens {model}`, `compute_tokens {model}`). Off by default: no
   * convention covers them, and they are free calls that some apps make
   * before every request.
   * @default false
   */
  traceTokenCounting?: boolean;
  /**
   * Trace the polling of long-running operations (`operations.getVideosOperation`
   * / `operations.get`): a `get_operation` span per poll, with
   * `gcp.gen_ai.operation.id` and `gcp.gen_ai.operation.done`. Off by default:
   * an app may poll every few seconds for minutes. The span of the request
   * that started the operation carries the same id.
   * @default false
   */
  traceOperationPolling?: boolean;
  /**
   * `gen_ai.agent.name` on the `agent.run` and `execute_tool` spans of
   * function-calling loops.
   */
  agentName?: string;
  /**
   * Where message content may be recorded: `NO_CONTENT` (default),
   * `SPAN_ONLY`, `EVENT_ONLY`, `SPAN_AND_EVENT`, or `PREVIEW` (on spans, each
   * message as a SHA-256 hash, its first 32 characters and its length); `true` means
   * `SPAN_AND_EVENT` and `false` `NO_CONTENT`. Overrides
   * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT. Today this covers the
   * arguments and results of tool calls (`gen_ai.tool.call.arguments`,
   * `gen_ai.tool.call.result`), recorded on spans.
   */
  captureMessageContent?: 'NO_CONTENT' | 'SPAN_ONLY' | 'EVENT_ONLY' | 'SPAN_AND_EVENT' | 'PREVIEW' | boolean;
  /**
   * Rewrites or drops each message before it is recorded (content capture
   * only): return the message to record, or undefined / null to leave it out.
   * If it throws, the messages of that attribute are not recorded at all.
   */
  redactMessage?: RedactMessage;
  /**
   * Longest recorded content value, in characters of JSON; longer values are
   * replaced by `{"truncated":true,"length":N,"prefix":"..."}`.
   * @default 16384
   */
  maxContentLength?: number;
  /**
   * Prices (USD per 1M tokens) that replace or extend the built-in table, by
   * model id: `{ 'my-model': { input: 1, output: 4, cachedInput: 0.1,
   * longContext: { aboveInputTokens: 200000, input: 2, output: 8 },
   * serviceTiers: { flex: { input: 0.5, output: 2 } },
   * scheduled: [{ effectiveFrom: '2027-03-01', input: 1.5, output: 6 }] } }`.
   * Per-modality rates: `inputAudio`, `cachedInputAudio`, `inputImage`,
   * `inputVideo`, `outputImage`, `outputAudio`.
   */
  prices?: Record<string, ModelPrice>;
}
