/*
 * The shapes of @google/genai objects this instrumentation reads, written out
 * structurally so that we depend on no major version of the SDK's types: 1.x,
 * 2.x and 3.x all fit these, and every field is optional because a response
 * may lack any of them.
 */

export interface GenerationConfigLike {
  temperature?: number;
  topP?: number;
  topK?: number;
  candidateCount?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  responseMimeType?: string;
  responseSchema?: unknown;
  responseJsonSchema?: unknown;
  responseModalities?: string[];
  speechConfig?: unknown;
  abortSignal?: unknown;
  tools?: unknown[];
  systemInstruction?: unknown;
  automaticFunctionCalling?: { disable?: boolean; maximumRemoteCalls?: number };
  thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: string; includeThoughts?: boolean };
  /** 3.x: `flex`, `standard`, `priority` (the SDK's ServiceTier). */
  serviceTier?: string;
  /** 3.x: set by the SDK on each request that continues a generation. */
  continuationToken?: string;
  [key: string]: unknown;
}

export interface GenerateContentParametersLike {
  model?: string;
  contents?: unknown;
  config?: GenerationConfigLike;
}

export interface FunctionCallLike {
  id?: string;
  name?: string;
  args?: unknown;
}

export interface FunctionResponseLike {
  id?: string;
  name?: string;
  response?: unknown;
}

export interface PartLike {
  text?: string;
  thought?: boolean;
  functionCall?: FunctionCallLike;
  functionResponse?: FunctionResponseLike;
  [key: string]: unknown;
}

export interface ContentLike {
  role?: string;
  parts?: PartLike[];
}

/** An object with `callTool`, e.g. from `mcpToTool()`: the SDK runs these itself (automatic function calling). */
export interface CallableToolLike {
  callTool(functionCalls: FunctionCallLike[]): Promise<PartLike[]>;
  tool?(): Promise<unknown>;
}

export interface FunctionDeclarationLike {
  name?: string;
  description?: string;
}

export interface CandidateLike {
  content?: { role?: string; parts?: PartLike[] };
  finishReason?: string;
  index?: number;
  /** 3.x: the generation can be continued from here (finish reason CONTINUATION, or none yet). */
  continuationToken?: string;
  groundingMetadata?: {
    webSearchQueries?: unknown[];
    groundingChunks?: unknown[];
    [key: string]: unknown;
  };
  urlContextMetadata?: { urlMetadata?: Array<{ urlRetrievalStatus?: string }> };
}

/** One entry of a `*TokensDetails` list: TEXT, IMAGE, VIDEO, AUDIO or DOCUMENT. */
export interface ModalityTokenCountLike {
  modality?: string;
  tokenCount?: number;
}

export interface UsageMetadataLike {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
  promptTokensDetails?: ModalityTokenCountLike[];
  cacheTokensDetails?: ModalityTokenCountLike[];
  candidatesTokensDetails?: ModalityTokenCountLike[];
  toolUsePromptTokensDetails?: ModalityTokenCountLike[];
  /** Vertex AI: ON_DEMAND, ON_DEMAND_FLEX, ON_DEMAND_PRIORITY, ON_DEMAND_OFFPEAK, PROVISIONED_THROUGHPUT. */
  trafficType?: string;
  /** Gemini Developer API: the tier that served the request. */
  serviceTier?: string;
}

export interface GenerateContentResponseLike {
  candidates?: CandidateLike[];
  usageMetadata?: UsageMetadataLike;
  modelVersion?: string;
  responseId?: string;
  promptFeedback?: { blockReason?: string };
}

/** The SDK's `ApiClient`: the same four methods from 1.0 to 3.x. */
export interface ApiClientLike {
  isVertexAI?(): boolean;
  getBaseUrl?(): string | undefined;
  getApiKey?(): string | undefined;
}

/** `this` inside a `Models` method. */
export interface ModelsLike {
  apiClient?: ApiClientLike;
}

/** What `require('@google/genai')` / `import * as` give us, as far as we patch it. */
export interface GenAIModuleLike {
  Models?: { prototype: Record<string, unknown> };
  [key: string]: unknown;
}
