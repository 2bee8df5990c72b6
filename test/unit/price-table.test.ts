/*
 * Every priced model, tier and date of ../shared/pricing/gemini-prices.json
 * against the built-in table: the bill read straight off the JSON (its rate
 * blocks, its billing rules) equals what the instrumentation reports. The
 * JSON is read here, not through scripts/update-prices.mjs, so a generator
 * that drops or mangles a block fails. Skips where ../shared is absent.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { costOf, ratesAt } from '../../src/mapping/cost';
import { BUILTIN_PRICES, PRICE_TABLE_AS_OF } from '../../src/mapping/prices';
import { SHARED_DIR } from '../utils/paths';

const FILE = path.join(SHARED_DIR, 'pricing', 'gemini-prices.json');

type Block = Record<string, unknown> & { tiers?: Array<Record<string, number>> };
interface Model extends Block {
  scheduled_prices?: Array<Record<string, number | string>>;
  batch?: Block;
  flex?: Block;
  priority?: Block;
  vertex_ai?: Block & { same_as_developer_api?: unknown };
}

// `billing_rules.service_tiers`: batch and flex at 50% of Standard, priority at 1.8x.
const MULTIPLIER: Record<string, number> = { batch: 0.5, flex: 0.5, priority: 1.8 };
const TIERS = ['standard', 'batch', 'flex', 'priority'];
const num = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** A text-only request: 10,000 prompt (2,000 cached), 500 answer + 500 thinking; and one over every long-context threshold. */
const USAGES = [
  { promptTokenCount: 10000, cachedContentTokenCount: 2000, candidatesTokenCount: 500, thoughtsTokenCount: 500 },
  { promptTokenCount: 300000, cachedContentTokenCount: 100000, candidatesTokenCount: 1000 },
];

/** The rate of `field` on `tier`, as the JSON gives it, else by the billing rule from Standard. */
function rate(standard: Block, tierBlock: Block | undefined, tier: string, field: string): number | undefined {
  if (tier === 'standard') return num(standard[field]);
  const given = num(tierBlock?.[field]);
  if (given !== undefined) return given;
  const base = num(standard[field]);
  if (base === undefined) return undefined;
  // A cached rate a batch or flex block leaves out is Standard's (never under-billed).
  if (field.startsWith('cached') && tier !== 'priority') return base;
  return Math.round(base * MULTIPLIER[tier] * 1e9) / 1e9;
}

/** The bill of a text-only usage, by the rules the JSON states, from its blocks. */
function handBill(
  m: Model,
  tier: string,
  at: number,
  usage: (typeof USAGES)[number],
  vertex: boolean
): number | undefined {
  let standard: Block = m;
  let tierBlock: Block | undefined = tier === 'standard' ? undefined : (m[tier as 'batch'] as Block | undefined);
  // Vertex AI's own block where it has one; else the Gemini API's prices, scheduled changes included.
  const ownVertex =
    vertex && !!m.vertex_ai && (m.vertex_ai.same_as_developer_api === false || num(m.vertex_ai.input) !== undefined);
  if (ownVertex) {
    standard = { input: m.input, output: m.output, tiers: m.tiers, ...m.vertex_ai };
    tierBlock = tier === 'standard' ? undefined : (standard[tier] as Block | undefined);
  }
  for (const s of ownVertex ? [] : (m.scheduled_prices ?? [])) {
    if (Date.parse(`${s.effective_from}T00:00:00Z`) > at) continue;
    standard = { ...standard, ...s };
    const derived = tierBlock?.derived === true ? num(tierBlock.discount) : undefined;
    if (derived !== undefined) {
      tierBlock = { input: (s.input as number) * derived, output: (s.output as number) * derived };
    }
  }
  if (tier !== 'standard' && (!tierBlock || num(tierBlock.input) === undefined)) return undefined;
  const prompt = usage.promptTokenCount;
  const long = (block: Block | undefined) => {
    const t = block?.tiers?.[0];
    return t && prompt > t.above_input_tokens ? (t as Block) : undefined;
  };
  // Above the threshold: the long-context rates of the tier, completed from Standard's long-context ones.
  const stdLong = long(standard);
  const s = stdLong ? { ...standard, ...stdLong } : standard;
  const t = stdLong ? { ...(long(tierBlock) ?? {}) } : tierBlock;
  const input = rate(s, t, tier, 'input')!;
  const output = rate(s, t, tier, 'output')!;
  const cachedRate = rate(s, t, tier, 'cached_input') ?? input;
  const cached = usage.cachedContentTokenCount;
  const out = usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0);
  return ((prompt - cached) * input + cached * cachedRate + out * output) / 1e6;
}

const table = existsSync(FILE)
  ? (JSON.parse(readFileSync(FILE, 'utf8')) as { as_of: string; models: Record<string, Model> })
  : undefined;

describe('the built-in price table against gemini-prices.json: every model, tier and date', function () {
  before(function () {
    if (!table) this.skip();
  });

  it('has the table of the same date, and every model with a token price', () => {
    assert.equal(PRICE_TABLE_AS_OF, table!.as_of);
    const priced = Object.entries(table!.models)
      .filter(([, m]) => num(m.input) !== undefined && num(m.output) !== undefined)
      .map(([k]) => k);
    assert.deepEqual(Object.keys(BUILTIN_PRICES).sort(), priced.sort());
  });

  // Each model's dates: the table's own, and each side of every scheduled change.
  const dates = (m: Model): Array<[string, number]> => {
    const out: Array<[string, number]> = [['as of the table', Date.parse(`${table!.as_of}T12:00:00Z`)]];
    for (const s of m.scheduled_prices ?? []) {
      const from = Date.parse(`${s.effective_from}T00:00:00Z`);
      out.push([`the last ms before ${s.effective_from}`, from - 1], [`from ${s.effective_from}`, from]);
    }
    return out;
  };

  for (const [name, m] of Object.entries(table?.models ?? {})) {
    if (num(m.input) === undefined || num(m.output) === undefined) continue;
    it(`${name}: each tier and date, on the Gemini API and on Vertex AI`, () => {
      const price = BUILTIN_PRICES[name];
      const vertexTrusted =
        m.vertex_ai?.same_as_developer_api === true ||
        m.vertex_ai?.same_as_developer_api === 'unverified' ||
        m.vertex_ai?.same_as_developer_api === false ||
        num(m.vertex_ai?.input) !== undefined;
      for (const vertex of [false, true]) {
        if (vertex && !vertexTrusted) {
          assert.equal(price.vertexAi, null, `${name}: no Vertex AI price we trust`);
          continue;
        }
        for (const tier of TIERS) {
          for (const [when, at] of dates(m)) {
            for (const usage of USAGES) {
              const rates = ratesAt(price, { tier, at, vertexAi: vertex });
              const ours = rates ? costOf(usage, rates) : undefined;
              const expected = handBill(m, tier, at, usage, vertex);
              const what = `${name} ${tier} ${vertex ? 'Vertex AI' : 'Gemini API'} ${when} prompt ${usage.promptTokenCount}`;
              if (expected === undefined) assert.equal(ours, undefined, what);
              else
                assert.ok(ours !== undefined && Math.abs(ours - expected) < 1e-12, `${what}: ${ours} != ${expected}`);
            }
          }
        }
      }
    });
  }
});
