// Regenerates src/mapping/prices.ts, the built-in Gemini price table, from a
// gemini-prices.json (default: ../shared/pricing/gemini-prices.json).
//   node scripts/update-prices.mjs [path/to/gemini-prices.json]
// Carries every rate block, USD per 1M tokens: the Standard tier, the batch,
// flex and priority tiers, long-context thresholds, per-modality rates (audio,
// cached audio, image and video input, image output), scheduled prices with
// their effective dates, aliases, and the Vertex AI block where it differs.
//
// A tier block the page lists only in part is completed by the table's own
// billing rule (`billing_rules.service_tiers`): batch and flex at 50% of the
// Standard input and output, priority at 1.8x; a cached-input rate a batch or
// flex block lacks is the Standard one (the page has both "same as Standard"
// and halved rows, so the higher one: a cost at list price never under-bills).
// A derived tier block (`derived: true`, a `discount`) follows a scheduled
// Standard price; a transcribed one stays as the page gives it.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = resolve(process.argv[2] ?? join(root, '..', 'shared', 'pricing', 'gemini-prices.json'));
const table = JSON.parse(readFileSync(from, 'utf8'));

const TIERS = ['batch', 'flex', 'priority'];
const MULTIPLIER = { batch: 0.5, flex: 0.5, priority: 1.8 };
// JSON field -> our field. input/output are required; the rest optional.
const FIELDS = {
  input: 'input',
  output: 'output',
  cached_input: 'cachedInput',
  input_audio: 'inputAudio',
  cached_input_audio: 'cachedInputAudio',
  input_image: 'inputImage',
  input_video: 'inputVideo',
  output_image: 'outputImage',
};

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
// Rounded so a derived rate prints as the page would (0.54, not 0.5400000000000001).
const round = (v) => Math.round(v * 1e9) / 1e9;

function rates(block) {
  const r = {};
  for (const [json, ours] of Object.entries(FIELDS)) if (num(block?.[json]) !== undefined) r[ours] = block[json];
  return r;
}

function longContext(block) {
  const tier = Array.isArray(block?.tiers) ? block.tiers[0] : undefined;
  if (!tier || num(tier.above_input_tokens) === undefined) return undefined;
  return { aboveInputTokens: tier.above_input_tokens, ...rates(tier) };
}

/** A tier's full rates: what its block gives, the rest by the billing rule from `standard`. */
function completeTier(name, block, standard, multiplier = MULTIPLIER[name]) {
  const given = rates(block);
  const out = {};
  for (const field of Object.values(FIELDS)) {
    if (given[field] !== undefined) out[field] = given[field];
    else if (standard[field] === undefined) continue;
    else if (field.startsWith('cached') && name !== 'priority') out[field] = standard[field];
    else out[field] = round(standard[field] * multiplier);
  }
  // The long-context rates: the block's, completed the same way from the Standard long-context rates.
  const lc = longContext(block);
  if (standard.longContext) {
    const { aboveInputTokens, ...std } = standard.longContext;
    out.longContext = { aboveInputTokens, ...completeTier(name, {}, std, multiplier), ...lc };
  } else if (lc) out.longContext = lc;
  return out;
}

function serviceTiers(m, standard) {
  const out = {};
  for (const name of TIERS) {
    const block = m[name];
    if (!block || typeof block !== 'object' || num(block.input) === undefined) continue;
    out[name] = completeTier(name, block, standard);
  }
  return Object.keys(out).length ? out : undefined;
}

function price(m) {
  const standard = rates(m);
  if (standard.input === undefined || standard.output === undefined) return undefined;
  const entry = { ...standard };
  const lc = longContext(m);
  if (lc) entry.longContext = lc;
  const tiers = serviceTiers(m, entry);
  if (tiers) entry.serviceTiers = tiers;
  return entry;
}

const models = {};
for (const [name, m] of Object.entries(table.models)) {
  const entry = price(m);
  if (!entry) continue;
  if (Array.isArray(m.aliases) && m.aliases.length) entry.aliases = m.aliases;
  if (Array.isArray(m.scheduled_prices)) {
    const scheduled = [];
    for (const s of m.scheduled_prices) {
      if (typeof s?.effective_from !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s.effective_from)) continue;
      const next = { ...entry, ...rates(s) };
      const change = { effectiveFrom: s.effective_from, ...rates(s) };
      // Derived tier blocks follow the new Standard price; transcribed ones are the page's own.
      const tiers = {};
      for (const t of TIERS) {
        if (m[t]?.derived === true && num(m[t].discount) !== undefined) {
          tiers[t] = completeTier(t, {}, { ...next, serviceTiers: undefined }, m[t].discount);
        }
      }
      if (Object.keys(tiers).length) change.serviceTiers = tiers;
      scheduled.push(change);
    }
    if (scheduled.length) entry.scheduled = scheduled.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  }
  const v = m.vertex_ai ?? {};
  if (v.same_as_developer_api === false || (v.same_as_developer_api !== true && num(v.input) !== undefined)) {
    // Vertex AI's own rates: only the block's (a Developer API audio or cache rate is not Vertex AI's),
    // with the Developer API's input or output where the block says only one differs.
    const vertex = price({ input: m.input, output: m.output, tiers: m.tiers, ...v });
    entry.vertexAi = vertex ?? null;
  } else if (v.same_as_developer_api !== true && v.same_as_developer_api !== 'unverified') {
    entry.vertexAi = null; // no Vertex AI price we trust
  }
  models[name] = entry;
}

const sources = table.sources.map((s) => ({ id: s.id, title: s.title, url: s.url, date: s.date }));
const out = `// Generated by scripts/update-prices.mjs from gemini-prices.json (as of ${table.as_of}): do not edit by hand.
// Gemini list prices, paid tier, USD per 1M tokens: Standard, and the batch, flex and priority tiers.
import type { PriceTable } from './cost.js';

/** The date of the newest source the table was built from. */
export const PRICE_TABLE_AS_OF = ${JSON.stringify(table.as_of)};

/** Where the prices come from (see the table's SOURCES.md for how disagreements were settled). */
export const PRICE_TABLE_SOURCES: ReadonlyArray<{ id: string; title?: string; url?: string; date?: string }> = ${JSON.stringify(sources, null, 2)};

export const BUILTIN_PRICES: PriceTable = ${JSON.stringify(models, null, 2)};
`;
writeFileSync(join(root, 'src', 'mapping', 'prices.ts'), out);
console.log(`src/mapping/prices.ts: ${Object.keys(models).length} models, as of ${table.as_of}`);
