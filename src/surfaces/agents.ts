/*
 * Managed agents (`ai.agents.create`, @google/genai 3.x): a `create_agent
 * {name}` CLIENT span per HTTP round trip (bridge.ts), with the agent's id
 * from the response. Listing, getting and deleting agents are not traced
 * (README, Not traced).
 */
import { spanName } from '../mapping/attributes.js';
import { agentAttributes } from '../mapping/interactions.js';
import * as sc from '../semconv.js';
import { BridgeCall, transport, type Bridge } from './bridge.js';
import type { Surface } from './surface.js';

export const agentsCreate: Surface = {
  owner: 'Agents',
  method: 'create',
  operation: sc.GEN_AI_OPERATION_NAME_VALUE_CREATE_AGENT,
  start: (at, self, args) => {
    const attributes = agentAttributes(args[0]);
    const name = attributes[sc.ATTR_GEN_AI_AGENT_NAME];
    return new BridgeCall(at, self as Bridge, {
      params: undefined,
      stream: false,
      usage: false,
      kind: {
        operation: sc.GEN_AI_OPERATION_NAME_VALUE_CREATE_AGENT,
        spanName: spanName(sc.GEN_AI_OPERATION_NAME_VALUE_CREATE_AGENT, name as string | undefined),
        attributes,
        priced: false,
      },
      result: (agent) => {
        const id = (agent as { id?: unknown } | undefined)?.id;
        return { attributes: typeof id === 'string' && id ? { [sc.ATTR_GEN_AI_AGENT_ID]: id } : undefined };
      },
    });
  },
};

export const agentsTransport = transport('Agents');
