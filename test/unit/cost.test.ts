/*
 * Cost, on plain objects: each billing rule against figures computed by hand
 * from the published prices (USD per 1M tokens).
 */
import * as assert from 'node:assert/strict';
import { bareModelName, costOf, priceFor, ratesAt, resolveModel, type PriceTable } from '../../src/mapping/cost';
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
      inputAudio: 1,
      cachedInputAudio: 0.1,
      serviceTiers: {
        batch: { input: 0.15, output: 1.25, cachedInput: 0.03, inputAudio: 0.5, cachedInputAudio: 0.1 },
        flex: { input: 0.15, output: 1.25, cachedInput: 0.03, inputAudio: 0.5, cachedInputAudio: 0.1 },
        priority: { input: 0.54, output: 4.5, cachedInput: 0.054, inputAudio: 1.8, cachedInputAudio: 0.18 },
      },
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
    const at = Date.parse('2026-12-02T00:00:00Z');
    near(
      costOf({ promptTokenCount: 1000, candidatesTokenCount: 1000 }, ratesAt(flash20, { at, vertexAi: true })!),
      0.00075
    );
    near(costOf({ promptTokenCount: 1000, candidatesTokenCount: 1000 }, ratesAt(flash20, { at })!), 0.0005);
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

describe('cost by service tier, date and modality (pure)', () => {
  const price = (model: string) => BUILTIN_PRICES[model];
  const NOW = Date.parse('2026-12-02T12:00:00Z');
  const bill = (
    model: string,
    usage: Record<string, unknown>,
    options: { tier?: string; at?: number; vertexAi?: boolean } = {}
  ) => {
    const rates = ratesAt(price(model), { at: NOW, ...options });
    return rates ? costOf(usage, rates) : undefined;
  };
  const usage = {
    promptTokenCount: 10000,
    cachedContentTokenCount: 2000,
    candidatesTokenCount: 500,
    thoughtsTokenCount: 500,
  };

  it('2.5 Pro on each tier, under and over the long-context threshold', () => {
    // Standard 1.25 / 10.00 / cached 0.125: 8,000 x 1.25 + 2,000 x 0.125 + 1,000 x 10 = 10,000 + 250 + 10,000
    near(bill('gemini-2.5-pro', usage), 0.02025);
    // Batch and flex 0.625 / 5.00 / 0.125: 5,000 + 250 + 5,000
    near(bill('gemini-2.5-pro', usage, { tier: 'batch' }), 0.01025);
    near(bill('gemini-2.5-pro', usage, { tier: 'flex' }), 0.01025);
    // Priority 2.25 / 18.00 / 0.225: 18,000 + 450 + 18,000
    near(bill('gemini-2.5-pro', usage, { tier: 'priority' }), 0.03645);
    // 'unspecified' and 'standard' are Standard.
    near(bill('gemini-2.5-pro', usage, { tier: 'unspecified' }), 0.02025);
    const long = { promptTokenCount: 300000, candidatesTokenCount: 1000 };
    // Over 200k, priority's long-context rates 4.50 / 27.00: 1,350,000 + 27,000
    near(bill('gemini-2.5-pro', long, { tier: 'priority' }), 1.377);
    // Flex long context 1.25 / 7.50: 375,000 + 7,500
    near(bill('gemini-2.5-pro', long, { tier: 'flex' }), 0.3825);
  });

  it('a tier the table has no price for, and a tier nobody sells per token, have none', () => {
    assert.equal(bill('gemini-3.8-flash', usage, { tier: 'flex' }), undefined);
    assert.equal(bill('gemini-2.5-flash', usage, { tier: 'provisioned_throughput' }), undefined);
    assert.equal(bill('gemini-2.5-flash', usage, { tier: 'off_peak' }), undefined);
  });

  it('a scheduled price from its date, 00:00 UTC; its derived batch rate follows', () => {
    const before = Date.parse('2026-12-31T23:59:59.999Z');
    const after = Date.parse('2027-01-01T00:00:00Z');
    // 3.8 Flash: 8,000 x 0.75 + 2,000 x 0.075 + 1,000 x 3.75 = 6,000 + 150 + 3,750
    near(bill('gemini-3.8-flash', usage, { at: before }), 0.0099);
    // From 2027: 8,000 x 1.50 + 2,000 x 0.15 + 1,000 x 7.50 = 12,000 + 300 + 7,500
    near(bill('gemini-3.8-flash', usage, { at: after }), 0.0198);
    // Batch, 50% of Standard (derived in the table): 8,000 x 0.375 + 2,000 x 0.075 + 1,000 x 1.875, then doubled input/output
    near(bill('gemini-3.8-flash', usage, { at: before, tier: 'batch' }), (3000 + 150 + 1875) / 1e6);
    near(bill('gemini-3.8-flash', usage, { at: after, tier: 'batch' }), (6000 + 300 + 3750) / 1e6);
  });

  it('Vertex AI: its own block and its own batch rates where they differ', () => {
    const u = { promptTokenCount: 1000, candidatesTokenCount: 1000 };
    // 2.0 Flash on Vertex AI: batch 0.075 / 0.30
    near(bill('gemini-2.0-flash', u, { vertexAi: true, tier: 'batch' }), 0.000375);
    // and on the Gemini API: batch 0.05 / 0.20
    near(bill('gemini-2.0-flash', u, { tier: 'batch' }), 0.00025);
    // Embedding 001 batch: 0.12 on Vertex AI, 0.075 on the Gemini API
    near(bill('gemini-embedding-001', { promptTokenCount: 1e6 }, { vertexAi: true, tier: 'batch' }), 0.12);
    near(bill('gemini-embedding-001', { promptTokenCount: 1e6 }, { tier: 'batch' }), 0.075);
  });

  it('modalities: audio and cached audio, image and document at the image rate, video, image output', () => {
    // Embedding 2: text 0.20, image 0.45, audio 6.50, video 12.00
    near(
      bill('gemini-embedding-2', {
        promptTokenCount: 4000,
        promptTokensDetails: [
          { modality: 'TEXT', tokenCount: 1000 },
          { modality: 'IMAGE', tokenCount: 1000 },
          { modality: 'DOCUMENT', tokenCount: 500 },
          { modality: 'AUDIO', tokenCount: 1000 },
          { modality: 'VIDEO', tokenCount: 500 },
        ],
      }),
      // 1,000 x 0.20 + 1,500 x 0.45 + 1,000 x 6.50 + 500 x 12.00 = 200 + 675 + 6,500 + 6,000
      13375 / 1e6
    );
    // 2.5 Flash priority: audio 1.80, cached audio 0.18, text 0.54, cached 0.054, output 4.50
    near(
      bill(
        'gemini-2.5-flash',
        {
          promptTokenCount: 2000,
          cachedContentTokenCount: 1000,
          candidatesTokenCount: 100,
          promptTokensDetails: [
            { modality: 'TEXT', tokenCount: 500 },
            { modality: 'AUDIO', tokenCount: 1500 },
          ],
          cacheTokensDetails: [{ modality: 'AUDIO', tokenCount: 1000 }],
        },
        { tier: 'priority' }
      ),
      // cached audio 1,000 x 0.18 + uncached audio 500 x 1.80 + text 500 x 0.54 + 100 x 4.50 = 180 + 900 + 270 + 450
      1800 / 1e6
    );
    // 3 Pro Image: image output 120.00, batch 60.00
    const image = {
      promptTokenCount: 100,
      candidatesTokenCount: 1200,
      candidatesTokensDetails: [
        { modality: 'TEXT', tokenCount: 80 },
        { modality: 'IMAGE', tokenCount: 1120 },
      ],
    };
    // 100 x 2.00 + 80 x 12.00 + 1,120 x 120.00 = 200 + 960 + 134,400
    near(bill('gemini-3-pro-image', image), 135560 / 1e6);
    // batch: 100 x 1.00 + 80 x 6.00 + 1,120 x 60.00 = 100 + 480 + 67,200
    near(bill('gemini-3-pro-image', image, { tier: 'batch' }), 67780 / 1e6);
    // A model with no image output rate bills image tokens as output.
    near(
      bill('gemini-2.5-flash', {
        promptTokenCount: 0,
        candidatesTokenCount: 1000,
        candidatesTokensDetails: [{ modality: 'IMAGE', tokenCount: 1000 }],
      }),
      0.0025
    );
  });

  it('details that add up to more than the prompt never bill more than the prompt', () => {
    near(
      bill('gemini-2.5-flash', {
        promptTokenCount: 100,
        promptTokensDetails: [{ modality: 'AUDIO', tokenCount: 1000 }],
      }),
      // At most 100 audio tokens x 1.00
      0.0001
    );
  });
});
