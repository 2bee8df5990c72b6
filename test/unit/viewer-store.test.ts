/*
 * The viewer's pure parts: OTLP values and ids as both encodings carry them,
 * and the store (the bound on traces, the root, totals from cumulative and
 * delta metrics).
 */
import * as assert from 'node:assert/strict';
import { idOf, msOf, metricPointsOf, valueOf, type ViewSpan } from '../../src/viewer/otlp';
import { ViewerStore } from '../../src/viewer/store';

const HEX_TRACE = '5b8efff798038103d269b633813fc60c';

function span(traceId: string, spanId: string, extra: Partial<ViewSpan> = {}): ViewSpan {
  return {
    traceId,
    spanId,
    name: `span ${spanId}`,
    kind: 1,
    start: 1000,
    end: 1010,
    attributes: {},
    events: [],
    links: [],
    status: { code: 0 },
    service: 'svc',
    scope: 'test',
    ...extra,
  };
}

describe('viewer: OTLP values', () => {
  it('reads ids as hex (OTLP/JSON), bytes (protobuf) and base64 (lenient JSON senders)', () => {
    assert.equal(idOf(HEX_TRACE.toUpperCase()), HEX_TRACE);
    assert.equal(idOf(Buffer.from(HEX_TRACE, 'hex')), HEX_TRACE);
    assert.equal(idOf(Buffer.from(HEX_TRACE, 'hex').toString('base64')), HEX_TRACE);
    assert.equal(idOf(''), '');
    assert.equal(idOf(undefined), '');
  });

  it('reads nanosecond times as strings, numbers and bigints, to the microsecond', () => {
    assert.equal(msOf('1700000000123456789'), 1700000000123.456);
    assert.equal(msOf(1_500_000), 1.5);
    assert.equal(msOf(2_000_000n), 2);
    assert.equal(msOf('not a time'), 0);
  });

  it('reads every AnyValue kind', () => {
    assert.equal(valueOf({ stringValue: 'a' }), 'a');
    assert.equal(valueOf({ boolValue: false }), false);
    assert.equal(valueOf({ intValue: '42' }), 42);
    assert.equal(valueOf({ intValue: '9223372036854775807' }), '9223372036854775807');
    assert.equal(valueOf({ doubleValue: 0.5 }), 0.5);
    assert.deepEqual(valueOf({ arrayValue: { values: [{ stringValue: 'STOP' }, { intValue: 3 }] } }), ['STOP', 3]);
    assert.deepEqual(valueOf({ kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }), { k: true });
    assert.equal(valueOf({ bytesValue: Buffer.from('hi') }), Buffer.from('hi').toString('base64'));
    assert.equal(valueOf({}), undefined);
  });
});

describe('viewer: the store', () => {
  it('keeps at most maxTraces traces, dropping the one updated longest ago', () => {
    const store = new ViewerStore({ maxTraces: 3 });
    for (const t of ['1', '2', '3']) store.addSpans([span(t.repeat(32), '0'.repeat(15) + t)]);
    // Trace 1 gets another span: now trace 2 is the one updated longest ago.
    store.addSpans([span('1'.repeat(32), 'a'.repeat(16))]);
    store.addSpans([span('4'.repeat(32), 'b'.repeat(16))]);
    assert.deepEqual(
      store
        .list()
        .map((t) => t.traceId[0])
        .sort(),
      ['1', '3', '4']
    );
    assert.equal(store.dropped.traces, 1);
    assert.equal(store.get('2'.repeat(32)), undefined);
    assert.equal(store.get('1'.repeat(32))?.spans.length, 2);
  });

  it('keeps at most maxSpansPerTrace spans of a trace, and counts the rest', () => {
    const store = new ViewerStore({ maxSpansPerTrace: 2 });
    const t = 'c'.repeat(32);
    store.addSpans([span(t, '1'.repeat(16)), span(t, '2'.repeat(16)), span(t, '3'.repeat(16))]);
    assert.equal(store.get(t)?.spans.length, 2);
    assert.equal(store.dropped.spans, 1);
  });

  it('names a trace by its root: a span with no parent before an orphan that started earlier', () => {
    const store = new ViewerStore();
    const t = 'd'.repeat(32);
    store.addSpans([
      span(t, '1'.repeat(16), { name: 'orphan', start: 900, parentSpanId: 'f'.repeat(16) }),
      span(t, '2'.repeat(16), { name: 'GET /', start: 1000, end: 1100 }),
      span(t, '3'.repeat(16), {
        name: 'generate_content m',
        kind: 3,
        parentSpanId: '2'.repeat(16),
        status: { code: 2 },
        attributes: {
          'gen_ai.operation.name': 'generate_content',
          'gen_ai.request.model': 'm',
          'gen_ai.usage.input_tokens': 8,
          'gen_ai.usage.output_tokens': 17,
          'gen_ai.cost.usd': 0.25,
        },
      }),
    ]);
    assert.deepEqual(store.list()[0], {
      traceId: t,
      root: 'GET /',
      service: 'svc',
      start: 900,
      durationMs: 200,
      spans: 3,
      modelCalls: 1,
      inputTokens: 8,
      outputTokens: 17,
      costUsd: 0.25,
      errors: 1,
      models: ['m'],
    });
  });

  it('totals per model and per user: the latest point of a cumulative series, the sum of delta points', () => {
    const store = new ViewerStore();
    const point = (
      metric: string,
      temporality: number,
      attributes: Record<string, unknown>,
      value: number,
      count?: number
    ) =>
      ({
        resource: 'r',
        service: 's',
        metric,
        unit: '',
        type: 'sum',
        temporality,
        attributes,
        startNs: '1',
        value,
        count,
      }) as const;
    const m = { 'gen_ai.request.model': 'gemini-2.5-flash', 'gen_ai.response.model': 'gemini-2.5-flash-001' };
    // Cumulative: the second export of a series replaces the first.
    store.addMetrics([point('gen_ai.client.cost', 2, { ...m, 'enduser.id': 'abc' }, 0.1)]);
    store.addMetrics([point('gen_ai.client.cost', 2, { ...m, 'enduser.id': 'abc' }, 0.3)]);
    store.addMetrics([point('gen_ai.client.cost', 2, m, 0.05)]);
    // Delta: points add up.
    store.addMetrics([point('gen_ai.client.token.usage', 1, { ...m, 'gen_ai.token.type': 'input' }, 8, 1)]);
    store.addMetrics([point('gen_ai.client.token.usage', 1, { ...m, 'gen_ai.token.type': 'input' }, 8, 1)]);
    store.addMetrics([point('gen_ai.client.token.usage', 2, { ...m, 'gen_ai.token.type': 'output' }, 34, 2)]);
    store.addMetrics([point('gen_ai.client.operation.duration', 2, m, 1.2, 2)]);
    store.addMetrics([point('gen_ai.client.operation.duration', 2, { ...m, 'error.type': '503' }, 0.1, 1)]);
    // Not a metric the totals read.
    store.addMetrics([point('http.client.request.duration', 2, m, 9, 9)]);
    const totals = store.totals();
    assert.deepEqual(totals.models, [
      { model: 'gemini-2.5-flash-001', calls: 3, errors: 1, inputTokens: 16, outputTokens: 34, costUsd: 0.35 },
    ]);
    assert.deepEqual(totals.users, [
      { user: 'abc', costUsd: 0.3 },
      { user: '(no user)', costUsd: 0.05 },
    ]);
  });

  it('reads metric points of every data kind from a request', () => {
    const points = metricPointsOf({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'app' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'c',
                  sum: { aggregationTemporality: 2, dataPoints: [{ asDouble: 0.5, startTimeUnixNano: '7' }] },
                },
                { name: 'g', gauge: { dataPoints: [{ asInt: '3' }] } },
                { name: 'h', histogram: { aggregationTemporality: 1, dataPoints: [{ sum: 2.5, count: '4' }] } },
              ],
            },
          ],
        },
      ],
    });
    assert.deepEqual(
      points.map((p) => [p.service, p.metric, p.type, p.temporality, p.value, p.count, p.startNs]),
      [
        ['app', 'c', 'sum', 2, 0.5, undefined, '7'],
        ['app', 'g', 'gauge', 0, 3, undefined, ''],
        ['app', 'h', 'histogram', 1, 2.5, 4, ''],
      ]
    );
  });
});
