/*
 * What a call cost, in USD, from its usage and a price table: pure functions.
 *
 * Billing rules (Gemini list prices, per 1M tokens; `billing_rules` in the
 * table's gemini-prices.json):
 * - uncached input x input rate + cached input x cached rate, where
 *   `promptTokenCount` already includes the cached tokens;
 * - by modality (`promptTokensDetails`, `cacheTokensDetails`): audio at the
 *   audio rates where the model has them, image and document at the image
 *   input rate, video at the video rate, where given; the rest at text rates;
 * - `toolUsePromptTokenCount` is billed as input;
 * - (candidates + thoughts) x output rate: thinking is output; an image
 *   model's IMAGE output tokens (`candidatesTokensDetails`) at its image rate,
 *   AUDIO output at an audio rate where one is given (Live, speech);
 * - above a long-context threshold (prompt tokens, cached included) the
 *   tier's rates apply to the whole request;
 * - the service tier (standard, batch, flex, priority) picks the rates, and
 *   a scheduled price applies from its effective date (00:00 UTC) on.
 * An unknown model, or a tier the table has no price for, has no cost: never a guess.
 */
import type { ModalityTokenCountLike, UsageMetadataLike } from '../internal-types.js';

export interface Rates {
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M output tokens (thinking included). */
  output: number;
  /** USD per 1M cached input tokens; the input rate when unset. */
  cachedInput?: number;
  /** USD per 1M audio input tokens; the input rate when unset. */
  inputAudio?: number;
  /** USD per 1M cached audio input tokens; the cached rate when unset. */
  cachedInputAudio?: number;
  /** USD per 1M image (and document) input tokens; the input rate when unset. */
  inputImage?: number;
  /** USD per 1M video input tokens; the input rate when unset. */
  inputVideo?: number;
  /** USD per 1M image output tokens (image-generation models); the output rate when unset. */
  outputImage?: number;
  /** USD per 1M audio output tokens (Live and speech models: none built in); the output rate when unset. */
  outputAudio?: number;
}

/** The rates of one service tier: its own, and those above its long-context threshold. */
export interface TierPrice extends Rates {
  /** Rates for the whole request when the prompt has more than `aboveInputTokens` tokens. */
  longContext?: Rates & { aboveInputTokens: number };
}

/** The service tiers priced apart from Standard. */
export type PricedServiceTier = 'batch' | 'flex' | 'priority';
export const SERVICE_TIER_STANDARD = 'standard';

export interface ServiceTierPrices {
  batch?: TierPrice;
  flex?: TierPrice;
  priority?: TierPrice;
}

/** A price change: the rates it names replace the model's from `effectiveFrom` (YYYY-MM-DD, 00:00 UTC) on. */
export interface ScheduledPrice extends Partial<Rates> {
  effectiveFrom: string;
  /** Tier rates that change with it (tiers it does not name keep theirs). */
  serviceTiers?: ServiceTierPrices;
}

export interface ModelPrice extends TierPrice {
  /** Batch, flex and priority rates; a tier not here has no price. */
  serviceTiers?: ServiceTierPrices;
  /** Price changes to come (or past), by date. */
  scheduled?: ScheduledPrice[];
  /** Other names of the model; a trailing `*` matches any suffix. */
  aliases?: string[];
  /** Vertex AI's own price where it differs; null where Vertex AI has no price we trust. */
  vertexAi?: (TierPrice & { serviceTiers?: ServiceTierPrices }) | null;
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

/** The rates that apply to one request of this size: the long-context ones over the tier's above the threshold. */
export function ratesFor(price: TierPrice, promptTokens: number): Rates {
  const tier = price.longContext;
  return tier && promptTokens > tier.aboveInputTokens ? { ...price, ...tier } : price;
}

/** 00:00 UTC of a YYYY-MM-DD date, in ms; NaN for anything else. */
function dayStart(date: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : NaN;
}

/**
 * The rates of this model for a call at `at` (ms since the epoch) on this
 * service tier (`standard` when unset or `unspecified`), on Vertex AI or the
 * Gemini Developer API; undefined when the table has no price for that tier.
 */
export function ratesAt(
  price: ModelPrice,
  options: { tier?: string; at: number; vertexAi?: boolean }
): TierPrice | undefined {
  let base: ModelPrice = price;
  if (options.vertexAi && price.vertexAi) {
    base = { ...price.vertexAi, longContext: price.vertexAi.longContext ?? price.longContext };
  } else if (price.scheduled) {
    for (const change of price.scheduled) {
      if (!(dayStart(change.effectiveFrom) <= options.at)) continue;
      const { effectiveFrom: _from, serviceTiers, ...rates } = change;
      base = { ...base, ...rates, serviceTiers: { ...base.serviceTiers, ...serviceTiers } };
    }
  }
  const tier = options.tier;
  if (tier === undefined || tier === SERVICE_TIER_STANDARD || tier === 'unspecified') return base;
  const tiers = base.serviceTiers;
  return tier === 'batch' || tier === 'flex' || tier === 'priority' ? tiers?.[tier] : undefined;
}

/** Input modalities billed at a rate of their own; PDF (DOCUMENT) tokens at the image rate. */
const INPUT_RATES: ReadonlyArray<readonly [string, 'inputAudio' | 'inputImage' | 'inputVideo']> = [
  ['AUDIO', 'inputAudio'],
  ['IMAGE', 'inputImage'],
  ['DOCUMENT', 'inputImage'],
  ['VIDEO', 'inputVideo'],
];

/** The cost in USD of one response's usage at these rates; undefined without usage. */
export function costOf(usage: UsageMetadataLike | undefined, price: TierPrice): number | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const prompt = count(usage.promptTokenCount);
  const cached = Math.min(count(usage.cachedContentTokenCount), prompt);
  const toolUse = count(usage.toolUsePromptTokenCount);
  const candidates = count(usage.candidatesTokenCount);
  const thoughts = count(usage.thoughtsTokenCount);
  if (prompt + toolUse + candidates + thoughts === 0 && usage.promptTokenCount === undefined) return undefined;
  const r = ratesFor(price, prompt);
  const cachedRate = r.cachedInput ?? r.input;
  // Cached tokens, audio apart.
  const cachedAudio = Math.min(inModality(usage.cacheTokensDetails, 'AUDIO'), cached);
  let usd = (cached - cachedAudio) * cachedRate + cachedAudio * (r.cachedInputAudio ?? cachedRate);
  // Uncached input: each modality with a rate of its own, taken out of what is left, the rest as text.
  let left = prompt - cached;
  if (Array.isArray(usage.promptTokensDetails)) {
    for (const [modality, field] of INPUT_RATES) {
      const rate = r[field];
      if (rate === undefined || left <= 0) continue;
      const prompted = inModality(usage.promptTokensDetails, modality);
      if (prompted === 0) continue;
      const n = Math.min(Math.max(prompted - inModality(usage.cacheTokensDetails, modality), 0), left);
      usd += n * rate;
      left -= n;
    }
  }
  usd += (left + toolUse) * r.input;
  // Output: image and audio tokens at their own rates where the model has them, the rest (thinking included) at the output rate.
  const out = usage.candidatesTokensDetails;
  const images = r.outputImage === undefined ? 0 : Math.min(inModality(out, 'IMAGE'), candidates);
  const audio = r.outputAudio === undefined ? 0 : Math.min(inModality(out, 'AUDIO'), candidates - images);
  usd +=
    images * (r.outputImage ?? 0) + audio * (r.outputAudio ?? 0) + (candidates - images - audio + thoughts) * r.output;
  const cost = usd / 1e6;
  // Counts no API sends (a 1e308-token reply) must not make a cost that is not a number.
  return Number.isFinite(cost) ? cost : undefined;
}

/** The tokens of one modality in a `*TokensDetails` list (0 when absent). */
export function inModality(details: ModalityTokenCountLike[] | undefined, modality: string): number {
  if (!Array.isArray(details)) return 0;
  let n = 0;
  for (const d of details) if (d?.modality === modality) n += count(d.tokenCount);
  return n;
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
