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
}

export interface UsageMetadataLike {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  toolUsePromptTokenCount?: number;
  totalTokenCount?: number;
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
