/*
 * The Interactions API (`ai.interactions`, @google/genai 2.x and 3.x): one
 * CLIENT span per HTTP round trip (bridge.ts) of `create`
 * (`generate_content {model}`, or `invoke_agent {agent}` for a managed
 * agent) and of `get` (`fetch_response`, without usage, the conventions').
 * `cancel` and `delete` are not traced (README, Not traced).
 */
import { spanName } from '../mapping/attributes.js';
import * as sc from '../semconv.js';
import {
  fetchAttributes,
  interactionAgent,
  interactionParams,
  interactionRequestAttributes,
} from '../mapping/interactions.js';
import { BridgeCall, transport, type Bridge, type CallSpec } from './bridge.js';
import type { Surface } from './surface.js';

export const interactionsCreate: Surface = {
  owner: 'Interactions',
  method: 'create',
  operation: sc.GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
  start: (at, self, args) => new BridgeCall(at, self as Bridge, createSpec(args[0])),
};

/** `interactions.get`: a `fetch_response` span per HTTP round trip, without usage (the conventions'). */
export const interactionsGet: Surface = {
  owner: 'Interactions',
  method: 'get',
  operation: sc.GEN_AI_OPERATION_NAME_VALUE_FETCH_RESPONSE,
  start: (at, self, args) =>
    new BridgeCall(at, self as Bridge, {
      params: undefined,
      stream: (args[1] as { stream?: unknown } | undefined)?.stream === true,
      kind: {
        operation: sc.GEN_AI_OPERATION_NAME_VALUE_FETCH_RESPONSE,
        spanName: sc.GEN_AI_OPERATION_NAME_VALUE_FETCH_RESPONSE,
        priced: false,
      },
      start: () => fetchAttributes(args[0], args[1]),
      usage: false,
    }),
};

/** A create: a model's `generate_content {model}`, or a managed agent's `invoke_agent {agent}` (CLIENT). */
function createSpec(params: unknown): CallSpec {
  const stream = (params as { stream?: unknown } | undefined)?.stream === true;
  const start = () => interactionRequestAttributes(params);
  const agent = interactionAgent(params);
  if (agent === undefined) return { params: interactionParams(params), stream, start, usage: true };
  return {
    params: undefined,
    stream,
    start,
    usage: true,
    kind: {
      operation: sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
      spanName: spanName(sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT, agent),
      attributes: agent ? { [sc.ATTR_GEN_AI_AGENT_NAME]: agent } : undefined,
      priced: false,
    },
  };
}

export const interactionsTransport = transport('Interactions');
