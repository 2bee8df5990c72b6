/*
 * The Interactions API (`ai.interactions`, @google/genai 2.x and 3.x) in the
 * shapes the rest of the mapping reads: a create request as generateContent
 * parameters (model, generation config), an interaction as a response (id,
 * model, usage as `usageMetadata`), and the attributes of its own that the
 * conventions define (status, previous interaction, stream cursor). Pure.
 */
import type { Attributes } from '@opentelemetry/api';
import type {
  ContentLike,
  PartLike,
  GenerateContentParametersLike,
  GenerateContentResponseLike,
  UsageMetadataLike,
} from '../internal-types.js';
import { addModalities } from './attributes.js';
import * as sc from '../semconv.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object';
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;

/** The managed agent a create request runs (`agent`: its name, or an object with one), if it runs one. */
export function interactionAgent(params: unknown): string | undefined {
  if (!isObject(params) || params.agent === undefined) return undefined;
  const agent = params.agent;
  return str(agent) ?? (isObject(agent) ? (str(agent.name) ?? str(agent.id) ?? '') : '');
}

/** A content item (text, image, audio, video, document) as a Gemini part: text, or its bytes or URI by MIME type. */
function part(item: unknown): PartLike | undefined {
  if (typeof item === 'string') return { text: item };
  if (!isObject(item)) return undefined;
  if (item.type === 'text') return { text: typeof item.text === 'string' ? item.text : '' };
  const mimeType = str(item.mime_type);
  if (typeof item.data === 'string') return { inlineData: { mimeType, data: item.data } } as PartLike;
  if (typeof item.uri === 'string') return { fileData: { mimeType, fileUri: item.uri } } as PartLike;
  return undefined;
}

const parts = (items: unknown): PartLike[] =>
  (Array.isArray(items) ? items : [items]).map(part).filter((p): p is PartLike => p !== undefined);

/** A step as a Gemini content: the user's input and function results on the user's side, the rest the model's. */
function stepContent(step: Json): ContentLike | undefined {
  switch (step.type) {
    case 'user_input':
      return { role: 'user', parts: parts(step.content ?? []) };
    case 'function_result':
      return {
        role: 'user',
        parts: [
          { functionResponse: { id: str(step.call_id), name: str(step.name), response: { result: step.result } } },
        ],
      } as ContentLike;
    case 'function_call':
      return {
        role: 'model',
        parts: [{ functionCall: { id: str(step.id), name: str(step.name), args: step.arguments } }],
      } as ContentLike;
    case 'model_output':
      return { role: 'model', parts: parts(step.content ?? []) };
    case 'thought':
      return { role: 'model', parts: parts(step.summary ?? []).map((p) => ({ ...p, thought: true })) } as ContentLike;
    default:
      return undefined;
  }
}

/** A create request's `input` (a string, a content item, content items, or steps) as Gemini contents. */
export function interactionContents(input: unknown): ContentLike[] | undefined {
  if (input === undefined || input === null) return undefined;
  if (!Array.isArray(input)) return [{ role: 'user', parts: parts(input) }];
  const isStep = (v: unknown) => isObject(v) && typeof v.type === 'string' && STEP_TYPES.has(v.type);
  if (!input.some(isStep)) return [{ role: 'user', parts: parts(input) }];
  // One content per turn, as Gemini's contents are: a turn's function results are its parts.
  const contents: ContentLike[] = [];
  for (const step of input) {
    const content = isObject(step) ? stepContent(step) : undefined;
    if (!content) continue;
    const last = contents[contents.length - 1];
    if (last?.role === content.role) last.parts = [...(last.parts ?? []), ...(content.parts ?? [])];
    else contents.push(content);
  }
  return contents;
}

const STEP_TYPES = new Set(['user_input', 'function_result', 'function_call', 'model_output', 'thought']);

/** Function tools (`{type: 'function', name, description, parameters}`) as Gemini function declarations. */
function functionTools(tools: unknown): unknown[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  const declarations = tools
    .filter((t): t is Json => isObject(t) && t.type === 'function')
    .map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  const out: unknown[] = declarations.length > 0 ? [{ functionDeclarations: declarations }] : [];
  // Server-side tools by their Gemini `Tool` key (`google_search` to `googleSearch`), settings left out.
  for (const t of tools) {
    if (!isObject(t) || typeof t.type !== 'string' || t.type === 'function' || !/^[a-z_]+$/.test(t.type)) continue;
    out.push({ [t.type.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())]: {} });
  }
  return out.length > 0 ? out : undefined;
}

/**
 * A create request as generateContent's parameters: its model, generation
 * config, input as contents, system instruction and function tools, so the
 * round trip reads them as it reads generateContent's (request attributes,
 * the calls an input answers, captured content).
 */
export function interactionParams(params: unknown): GenerateContentParametersLike {
  const p = isObject(params) ? params : {};
  const g = isObject(p.generation_config) ? p.generation_config : {};
  return {
    model: str(p.model),
    contents: interactionContents(p.input),
    config: {
      systemInstruction: str(p.system_instruction),
      tools: functionTools(p.tools),
      temperature: g.temperature as number | undefined,
      topP: g.top_p as number | undefined,
      maxOutputTokens: g.max_output_tokens as number | undefined,
      seed: g.seed as number | undefined,
      stopSequences: g.stop_sequences as string[] | undefined,
      thinkingConfig: str(g.thinking_level) ? { thinkingLevel: str(g.thinking_level) } : undefined,
      // 3.x: `flex`, `standard`, `priority`, `deferred`: priced like a generateContent call's tier.
      serviceTier: str(p.service_tier),
    },
  } as GenerateContentParametersLike;
}

/** What a create request carries beyond generateContent's: the previous interaction it continues, and whether it runs in the background. */
export function interactionRequestAttributes(params: unknown): Attributes {
  const attrs: Attributes = {};
  if (!isObject(params)) return attrs;
  const previous = str(params.previous_interaction_id);
  if (previous) attrs[sc.ATTR_GEN_AI_REQUEST_PREVIOUS_RESPONSE_ID] = previous;
  if (params.background === true) attrs[sc.ATTR_GCP_GEN_AI_REQUEST_BACKGROUND] = true;
  return attrs;
}

/** A fetch of a stored interaction (`interactions.get`): its id, and the event it resumes a stream after. */
export function fetchAttributes(id: unknown, params: unknown): Attributes {
  const attrs: Attributes = {};
  const responseId = str(id);
  if (responseId) attrs[sc.ATTR_GEN_AI_RESPONSE_ID] = responseId;
  const cursor = isObject(params) ? str(params.last_event_id) : undefined;
  if (cursor) attrs[sc.ATTR_GEN_AI_REQUEST_STREAM_CURSOR] = cursor;
  return attrs;
}

/**
 * An interaction's usage as Gemini's `usageMetadata`: input includes cached
 * tokens (as `promptTokenCount` does), output and thoughts apart (output
 * tokens are then their sum, as for generateContent), tool-use prompt tokens
 * apart (counted as input).
 */
export function interactionUsage(usage: unknown): UsageMetadataLike | undefined {
  if (!isObject(usage)) return undefined;
  const u: UsageMetadataLike = {
    promptTokenCount: count(usage.total_input_tokens),
    cachedContentTokenCount: count(usage.total_cached_tokens),
    candidatesTokenCount: count(usage.total_output_tokens),
    thoughtsTokenCount: count(usage.total_thought_tokens),
    toolUsePromptTokenCount: count(usage.total_tool_use_tokens),
    totalTokenCount: count(usage.total_tokens),
  };
  return Object.values(u).some((v) => v !== undefined) ? u : undefined;
}

/** The model's steps of an interaction (those after the last input) as one Gemini candidate's parts. */
function outputParts(steps: unknown): PartLike[] {
  if (!Array.isArray(steps)) return [];
  let from = 0;
  steps.forEach((step, i) => {
    if (isObject(step) && (step.type === 'user_input' || step.type === 'function_result')) from = i + 1;
  });
  const out: PartLike[] = [];
  for (const step of steps.slice(from)) {
    const content = isObject(step) ? stepContent(step) : undefined;
    if (content?.role === 'model' && Array.isArray(content.parts)) out.push(...content.parts);
  }
  return out;
}

/**
 * An interaction (or a stream event's interaction) as a response: id,
 * model, the model's steps as a candidate (its function calls, its output
 * for captured content), and usage unless `usage` is false (a fetch).
 */
export function interactionAsResponse(interaction: unknown, usage = true): GenerateContentResponseLike | undefined {
  if (!isObject(interaction)) return undefined;
  const output = outputParts(interaction.steps);
  return {
    responseId: str(interaction.id),
    modelVersion: str(interaction.model),
    usageMetadata: usage ? interactionUsage(interaction.usage) : undefined,
    candidates: output.length > 0 ? [{ content: { role: 'model', parts: output } }] : undefined,
  } as GenerateContentResponseLike;
}

/** `gen_ai.response.status` of an interaction, when it says one. */
export function interactionStatus(interaction: unknown): string | undefined {
  return isObject(interaction) ? str(interaction.status) : undefined;
}

/** `agents.create`: the agent's name (its id, as the app gives it) and description. */
export function agentAttributes(params: unknown): Attributes {
  const attrs: Attributes = {};
  if (!isObject(params)) return attrs;
  const name = str(params.id) ?? str(params.base_agent);
  if (name) attrs[sc.ATTR_GEN_AI_AGENT_NAME] = name;
  const description = str(params.description);
  if (description) attrs[sc.ATTR_GEN_AI_AGENT_DESCRIPTION] = description;
  return attrs;
}

/** `triggers.run`: the execution it started and the interaction that runs the agent. */
export function triggerExecutionAttributes(execution: unknown): Attributes {
  const attrs: Attributes = {};
  if (!isObject(execution)) return attrs;
  const id = str(execution.id);
  if (id) attrs[sc.ATTR_GCP_GEN_AI_TRIGGER_EXECUTION_ID] = id;
  const interaction = str(execution.interaction_id);
  if (interaction) attrs[sc.ATTR_GEN_AI_RESPONSE_ID] = interaction;
  return attrs;
}

/** `decisions.create`: how many questions were asked, and how many answered. */
export function decisionAttributes(params: unknown, response: unknown): Attributes {
  const attrs: Attributes = {};
  const questions = isObject(params) && isObject(params.questions) ? Object.keys(params.questions).length : undefined;
  if (questions !== undefined) attrs[sc.ATTR_GCP_GEN_AI_DECISION_QUESTION_COUNT] = questions;
  const answers = isObject(response) && isObject(response.answers) ? Object.keys(response.answers).length : undefined;
  if (answers !== undefined) attrs[sc.ATTR_GCP_GEN_AI_DECISION_ANSWER_COUNT] = answers;
  return attrs;
}

/**
 * An interaction's usage by modality (`input_tokens_by_modality`, `output_tokens_by_modality`,
 * `cached_tokens_by_modality`: `{modality, tokens}`), as the per-modality attributes. Modalities the
 * conventions name (text, image, audio) under `gen_ai.usage.*`, others (video, document) under
 * `gcp.gen_ai.usage.*`; an unknown, malformed or zero entry is left out (as for generateContent).
 */
export function interactionModalityAttributes(usage: unknown): Attributes {
  const attrs: Attributes = {};
  if (!isObject(usage)) return attrs;
  addModalities(attrs, usage.input_tokens_by_modality, 'input_tokens', 'tokens');
  addModalities(attrs, usage.output_tokens_by_modality, 'output_tokens', 'tokens');
  addModalities(attrs, usage.cached_tokens_by_modality, 'cache_read.input_tokens', 'tokens');
  return attrs;
}
