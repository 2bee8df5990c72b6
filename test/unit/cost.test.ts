/*
 * Cost, on plain objects: each billing rule against figures computed by hand
 * from the published prices (USD per 1M tokens).
 */
import * as assert from 'node:assert/strict';
import { bareModelName, costOf, priceFor, resolveModel, type PriceTable } from '../../src/mapping/cost';
import { BUILTIN_PRICES, PRICE_TABLE_AS_OF, PRICE_TABLE_SOURCES } from '../../src/mapping/prices';

const near = (actual: number | undefined, expected: number) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

describe('cost (pure)', () => {
  const flash = BUILTIN_PRICES['gemini-2.5-flash']; // 0.30 in, 2.50 out, 0.03 cached
  const pro = BUILTIN_PRICES['gemini-2.5-pro']; // 1.25 / 10.00 / 0.125; above 200k: 2.50 / 15.00 / 0.25

  it('no cost, rather than Infinity or NaN, for counts no API sends', () => {
    assert.equal(
      costOf({ promptTokenCount: Number.MAX_VALUE, candidatesTokenCount: Number.MAX_VALUE }, flash),
      undefined
    );
  });

  it('keeps the table date and sources', () => {
    assert.equal(PRICE_TABLE_AS_OF, '2026-10-07');
    assert.ok(PRICE_TABLE_SOURCES.some((s) => s.id === 'OFFICIAL_2026-06-02'));
    assert.deepEqual(flash, {
      input: 0.3,
      output: 2.5,
      cachedInput: 0.03,
      aliases: ['gemini-2.5-flash-preview-09-2025'],
    });
  });

  it('input and output, thinking billed as output', () => {
    // 1,000 x 0.30 + (200 + 300) x 2.50 = 300 + 1,250 = 1,550 per 1M
    near(costOf({ promptTokenCount: 1000, candidatesTokenCount: 200, thoughtsTokenCount: 300 }, flash), 0.00155);
  });

  it('cached input at the cached rate, inside the prompt count', () => {
    // (10,000 - 8,000) x 0.30 + 8,000 x 0.03 + 100 x 2.50 = 600 + 240 + 250
    near(costOf({ promptTokenCount: 10000, cachedContentTokenCount: 8000, candidatesTokenCount: 100 }, flash), 0.00109);
  });

  it('tool-use prompt tokens billed as input', () => {
    // (1,000 + 500) x 0.30
    near(costOf({ promptTokenCount: 1000, toolUsePromptTokenCount: 500 }, flash), 0.00045);
  });

  it('long context: the tier rates for the whole request, cached included', () => {
    // 250,000 > 200,000: (50,000 x 2.50 + 200,000 x 0.25 + (1,000 + 2,000) x 15.00) = 125,000 + 50,000 + 45,000
    near(
      costOf(
        {
          promptTokenCount: 250000,
          cachedContentTokenCount: 200000,
          candidatesTokenCount: 1000,
          thoughtsTokenCount: 2000,
        },
        pro
      ),
      0.22
    );
    // Exactly 200,000 is still the base tier: 200,000 x 1.25
    near(costOf({ promptTokenCount: 200000 }, pro), 0.25);
  });

  it("Vertex AI's own price where it differs", () => {
    const flash20 = BUILTIN_PRICES['gemini-2.0-flash'];
    near(costOf({ promptTokenCount: 1000, candidatesTokenCount: 1000 }, flash20, true), 0.00075);
    near(costOf({ promptTokenCount: 1000, candidatesTokenCount: 1000 }, flash20, false), 0.0005);
  });

  it('no usage, no cost', () => {
    assert.equal(costOf(undefined, flash), undefined);
    assert.equal(costOf({}, flash), undefined);
  });

  it('resolves model names: prefixes, version suffixes, aliases; unknown stays unknown', () => {
    const cases: Array<[string, string | undefined]> = [
      ['gemini-2.5-flash', 'gemini-2.5-flash'],
      ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
      ['publishers/google/models/gemini-2.5-pro', 'gemini-2.5-pro'],
      ['projects/p/locations/us-central1/publishers/google/models/gemini-2.5-flash-lite', 'gemini-2.5-flash-lite'],
      ['gemini-2.5-flash-001', 'gemini-2.5-flash'],
      ['gemini-2.5-pro-preview-06-05', 'gemini-2.5-pro'],
      ['gemini-2.0-flash-001', 'gemini-2.0-flash'],
      ['gemini-3.5-flash-20260115', 'gemini-3.5-flash'],
      ['gemini-1.5-pro-latest', 'gemini-1.5-pro'],
      ['GEMINI-2.5-FLASH', 'gemini-2.5-flash'],
      ['gemini-flash-latest', undefined],
      ['gpt-4o', undefined],
      ['tunedModels/1234567890', undefined],
    ];
    for (const [name, key] of cases) assert.equal(resolveModel(name, BUILTIN_PRICES), key, name);
    assert.equal(bareModelName('models/x'), 'x');
  });

  it('prices the model that answered first, then the one asked for', () => {
    assert.equal(priceFor(BUILTIN_PRICES, 'gemini-2.5-pro-002', 'gemini-pro-latest', false)?.key, 'gemini-2.5-pro');
    assert.equal(priceFor(BUILTIN_PRICES, undefined, 'gemini-2.5-flash', false)?.key, 'gemini-2.5-flash');
    assert.equal(priceFor(BUILTIN_PRICES, 'unknown-model', 'also-unknown', false), undefined);
    // Vertex AI has no price we trust for this one.
    assert.equal(priceFor(BUILTIN_PRICES, 'gemini-1.5-pro', undefined, true), undefined);
  });

  it('an override table replaces and extends', () => {
    const table: PriceTable = { ...BUILTIN_PRICES, 'my-tuned-model': { input: 1, output: 2 } };
    near(
      costOf(
        { promptTokenCount: 1e6, candidatesTokenCount: 1e6 },
        priceFor(table, 'my-tuned-model', undefined, false)!.price
      ),
      3
    );
  });
});
