/*
 * Decisions (`ai.decisions.create`, @google/genai 3.x): a model answers named
 * questions about an input. A `generate_content {model}` CLIENT span per HTTP
 * round trip (bridge.ts), with its usage and cost like any model call, the
 * number of questions and answers, and a blocked prompt's reason.
 */
import type { GenerateContentResponseLike } from '../internal-types.js';
import {
  decisionAttributes,
  interactionContents,
  interactionModalityAttributes,
  interactionUsage,
} from '../mapping/interactions.js';
import * as sc from '../semconv.js';
import { BridgeCall, transport, type Bridge } from './bridge.js';
import type { Surface } from './surface.js';

export const decisionsCreate: Surface = {
  owner: 'Decisions',
  method: 'create',
  operation: sc.GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT,
  start: (at, self, args) => {
    const params = args[0] as { model?: unknown; input?: unknown } | undefined;
    return new BridgeCall(at, self as Bridge, {
      params: {
        model: typeof params?.model === 'string' ? params.model : undefined,
        contents: interactionContents(params?.input),
      },
      stream: false,
      usage: true,
      result: (value) => {
        const v = value as { usage?: unknown; prompt_feedback?: { block_reason?: unknown } } | undefined;
        const block = v?.prompt_feedback?.block_reason;
        const response = {
          usageMetadata: interactionUsage(v?.usage),
          promptFeedback: typeof block === 'string' ? { blockReason: block } : undefined,
        } as GenerateContentResponseLike;
        return {
          response,
          attributes: { ...decisionAttributes(params, value), ...interactionModalityAttributes(v?.usage) },
        };
      },
    });
  },
};

export const decisionsTransport = transport('Decisions');
