/*
 * Running a managed agent's trigger (`ai.triggers.run`, @google/genai 3.x):
 * an `invoke_agent` CLIENT span per HTTP round trip (bridge.ts) with the
 * trigger's id, the execution it started, and as `gen_ai.response.id` the
 * interaction that runs the agent (its polls, `fetch_response` spans, carry
 * the same id). The run's request names no agent: the span name has none.
 * Creating, listing, updating and deleting triggers are not traced (README,
 * Not traced).
 */
import { triggerExecutionAttributes } from '../mapping/interactions.js';
import * as sc from '../semconv.js';
import { BridgeCall, transport, type Bridge } from './bridge.js';
import type { Surface } from './surface.js';

export const triggersRun: Surface = {
  owner: 'Triggers',
  method: 'run',
  operation: sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  start: (at, self, args) =>
    new BridgeCall(at, self as Bridge, {
      params: undefined,
      stream: false,
      usage: false,
      kind: {
        operation: sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
        spanName: sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
        priced: false,
      },
      start: () => (typeof args[0] === 'string' ? { [sc.ATTR_GCP_GEN_AI_TRIGGER_ID]: args[0] } : {}),
      result: (execution) => ({ attributes: triggerExecutionAttributes(execution) }),
    }),
};

export const triggersTransport = transport('Triggers');
