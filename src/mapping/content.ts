/*
 * Message content in the conventions' shapes (gen_ai.input.messages,
 * gen_ai.output.messages, gen_ai.system_instructions, gen_ai.tool.definitions;
 * JSON schemas in the semantic-conventions-genai model). Pure functions, run
 * only when content capture is on. Inline bytes are never recorded: a blob
 * part keeps its MIME type and size, with empty content. Every text is cut at
 * `maxLength` characters, with a marker saying how much was cut, so the JSON
 * stays valid.
 */
import { createHash } from 'node:crypto';
import { boundedJson, type ContentCapture, type RecordedMessage } from './capture.js';
import type { CandidateLike, ContentLike, GenerateContentResponseLike, PartLike } from '../internal-types.js';

type Json = Record<string, unknown>;

export function cutText(text: string, maxLength: number): string {
  if (maxLength <= 0 || text.length <= maxLength) return text;
  return `${text.slice(0, maxLength)}…[truncated ${text.length - maxLength} chars]`;
}

/** A JSON value (tool arguments, results) kept as is, or replaced by a marked prefix when its JSON is too long. */
function boundedValue(value: unknown, maxLength: number): unknown {
  const json = boundedJson(value, maxLength);
  return json === undefined ? null : JSON.parse(json);
}

function modality(mimeType: unknown): string {
  const mime = typeof mimeType === 'string' ? mimeType.toLowerCase() : '';
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime === 'application/pdf' || mime.startsWith('text/')) return 'document';
  return mime || 'unknown';
}

/** The size in bytes of base64 data, without decoding it. */
function base64Bytes(data: unknown): number {
  if (typeof data !== 'string') return 0;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

/** One Gemini part as the conventions' part. */
export function toPart(part: PartLike, maxLength: number): Json {
  if (typeof part.text === 'string') {
    return { type: part.thought ? 'reasoning' : 'text', content: cutText(part.text, maxLength) };
  }
  if (part.functionCall) {
    const call = part.functionCall;
    const out: Json = { type: 'tool_call', name: call.name ?? '' };
    if (call.id) out.id = call.id;
    if (call.args !== undefined) out.arguments = boundedValue(call.args, maxLength);
    return out;
  }
  if (part.functionResponse) {
    const fr = part.functionResponse;
    const out: Json = { type: 'tool_call_response', response: boundedValue(fr.response ?? null, maxLength) };
    if (fr.id) out.id = fr.id;
    return out;
  }
  const inline = part.inlineData as { mimeType?: string; data?: unknown } | undefined;
  if (inline) {
    // Never the bytes: what they are and how many.
    return {
      type: 'blob',
      modality: modality(inline.mimeType),
      mime_type: inline.mimeType ?? null,
      content: '',
      size_bytes: base64Bytes(inline.data),
    };
  }
  const file = part.fileData as { fileUri?: string; mimeType?: string } | undefined;
  if (file && typeof file.fileUri === 'string') {
    const common = { modality: modality(file.mimeType), mime_type: file.mimeType ?? null };
    // Files uploaded through the Files API are referenced by id; anything else is a URI.
    const id = /^(?:https:\/\/generativelanguage\.googleapis\.com\/v1[a-z0-9]*\/)?(files\/[^/?#]+)$/.exec(file.fileUri);
    return id ? { type: 'file', file_id: id[1], ...common } : { type: 'uri', uri: file.fileUri, ...common };
  }
  const server = serverToolPart(part, maxLength);
  if (server) return server;
  // Any other part kind: named, not copied.
  const kind = Object.keys(part).find((k) => part[k] !== undefined && k !== 'thoughtSignature') ?? 'unknown';
  return { type: kind };
}

type ToolCallPart = { id?: string; toolType?: string; args?: unknown; response?: unknown };

/**
 * Server-side tools' parts as the schema's `server_tool_call` and
 * `server_tool_call_response`: code execution (`executableCode`,
 * `codeExecutionResult`) and 3.x server tool calls (`toolCall`,
 * `toolResponse`, by `toolType`: GOOGLE_SEARCH_WEB, URL_CONTEXT, ...).
 */
function serverToolPart(part: PartLike, maxLength: number): Json | undefined {
  const code = part.executableCode as { code?: unknown; language?: unknown; id?: unknown } | undefined;
  if (code && typeof code === 'object') {
    const call: Json = { type: 'code_execution' };
    if (typeof code.language === 'string') call.language = code.language;
    if (typeof code.code === 'string') call.code = cutText(code.code, maxLength);
    return withId({ type: 'server_tool_call', name: 'code_execution', server_tool_call: call }, code.id);
  }
  const result = part.codeExecutionResult as { outcome?: unknown; output?: unknown; id?: unknown } | undefined;
  if (result && typeof result === 'object') {
    const response: Json = { type: 'code_execution' };
    if (typeof result.outcome === 'string') response.outcome = result.outcome;
    if (typeof result.output === 'string') response.output = cutText(result.output, maxLength);
    return withId({ type: 'server_tool_call_response', server_tool_call_response: response }, result.id);
  }
  const toolCall = part.toolCall as ToolCallPart | undefined;
  if (toolCall && typeof toolCall === 'object') {
    const name = serverToolName(toolCall.toolType);
    const call: Json = { type: name };
    if (toolCall.args !== undefined) call.arguments = boundedValue(toolCall.args, maxLength);
    return withId({ type: 'server_tool_call', name, server_tool_call: call }, toolCall.id);
  }
  const toolResponse = part.toolResponse as ToolCallPart | undefined;
  if (toolResponse && typeof toolResponse === 'object') {
    const response: Json = { type: serverToolName(toolResponse.toolType) };
    if (toolResponse.response !== undefined) response.response = boundedValue(toolResponse.response, maxLength);
    return withId({ type: 'server_tool_call_response', server_tool_call_response: response }, toolResponse.id);
  }
  return undefined;
}

function serverToolName(toolType: unknown): string {
  return typeof toolType === 'string' && toolType && toolType !== 'TOOL_TYPE_UNSPECIFIED'
    ? toolType.toLowerCase()
    : 'server_tool';
}

function withId(part: Json, id: unknown): Json {
  if (typeof id === 'string' && id) part.id = id;
  return part;
}

function toParts(parts: unknown, maxLength: number): Json[] {
  if (!Array.isArray(parts)) return [];
  return (parts as PartLike[]).filter((p) => p && typeof p === 'object').map((p) => toPart(p, maxLength));
}

function isContent(value: unknown): value is ContentLike {
  return value !== null && typeof value === 'object' && Array.isArray((value as ContentLike).parts);
}

/** `contents` as the SDK accepts them (a string, a part, a content, or a list of any) as Gemini contents. */
function normalizeContents(contents: unknown): ContentLike[] {
  if (contents === undefined || contents === null) return [];
  const list = Array.isArray(contents) ? contents : [contents];
  if (list.every(isContent)) return list as ContentLike[];
  // Strings and parts together make one user turn (the SDK does the same).
  const parts = list.map((item) => (typeof item === 'string' ? { text: item } : (item as PartLike)));
  return [{ role: 'user', parts }];
}

function role(content: ContentLike): string {
  if (content.role === 'model') return 'assistant';
  const parts = content.parts ?? [];
  if (parts.length > 0 && parts.every((p) => p?.functionResponse)) return 'tool';
  return content.role === 'system' ? 'system' : 'user';
}

/** `gen_ai.input.messages`: the request's contents (the system instruction is not repeated here). */
export function inputMessages(contents: unknown, maxLength: number): Json[] {
  return normalizeContents(contents).map((c) => ({ role: role(c), parts: toParts(c.parts, maxLength) }));
}

/** `gen_ai.system_instructions`: the system instruction's parts. */
export function systemInstructions(systemInstruction: unknown, maxLength: number): Json[] | undefined {
  if (systemInstruction === undefined || systemInstruction === null) return undefined;
  const contents = normalizeContents(systemInstruction);
  const parts = contents.flatMap((c) => toParts(c.parts, maxLength));
  return parts.length > 0 ? parts : undefined;
}

/**
 * The conventions' finish reason (stop, length, content_filter, tool_call, error) for each of
 * Gemini's (SDK 3.3's FinishReason); a value newer than that list passes through lowercased.
 */
const FINISH_REASONS: Record<string, string> = {
  MAX_TOKENS: 'length',
  // A continued generation's checkpoint: the hop stopped at its per-request token limit.
  CONTINUATION: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  LANGUAGE: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  IMAGE_PROHIBITED_CONTENT: 'content_filter',
  IMAGE_RECITATION: 'content_filter',
  MODEL_ARMOR: 'content_filter',
  ESCALATION: 'content_filter',
  PUP_LIMITED_DISABLED: 'content_filter',
  MALFORMED_FUNCTION_CALL: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
  TOO_MANY_TOOL_CALLS: 'error',
  MALFORMED_RESPONSE: 'error',
  MISSING_THOUGHT_SIGNATURE: 'error',
  NO_IMAGE: 'error',
  IMAGE_OTHER: 'error',
  OTHER: 'error',
  FINISH_REASON_UNSPECIFIED: 'error',
};

/** The conventions' finish reason for a Gemini one. */
export function finishReason(reason: unknown, calledTools: boolean): string {
  // A finish reason that is not a string is no finish reason.
  if (typeof reason !== 'string' || reason === '' || reason === 'STOP') return calledTools ? 'tool_call' : 'stop';
  return Object.prototype.hasOwnProperty.call(FINISH_REASONS, reason) ? FINISH_REASONS[reason] : reason.toLowerCase();
}

/** `gen_ai.output.messages`: one assistant message per candidate. */
export function outputMessages(response: GenerateContentResponseLike | undefined, maxLength: number): Json[] {
  const candidates = response?.candidates;
  if (!Array.isArray(candidates)) return [];
  const out: Json[] = [];
  for (const candidate of candidates as Array<CandidateLike | undefined>) {
    if (!candidate || typeof candidate !== 'object') continue;
    const parts = Array.isArray(candidate.content?.parts) ? candidate.content.parts : [];
    out.push({
      role: 'assistant',
      parts: toParts(parts, maxLength),
      finish_reason: finishReason(
        candidate.finishReason,
        parts.some((p) => p?.functionCall)
      ),
    });
  }
  return out;
}

/** `gen_ai.tool.definitions`: the functions the request declares, and the other tools by kind. */
export function toolDefinitions(tools: unknown, maxLength: number): Json[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  const out: Json[] = [];
  for (const tool of tools as Array<Record<string, unknown> | undefined>) {
    if (!tool || typeof tool !== 'object') continue;
    const declarations = tool.functionDeclarations as
      Array<{ name?: string; description?: string; parameters?: unknown; parametersJsonSchema?: unknown }> | undefined;
    if (Array.isArray(declarations)) {
      for (const d of declarations) {
        const def: Json = { type: 'function', name: d?.name ?? '' };
        if (typeof d?.description === 'string') def.description = cutText(d.description, maxLength);
        // parametersJsonSchema is JSON Schema already; Gemini's own Schema writes its types in capitals.
        const parameters =
          d?.parametersJsonSchema ?? (d?.parameters !== undefined ? lowerTypes(d.parameters) : undefined);
        if (parameters !== undefined) def.parameters = boundedValue(parameters, maxLength);
        out.push(def);
      }
      continue;
    }
    for (const kind of Object.keys(tool)) if (tool[kind] !== undefined) out.push({ type: kind, name: kind });
  }
  return out.length > 0 ? out : undefined;
}

/** A copy of a Gemini Schema with its `type` values as JSON Schema writes them (`OBJECT` to `object`). */
function lowerTypes(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lowerTypes);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === 'type' && typeof value === 'string' ? value.toLowerCase() : lowerTypes(value);
  }
  return out;
}

export const PREVIEW_LENGTH = 32;

/**
 * PREVIEW: a message as the SHA-256 of its text (its text parts joined), the
 * first 32 characters and its length in characters; other parts by kind only.
 * Per-message token counts are not reported by the API: the span's usage
 * attributes carry the totals.
 */
export function previewMessage(message: RecordedMessage): RecordedMessage {
  const parts = Array.isArray(message.parts) ? (message.parts as Json[]) : [];
  const text = parts
    .filter((p) => p.type === 'text' || p.type === 'reasoning')
    .map((p) => String(p.content ?? ''))
    .join('');
  const others = parts.filter((p) => p.type !== 'text' && p.type !== 'reasoning').map((p) => ({ type: p.type }));
  const out: RecordedMessage = {
    ...message,
    parts: [...(text ? [{ type: 'text', content: text.slice(0, PREVIEW_LENGTH) }] : []), ...others],
    sha256: createHash('sha256').update(text).digest('hex'),
    length: text.length,
  };
  return out;
}

/**
 * The recorded JSON of a list of messages: each through the redaction hook
 * (a message it returns nothing for is left out), then PREVIEW if asked.
 * Undefined when the hook failed: then nothing is recorded rather than
 * something that should have been redacted.
 */
export function recordMessages(
  messages: RecordedMessage[],
  capture: ContentCapture,
  attribute: 'gen_ai.input.messages' | 'gen_ai.output.messages'
): string | undefined {
  const kept = redactAll(messages, capture, attribute);
  if (kept === undefined) return undefined;
  return JSON.stringify(capture.preview ? kept.map(previewMessage) : kept);
}

/** The recorded JSON of the system instruction's parts (redacted as one `system` message). */
export function recordSystemInstructions(parts: Json[], capture: ContentCapture): string | undefined {
  const kept = redactAll([{ role: 'system', parts }], capture, 'gen_ai.system_instructions');
  if (kept === undefined || kept.length === 0) return undefined;
  const message = capture.preview ? previewMessage(kept[0]) : kept[0];
  const out = Array.isArray(message.parts) ? message.parts : [];
  return out.length > 0 ? JSON.stringify(out) : undefined;
}

function redactAll(
  messages: RecordedMessage[],
  capture: ContentCapture,
  attribute: 'gen_ai.input.messages' | 'gen_ai.output.messages' | 'gen_ai.system_instructions'
): RecordedMessage[] | undefined {
  if (!capture.redact) return messages;
  const kept: RecordedMessage[] = [];
  try {
    for (const message of messages) {
      const result = capture.redact(message, attribute);
      if (result !== undefined && result !== null) kept.push(result);
    }
  } catch {
    return undefined;
  }
  return kept;
}
