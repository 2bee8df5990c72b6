/*
 * What a call cost, in USD, from its usage and a price table: pure functions.
 *
 * Billing rules (Gemini list prices, per 1M tokens):
 * - uncached input x input rate + cached input x cached rate, where
 *   `promptTokenCount` already includes the cached tokens;
 * - `toolUsePromptTokenCount` is billed as input;
 * - (candidates + thoughts) x output rate: thinking is output;
 * - above a long-context threshold (prompt tokens, cached included) the
 *   tier's rates apply to the whole request.
 * An unknown model has no cost: never a guess.
 */
import type { UsageMetadataLike } from '../internal-types.js';

export interface Rates {
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M output tokens (thinking included). */
  output: number;
  /** USD per 1M cached input tokens; the input rate when unset. */
  cachedInput?: number;
}

export interface ModelPrice extends Rates {
  /** Rates for the whole request when the prompt has more than `aboveInputTokens` tokens. */
  longContext?: Rates & { aboveInputTokens: number };
  /** Other names of the model; a trailing `*` matches any suffix. */
  aliases?: string[];
  /** Vertex AI's own price where it differs; null where Vertex AI has no price we trust. */
  vertexAi?: Rates | null;
}

export type PriceTable = Record<string, ModelPrice>;

/** The bare model id of a name as the SDK or the API writes it (`models/x`, `publishers/google/models/x`, `google/x`). */
export function bareModelName(name: string): string {
  const slash = name.lastIndexOf('/');
  return (slash >= 0 ? name.slice(slash + 1) : name).trim().toLowerCase();
}

// Version suffixes the API appends to a model id: -001, -latest, -09-2025, -20260115, -preview-05-06.
const VERSION_SUFFIXES = [/-\d{3}$/, /-latest$/, /-\d{2}-\d{4}$/, /-\d{8}$/, /-preview-\d{2}-\d{2}$/, /-exp-\d{4}$/];

/** The table's key for a model name: exact, an alias, or the name without its version suffixes. */
export function resolveModel(name: string | undefined, table: PriceTable): string | undefined {
  if (!name) return undefined;
  let candidate = bareModelName(name);
  for (let i = 0; i < 4 && candidate; i++) {
    if (Object.prototype.hasOwnProperty.call(table, candidate)) return candidate;
    for (const [key, price] of Object.entries(table)) {
      for (const alias of price.aliases ?? []) {
        const a = alias.toLowerCase();
        if (a === candidate || (a.endsWith('*') && candidate.startsWith(a.slice(0, -1)))) return key;
        if (
          a.endsWith('-yyyymmdd') &&
          new RegExp(`^${escape(a.slice(0, -'yyyymmdd'.length))}\\d{8}$`).test(candidate)
        ) {
          return key;
        }
      }
    }
    const stripped = VERSION_SUFFIXES.reduce((n, re) => n.replace(re, ''), candidate);
    if (stripped === candidate) return undefined;
    candidate = stripped;
  }
  return undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The rates that apply to one request of this size. */
export function ratesFor(price: Rates & { longContext?: ModelPrice['longContext'] }, promptTokens: number): Rates {
  const tier = price.longContext;
  return tier && promptTokens > tier.aboveInputTokens ? tier : price;
}

/** The cost in USD of one response's usage at these prices; undefined without usage. */
export function costOf(usage: UsageMetadataLike | undefined, price: ModelPrice, vertexAi = false): number | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const base = vertexAi && price.vertexAi ? { ...price.vertexAi, longContext: price.longContext } : price;
  const prompt = count(usage.promptTokenCount);
  const cached = Math.min(count(usage.cachedContentTokenCount), prompt);
  const toolUse = count(usage.toolUsePromptTokenCount);
  const output = count(usage.candidatesTokenCount) + count(usage.thoughtsTokenCount);
  if (prompt + toolUse + output === 0 && usage.promptTokenCount === undefined) return undefined;
  const rates = ratesFor(base, prompt);
  const cachedRate = rates.cachedInput ?? rates.input;
  const cost = ((prompt - cached + toolUse) * rates.input + cached * cachedRate + output * rates.output) / 1e6;
  // Counts no API sends (a 1e308-token reply) must not make a cost that is not a number.
  return Number.isFinite(cost) ? cost : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The price of the model that answered: the response's `modelVersion` first,
 * then the requested model. Vertex AI mode uses Vertex AI's price where the
 * table has one, and has no price where the table says Vertex AI differs
 * without a number.
 */
export function priceFor(
  table: PriceTable,
  responseModel: string | undefined,
  requestModel: string | undefined,
  vertexAi: boolean
): { key: string; price: ModelPrice } | undefined {
  const key = resolveModel(responseModel, table) ?? resolveModel(requestModel, table);
  if (!key) return undefined;
  const price = table[key];
  if (vertexAi && price.vertexAi === null) return undefined;
  return { key, price };
}
