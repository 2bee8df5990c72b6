/*
 * Pure mapping from @google/genai requests, responses and errors to span
 * attributes: the provider, server, request parameters, usage, finish
 * reasons, response id and model, error type, function calls asked for and
 * answered. No OpenTelemetry SDK, no state, no caches (their owner,
 * core/telemetry.ts, keeps those): every function here is testable on plain
 * objects, and "where is X read" has one answer: this file.
 */
import type { Attributes } from '@opentelemetry/api';
import type {
  ApiClientLike,
  CallableToolLike,
  CandidateLike,
  ContentLike,
  FunctionCallLike,
  FunctionDeclarationLike,
  GenerateContentParametersLike,
  GenerateContentResponseLike,
  GenerationConfigLike,
  ModalityTokenCountLike,
  UsageMetadataLike,
} from '../internal-types.js';
import * as sc from '../semconv.js';

/** `gcp.vertex_ai` when the client talks to Vertex AI, else `gcp.gemini` (the Gemini Developer API). */
export function providerName(apiClient: ApiClientLike | undefined): string {
  return apiClient?.isVertexAI?.() === true
    ? sc.GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI
    : sc.GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI;
}

export interface ServerAttributes {
  address?: string;
  port?: number;
}

/** `server.address` and `server.port` from the client's base URL (the default port of its scheme when none is given). */
export function serverFromBaseUrl(baseUrl: string | undefined): ServerAttributes {
  if (!baseUrl) return {};
  let server: ServerAttributes = {};
  try {
    const url = new URL(baseUrl);
    const port = url.port
      ? Number(url.port)
      : url.protocol === 'https:'
        ? 443
        : url.protocol === 'http:'
          ? 80
          : undefined;
    // IPv6 hosts come back bracketed from URL; the convention wants the bare address.
    server = { address: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
  } catch {
    server = {};
  }
  return server;
}

/** The span name the conventions ask for: `{operation} {model}`. */
export function spanName(operation: string, model: string | undefined): string {
  return model ? `${operation} ${model}` : operation;
}

/**
 * The attributes a sampler may look at, so they are set when the span starts:
 * operation, provider, requested model, server address and port.
 */
export function samplingAttributes(
  operation: string,
  apiClient: ApiClientLike | undefined,
  model: string | undefined
): Attributes {
  const attrs: Attributes = {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: operation,
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: providerName(apiClient),
  };
  if (typeof model === 'string' && model) attrs[sc.ATTR_GEN_AI_REQUEST_MODEL] = model;
  const server = serverFromBaseUrl(apiClient?.getBaseUrl?.());
  if (server.address) attrs[sc.ATTR_SERVER_ADDRESS] = server.address;
  if (server.port !== undefined) attrs[sc.ATTR_SERVER_PORT] = server.port;
  return attrs;
}

function setNumber(attrs: Attributes, key: string, value: unknown): void {
  if (typeof value === 'number' && Number.isFinite(value)) attrs[key] = value;
}

function setInt(attrs: Attributes, key: string, value: unknown): void {
  if (typeof value === 'number' && Number.isInteger(value)) attrs[key] = value;
}

/** The requested generation parameters, named as the conventions name them. */
export function requestAttributes(params: GenerateContentParametersLike | undefined): Attributes {
  const attrs: Attributes = {};
  const config = params?.config;
  if (!config || typeof config !== 'object') {
    attrs[sc.ATTR_GEN_AI_OUTPUT_TYPE] = sc.GEN_AI_OUTPUT_TYPE_VALUE_TEXT;
    return attrs;
  }
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TEMPERATURE, config.temperature);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TOP_P, config.topP);
  setInt(attrs, sc.ATTR_GEN_AI_REQUEST_TOP_K, config.topK);
  setInt(attrs, sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS, config.maxOutputTokens);
  setInt(attrs, sc.ATTR_GEN_AI_REQUEST_SEED, config.seed);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, config.presencePenalty);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, config.frequencyPenalty);
  // The conventions want the choice count only when it differs from 1.
  if (config.candidateCount !== 1) setInt(attrs, sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT, config.candidateCount);
  const stop = config.stopSequences;
  if (Array.isArray(stop) && stop.length > 0) {
    attrs[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop.filter((s): s is string => typeof s === 'string');
  }
  attrs[sc.ATTR_GEN_AI_OUTPUT_TYPE] = outputType(config);
  const thinking = config.thinkingConfig;
  if (thinking && typeof thinking === 'object') {
    if (typeof thinking.thinkingLevel === 'string' && thinking.thinkingLevel) {
      attrs[sc.ATTR_GEN_AI_REQUEST_REASONING_LEVEL] = thinking.thinkingLevel;
    }
    setInt(attrs, sc.ATTR_GCP_GEN_AI_REQUEST_THINKING_BUDGET, thinking.thinkingBudget);
  }
  const tier = requestServiceTier(params);
  if (tier !== undefined) attrs[sc.ATTR_GCP_GEN_AI_REQUEST_SERVICE_TIER] = tier;
  const serverTools = serverToolsOf(config.tools);
  if (serverTools.length > 0) attrs[sc.ATTR_GCP_GEN_AI_REQUEST_SERVER_TOOLS] = serverTools;
  return attrs;
}

/** The SDK's `Tool` keys of the tools the server runs, by the name we record. */
const SERVER_TOOLS: Record<string, string> = {
  googleSearch: 'google_search',
  googleSearchRetrieval: 'google_search_retrieval',
  urlContext: 'url_context',
  codeExecution: 'code_execution',
  fileSearch: 'file_search',
  googleMaps: 'google_maps',
  enterpriseWebSearch: 'enterprise_web_search',
  retrieval: 'retrieval',
  computerUse: 'computer_use',
  mcpServers: 'mcp',
  exaAiSearch: 'exa_ai_search',
  parallelAiSearch: 'parallel_ai_search',
};

/** The server-side tools a request's `config.tools` enable, each once, in order; names only, never their settings. */
export function serverToolsOf(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  const names: string[] = [];
  for (const tool of tools) {
    if (!tool || typeof tool !== 'object') continue;
    for (const key of Object.keys(tool)) {
      const name = SERVER_TOOLS[key];
      if (name !== undefined && (tool as Record<string, unknown>)[key] != null && !names.includes(name))
        names.push(name);
    }
  }
  return names;
}

/** `config.serviceTier` (3.x), lowercased; `unspecified` is no tier. */
export function requestServiceTier(params: GenerateContentParametersLike | undefined): string | undefined {
  return normalTier(params?.config?.serviceTier);
}

function normalTier(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const tier = value.toLowerCase().replace(/^service_tier_/, '');
  return tier === 'unspecified' ? undefined : tier;
}

/** Vertex AI's `trafficType`, as a tier. */
const TRAFFIC_TYPES: Record<string, string> = {
  ON_DEMAND: 'standard',
  ON_DEMAND_FLEX: 'flex',
  ON_DEMAND_PRIORITY: 'priority',
  ON_DEMAND_OFFPEAK: 'off_peak',
  PROVISIONED_THROUGHPUT: 'provisioned_throughput',
};

/** The tier that served the call, when the response says: `usageMetadata.serviceTier` (Gemini API) or `trafficType` (Vertex AI). */
export function responseServiceTier(usage: UsageMetadataLike | undefined): string | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const tier = normalTier(usage.serviceTier);
  if (tier !== undefined) return tier;
  const traffic = usage.trafficType;
  if (typeof traffic !== 'string' || !traffic || traffic === 'TRAFFIC_TYPE_UNSPECIFIED') return undefined;
  return TRAFFIC_TYPES[traffic] ?? traffic.toLowerCase();
}

/**
 * `gen_ai.output.type`: what the request asks for. Image or audio output
 * (`responseModalities`) wins over JSON, which wins over plain text.
 */
export function outputType(config: GenerationConfigLike | undefined): string {
  if (!config) return sc.GEN_AI_OUTPUT_TYPE_VALUE_TEXT;
  const modalities = config.responseModalities;
  if (Array.isArray(modalities)) {
    const upper = modalities.map((m) => String(m).toUpperCase());
    if (upper.includes('IMAGE')) return sc.GEN_AI_OUTPUT_TYPE_VALUE_IMAGE;
    if (upper.includes('AUDIO')) return sc.GEN_AI_OUTPUT_TYPE_VALUE_SPEECH;
  }
  const mime = config.responseMimeType;
  if (
    (typeof mime === 'string' && /^application\/(.+\+)?json$/i.test(mime)) ||
    config.responseSchema !== undefined ||
    config.responseJsonSchema !== undefined
  ) {
    return sc.GEN_AI_OUTPUT_TYPE_VALUE_JSON;
  }
  return sc.GEN_AI_OUTPUT_TYPE_VALUE_TEXT;
}

/**
 * Token counts as the conventions define them, from Gemini's `usageMetadata`:
 * - input = prompt (which already includes cached tokens) + tool-use prompt
 *   tokens, which Gemini bills as input but reports apart;
 * - output = candidates + thoughts: thinking is billed, and counted, as output.
 */
export function usageAttributes(usage: UsageMetadataLike | undefined): Attributes {
  const totals = usageTotals(usage);
  const attrs: Attributes = {};
  if (totals.input !== undefined) attrs[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = totals.input;
  if (totals.output !== undefined) attrs[sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = totals.output;
  if (totals.reasoning !== undefined) attrs[sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = totals.reasoning;
  if (totals.cached !== undefined) attrs[sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = totals.cached;
  if (totals.toolUse !== undefined) attrs[sc.ATTR_GCP_GEN_AI_USAGE_TOOL_USE_PROMPT_TOKENS] = totals.toolUse;
  if (usage) modalityAttributes(usage, totals.reasoning, attrs);
  return attrs;
}

/**
 * Tokens by modality, from the `*TokensDetails` lists, only where non-zero:
 * input = prompt + tool-use prompt details, output = candidates details with
 * the thinking tokens as text (so they add up to `gen_ai.usage.output_tokens`,
 * as the totals do), cache read = cache details. TEXT, IMAGE and AUDIO under
 * the conventions' `gen_ai.usage.*`, VIDEO and DOCUMENT under `gcp.gen_ai.usage.*`.
 */
export function modalityAttributes(usage: UsageMetadataLike, thoughts: number | undefined, attrs: Attributes): void {
  if (
    !usage.promptTokensDetails &&
    !usage.candidatesTokensDetails &&
    !usage.cacheTokensDetails &&
    !usage.toolUsePromptTokensDetails
  ) {
    return;
  }
  addModalities(attrs, usage.promptTokensDetails, 'input_tokens');
  addModalities(attrs, usage.toolUsePromptTokensDetails, 'input_tokens');
  if (addModalities(attrs, usage.candidatesTokensDetails, 'output_tokens') && thoughts) {
    const key = sc.usageByModality('text', 'output_tokens');
    attrs[key] = ((attrs[key] as number | undefined) ?? 0) + thoughts;
  }
  addModalities(attrs, usage.cacheTokensDetails, 'cache_read.input_tokens');
}

/**
 * Adds one by-modality list's non-zero counts to `attrs`; true when the list was there. Gemini's
 * `*TokensDetails` count in `tokenCount`, the Interactions API's `*_by_modality` in `tokens`.
 */
export function addModalities(
  attrs: Attributes,
  details: unknown,
  kind: 'input_tokens' | 'output_tokens' | 'cache_read.input_tokens',
  countField: 'tokenCount' | 'tokens' = 'tokenCount'
): boolean {
  if (!Array.isArray(details)) return false;
  for (const d of details as Array<(ModalityTokenCountLike & { tokens?: unknown }) | undefined>) {
    const modality = typeof d?.modality === 'string' ? d.modality.toLowerCase() : '';
    const tokens = intOrUndefined(d?.[countField]);
    if (!tokens || !/^[a-z]+$/.test(modality) || modality === 'modality_unspecified') continue;
    const key = sc.usageByModality(modality, kind);
    attrs[key] = ((attrs[key] as number | undefined) ?? 0) + tokens;
  }
  return true;
}

/** Token counts of one response, by the rules above; a count the response lacks stays undefined. */
export interface UsageTotals {
  input?: number;
  output?: number;
  reasoning?: number;
  cached?: number;
  toolUse?: number;
}

export function usageTotals(usage: UsageMetadataLike | undefined): UsageTotals {
  if (!usage || typeof usage !== 'object') return {};
  return {
    input: inputTokens(usage),
    output: outputTokens(usage),
    reasoning: intOrUndefined(usage.thoughtsTokenCount),
    cached: intOrUndefined(usage.cachedContentTokenCount),
    toolUse: intOrUndefined(usage.toolUsePromptTokenCount),
  };
}

/** Input tokens: the prompt's and the tool-use prompt's (what `gen_ai.usage.input_tokens` counts). */
export function inputTokens(usage: UsageMetadataLike | undefined): number | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = intOrUndefined(usage.promptTokenCount);
  const toolUse = intOrUndefined(usage.toolUsePromptTokenCount);
  return prompt !== undefined || toolUse !== undefined ? (prompt ?? 0) + (toolUse ?? 0) : undefined;
}

/** Output tokens: the candidates' and the thinking (what `gen_ai.usage.output_tokens` counts). */
export function outputTokens(usage: UsageMetadataLike | undefined): number | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const candidates = intOrUndefined(usage.candidatesTokenCount);
  const thoughts = intOrUndefined(usage.thoughtsTokenCount);
  return candidates !== undefined || thoughts !== undefined ? (candidates ?? 0) + (thoughts ?? 0) : undefined;
}

/** A token count as the API means it: a whole number, never negative; anything else is unknown. */
function intOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** The model version a response names, when it names one as a string. */
export function modelVersionOf(response: GenerateContentResponseLike | undefined): string | undefined {
  const model = response?.modelVersion;
  return typeof model === 'string' && model ? model : undefined;
}

/**
 * What a `GenerateContentResponse` says about the call: id, model version,
 * finish reasons, usage, and a blocked prompt.
 *
 * Finish reasons are Gemini's own values, verbatim (`STOP`, `MAX_TOKENS`,
 * `SAFETY`, `RECITATION`, ...), one per candidate that reports one, in
 * candidate order; unknown values pass through.
 */
export function responseAttributes(response: GenerateContentResponseLike | undefined): Attributes {
  if (!response || typeof response !== 'object') return {};
  const attrs = usageAttributes(response.usageMetadata);
  if (typeof response.responseId === 'string' && response.responseId) {
    attrs[sc.ATTR_GEN_AI_RESPONSE_ID] = response.responseId;
  }
  if (typeof response.modelVersion === 'string' && response.modelVersion) {
    attrs[sc.ATTR_GEN_AI_RESPONSE_MODEL] = response.modelVersion;
  }
  const reasons = finishReasons(response);
  if (reasons.length > 0) attrs[sc.ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
  const blockReason = response.promptFeedback?.blockReason;
  if (typeof blockReason === 'string' && blockReason) {
    attrs[sc.ATTR_GCP_GEN_AI_PROMPT_BLOCK_REASON] = blockReason;
  }
  const tier = responseServiceTier(response.usageMetadata);
  if (tier !== undefined) attrs[sc.ATTR_GCP_GEN_AI_RESPONSE_SERVICE_TIER] = tier;
  if (Array.isArray(response.candidates)) serverToolAttributes(response.candidates, attrs);
  return attrs;
}

/**
 * What the server-side tools did, as counts and statuses (never the queries
 * or URLs, which are content): web searches run and grounding sources cited,
 * over all candidates, and each URL's retrieval status, in order.
 */
export function serverToolAttributes(candidates: ReadonlyArray<CandidateLike | undefined>, attrs: Attributes): void {
  let searches: number | undefined;
  let chunks: number | undefined;
  let statuses: string[] | undefined;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i];
    const grounding = c?.groundingMetadata;
    if (grounding && typeof grounding === 'object') {
      if (Array.isArray(grounding.webSearchQueries)) searches = (searches ?? 0) + grounding.webSearchQueries.length;
      if (Array.isArray(grounding.groundingChunks)) chunks = (chunks ?? 0) + grounding.groundingChunks.length;
    }
    const urls = c?.urlContextMetadata?.urlMetadata;
    if (Array.isArray(urls)) {
      for (const u of urls) {
        const status = u?.urlRetrievalStatus;
        (statuses ??= []).push(typeof status === 'string' && status ? status : 'URL_RETRIEVAL_STATUS_UNSPECIFIED');
      }
    }
  }
  if (searches !== undefined) attrs[sc.ATTR_GCP_GEN_AI_RESPONSE_WEB_SEARCH_QUERIES] = searches;
  if (chunks !== undefined) attrs[sc.ATTR_GCP_GEN_AI_RESPONSE_GROUNDING_CHUNKS] = chunks;
  if (statuses !== undefined) attrs[sc.ATTR_GCP_GEN_AI_RESPONSE_URL_RETRIEVAL_STATUSES] = statuses;
}

/** Whether this candidate stops at a checkpoint the generation continues from (3.x automatic continuation). */
export function continues(candidate: CandidateLike | undefined): boolean {
  const reason = candidate?.finishReason;
  if (reason === sc.FINISH_REASON_CONTINUATION) return true;
  // A checkpoint chunk (or response) before the hop's end: a token, no finish reason yet.
  return (
    (reason === undefined || reason === null) &&
    typeof candidate?.continuationToken === 'string' &&
    !!candidate.continuationToken
  );
}

/**
 * `gen_ai.response.finish_reasons` by the conventions' newer rule: one entry
 * per candidate, in candidate order, Gemini's value verbatim, and `error` at
 * a position where one was expected and never came. `expected`: how many
 * candidates the request asked for, given when the response is incomplete
 * (failed, cut short, abandoned), so that each missing position reads `error`. A
 * candidate that continues (3.x) has not finished: a round trip whose
 * candidates all continue reports none.
 */
export function finishReasons(response: GenerateContentResponseLike | undefined, expected = 0): string[] {
  const candidates = response?.candidates;
  const n = Math.max(Array.isArray(candidates) ? candidates.length : 0, expected);
  const reasons: string[] = [];
  for (let i = 0; i < n; i++) {
    const candidate = candidates?.[i];
    if (continues(candidate)) continue;
    const reason = candidate?.finishReason;
    if (typeof reason === 'string' && reason) reasons.push(reason);
    // A complete response without one (the Interactions API has none) says nothing there.
    else if (expected > 0) reasons.push(sc.FINISH_REASON_VALUE_ERROR);
  }
  return reasons;
}

interface ErrorLike {
  name?: unknown;
  status?: unknown;
  code?: unknown;
  cause?: { code?: unknown };
  constructor?: { name?: unknown };
}

/**
 * A low-cardinality `error.type`:
 * - the HTTP status of the SDK's `ApiError` (`429`, `503`); the classes differ
 *   between the CJS and ESM bundles, so match on the name, never instanceof;
 * - the system error code of a network failure (`ECONNREFUSED`, `UND_ERR_SOCKET`),
 *   which undici hides behind `TypeError('fetch failed')`;
 * - else the error's name (`AbortError`, `TypeError`), or `_OTHER`.
 */
export function errorType(err: unknown): string {
  if (err === null || typeof err !== 'object') return sc.ERROR_TYPE_VALUE_OTHER;
  const e = err as ErrorLike;
  if (typeof e.status === 'number' && Number.isInteger(e.status)) return String(e.status);
  const causeCode = e.cause?.code;
  if (typeof causeCode === 'string' && causeCode) return causeCode;
  if (typeof e.code === 'string' && e.code && e.code.startsWith('E')) return e.code;
  if (typeof e.name === 'string' && e.name) return e.name;
  const ctorName = e.constructor?.name;
  if (typeof ctorName === 'string' && ctorName) return ctorName;
  return sc.ERROR_TYPE_VALUE_OTHER;
}

/** `'callTool' in tool`, as the SDK tests it: such a tool is run by the SDK itself. */
export function isCallableTool(tool: unknown): tool is CallableToolLike {
  return tool !== null && typeof tool === 'object' && typeof (tool as { callTool?: unknown }).callTool === 'function';
}

/**
 * Whether the SDK will run a function-calling loop for this request, decided
 * as it decides (`shouldDisableAfc`): a callable tool in `config.tools`, AFC
 * not disabled, and `maximumRemoteCalls` unset or a positive integer.
 */
export function automaticFunctionCalling(params: GenerateContentParametersLike | undefined): boolean {
  const config = params?.config;
  if (!config || typeof config !== 'object') return false;
  const afc = config.automaticFunctionCalling;
  if (afc?.disable) return false;
  if (!Array.isArray(config.tools) || !config.tools.some(isCallableTool)) return false;
  const max = afc?.maximumRemoteCalls;
  if (max !== undefined && max !== null && (!Number.isInteger(max) || max <= 0)) return false;
  return true;
}

/** The function calls in the candidate the SDK acts on (the first), in order. */
export function functionCallsOf(response: GenerateContentResponseLike | undefined): readonly FunctionCallLike[] {
  const parts = response?.candidates?.[0]?.content?.parts;
  if (!Array.isArray(parts)) return NO_CALLS;
  let calls: FunctionCallLike[] | undefined;
  for (const part of parts) if (part?.functionCall) (calls ??= []).push(part.functionCall);
  return calls ?? NO_CALLS;
}

/** Most responses ask for no function call: they share this empty list. */
export const NO_CALLS: readonly FunctionCallLike[] = Object.freeze([]);

/** Most requests answer no function call: they share this empty list. */
const NO_ANSWERS: readonly AnsweredCall[] = Object.freeze([]);

/** An answer, with the arguments of the call it answers when the request echoes them. */
export interface AnsweredCall {
  id?: string;
  name?: string;
  /** undefined: the request did not echo the call. */
  args?: unknown;
}

/**
 * The function calls a request answers (`functionResponse` parts of its last
 * content), each with the arguments of the call it answers when the content
 * before it is the model's turn that asked (a history sent back whole), paired
 * by name in order. Only those two contents are read, so a long history costs
 * nothing, and nothing when the request answers no call.
 */
export function answeredCallsOf(params: GenerateContentParametersLike | undefined): readonly AnsweredCall[] {
  const contents = params?.contents;
  const many = Array.isArray(contents);
  const last = (many ? contents[contents.length - 1] : contents) as ContentLike | undefined;
  const parts = last && typeof last === 'object' ? last.parts : undefined;
  if (!Array.isArray(parts)) return NO_ANSWERS;
  let answered: AnsweredCall[] | undefined;
  for (const part of parts) {
    const fr = part?.functionResponse;
    if (fr && typeof fr === 'object') (answered ??= []).push({ id: fr.id, name: fr.name });
  }
  if (!answered) return NO_ANSWERS;
  const asking = many ? (contents[contents.length - 2] as ContentLike | undefined) : undefined;
  if (asking && typeof asking === 'object' && asking.role === 'model' && Array.isArray(asking.parts)) {
    const echoed = asking.parts.map((p) => p?.functionCall).filter((c): c is FunctionCallLike => !!c);
    for (const answer of answered) {
      const i = echoed.findIndex((c) => c.name === answer.name);
      if (i >= 0) answer.args = echoed.splice(i, 1)[0].args;
    }
  }
  return answered;
}

/**
 * Each callable tool's functions (name to description), from the
 * declarations the SDK sent for it: the SDK turns `config.tools` into the
 * request's tools position by position (`processParamsMaybeAddMcpUsage`).
 */
export function declaredFunctions(
  userTools: unknown[] | undefined,
  requestTools: unknown[] | undefined
): Map<object, Map<string, string | undefined>> {
  const byTool = new Map<object, Map<string, string | undefined>>();
  if (!Array.isArray(userTools) || !Array.isArray(requestTools)) return byTool;
  userTools.forEach((tool, i) => {
    if (!isCallableTool(tool)) return;
    const declarations = (requestTools[i] as { functionDeclarations?: FunctionDeclarationLike[] } | undefined)
      ?.functionDeclarations;
    if (!Array.isArray(declarations)) return;
    const functions = new Map<string, string | undefined>();
    for (const d of declarations) {
      if (typeof d?.name === 'string')
        functions.set(d.name, typeof d.description === 'string' ? d.description : undefined);
    }
    byTool.set(tool, functions);
  });
  return byTool;
}
