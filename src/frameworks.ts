/*
 * Frameworks that drive @google/genai and emit spans of their own. Their
 * spans are no-ops until an SDK is registered; once our preload registers
 * one, a framework that records prompts and answers by default would export
 * the user's text although our content capture is off. The preload turns
 * each known framework's own documented switch off in that case, and never
 * changes a value the user set.
 */
import { capturesOnEvents, capturesOnSpans, type CaptureMode } from './mapping/capture.js';

export interface FrameworkContentSwitch {
  framework: string;
  /** The environment variable the framework reads. */
  env: string;
  /** The value that keeps message content out of its spans. */
  off: string;
}

export const FRAMEWORK_CONTENT_SWITCHES: readonly FrameworkContentSwitch[] = [
  // @google/adk 2.0 reads it per span (telemetry/tracing.js), `true` when unset:
  // gcp.vertex.agent.llm_request / llm_response / tool_call_args / tool_response.
  { framework: 'Google ADK (@google/adk)', env: 'ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS', off: 'false' },
];

/**
 * Sets each framework's content switch off when our capture mode records no
 * full content (NO_CONTENT, the default, and PREVIEW) and the user left the
 * switch unset. Returns the variables it set.
 */
export function quietFrameworkContent(mode: CaptureMode, env: NodeJS.ProcessEnv = process.env): string[] {
  if (mode !== 'PREVIEW' && (capturesOnSpans(mode) || capturesOnEvents(mode))) return [];
  const set: string[] = [];
  for (const s of FRAMEWORK_CONTENT_SWITCHES) {
    if (env[s.env] !== undefined) continue;
    env[s.env] = s.off;
    set.push(s.env);
  }
  return set;
}
