/*
 * Settings: the instrumentation's options and the environment, resolved once
 * per `setConfig()` into one frozen object. Every call reads the Settings of
 * the moment it starts; nothing re-reads options or `process.env` per call.
 */
import type { GeminiInstrumentationConfig } from '../types.js';
import {
  CAPTURE_CONTENT_ENV,
  captureMode,
  capturesOnEvents,
  capturesOnSpans,
  DEFAULT_MAX_CONTENT_LENGTH,
  type ContentCapture,
} from '../mapping/capture.js';
import type { PriceTable } from '../mapping/cost.js';
import { DEFAULT_ENDUSER_SALT, ENDUSER_SALT_ENV, type EndUserSettings } from '../mapping/enduser.js';
import { BUILTIN_PRICES } from '../mapping/prices.js';

export const DEFAULT_CHUNK_PROGRESS_INTERVAL = 100;
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 60_000;

export interface StreamSettings {
  /** A `chunk_progress` event every this many chunks; 0 for none. */
  readonly chunkProgressInterval: number;
  /** End the span of a stream nobody reads for this long; 0 to wait for shutdown only. */
  readonly idleTimeoutMs: number;
  /** Record `gen_ai.client.operation.time_per_output_chunk`, a metric point per chunk. */
  readonly timePerOutputChunk: boolean;
}

/** Kinds of call traced only when the app asks for them. */
export type OptIn = 'tokenCounting' | 'operationPolling';

export interface Settings {
  /** Where message content goes; undefined for NO_CONTENT (the default). */
  readonly capture: ContentCapture | undefined;
  /** Max length of recorded tool arguments and results; undefined: not recorded (content off, events only, PREVIEW). */
  readonly toolContentLimit: number | undefined;
  readonly stream: StreamSettings;
  readonly optIns: Readonly<Record<OptIn, boolean>>;
  /** `gen_ai.agent.name` of the loops the SDK runs. */
  readonly agentName: string | undefined;
  /** The built-in prices with the `prices` option over them. */
  readonly prices: PriceTable;
  readonly endUser: EndUserSettings;
}

export function resolveSettings(config: GeminiInstrumentationConfig, env: NodeJS.ProcessEnv = process.env): Settings {
  const mode = captureMode(config.captureMessageContent, env[CAPTURE_CONTENT_ENV]);
  const capture: ContentCapture | undefined =
    mode === 'NO_CONTENT'
      ? undefined
      : Object.freeze({
          onSpans: capturesOnSpans(mode),
          onEvents: capturesOnEvents(mode),
          maxLength: config.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH,
          preview: mode === 'PREVIEW',
          redact: config.redactMessage,
        });
  return Object.freeze({
    capture,
    // Tool arguments and results are recorded whole or not at all: not in PREVIEW.
    toolContentLimit: capture?.onSpans && !capture.preview ? capture.maxLength : undefined,
    stream: Object.freeze({
      chunkProgressInterval: config.chunkProgressInterval ?? DEFAULT_CHUNK_PROGRESS_INTERVAL,
      idleTimeoutMs: config.streamIdleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS,
      timePerOutputChunk: config.timePerOutputChunkMetric !== false,
    }),
    optIns: Object.freeze({
      tokenCounting: config.traceTokenCounting === true,
      operationPolling: config.traceOperationPolling === true,
    }),
    agentName: config.agentName,
    prices: config.prices ? Object.freeze({ ...BUILTIN_PRICES, ...config.prices }) : BUILTIN_PRICES,
    endUser: Object.freeze({
      id: config.endUserId,
      baggageKeys: config.endUserBaggageKeys ?? {},
      salt: config.endUserIdSalt ?? env[ENDUSER_SALT_ENV] ?? DEFAULT_ENDUSER_SALT,
      raw: config.recordRawEndUserId === true,
    }),
  });
}
