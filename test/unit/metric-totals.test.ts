/*
 * The in-process totals behind the observable counters (cost, finish
 * reasons): sums per attribute set, and their bounds on series that come
 * from the outside (end users, server-sent finish reasons).
 */
import * as assert from 'node:assert/strict';
import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { metricTotals } from '../../src/core/metrics';

function observed(totals: { observe(result: ObservableResult): void }): Array<[number, Attributes]> {
  const out: Array<[number, Attributes]> = [];
  totals.observe({ observe: (value: number, attributes?: Attributes) => out.push([value, attributes ?? {}]) });
  return out;
}

describe('metric totals', () => {
  const set = { 'gen_ai.request.model': 'm' };
  const R = 'gcp.gen_ai.response.finish_reason';

  it('an amount that is not a finite, non-negative number is left out: it would stay in the running sum', () => {
    const t = metricTotals().cost;
    t.add(0.5, 'k', set);
    for (const bad of [NaN, Infinity, -Infinity, -1]) t.add(bad, 'k', set);
    assert.deepEqual(observed(t), [[0.5, set]]);
  });

  it('finish reasons: counted per set and reason', () => {
    const t = metricTotals().finishReasons;
    t.add(1, 'k', set, 'STOP');
    t.add(1, 'k', set, 'STOP');
    t.add(1, 'k', set, 'SAFETY');
    t.add(1, 'k2', { 'gen_ai.request.model': 'n' }, 'STOP');
    assert.deepEqual(observed(t), [
      [2, { ...set, [R]: 'STOP' }],
      [1, { ...set, [R]: 'SAFETY' }],
      [1, { 'gen_ai.request.model': 'n', [R]: 'STOP' }],
    ]);
  });

  it('finish reasons: past 500 series, a new reason is counted as _OTHER; known ones still count', () => {
    const t = metricTotals().finishReasons;
    for (let i = 0; i < 500; i++) t.add(1, 'k', set, `R${i}`);
    t.add(1, 'k', set, 'NEW_1');
    t.add(1, 'k', set, 'NEW_2');
    t.add(1, 'k', set, 'R7');
    const points = observed(t);
    assert.equal(points.length, 501);
    assert.deepEqual(
      points.find(([, a]) => a[R] === '_OTHER'),
      [2, { ...set, [R]: '_OTHER' }]
    );
    assert.deepEqual(
      points.find(([, a]) => a[R] === 'R7'),
      [2, { ...set, [R]: 'R7' }]
    );
  });

  it('cost: per set and user; past 2000 series, new users fold into the set without a user', () => {
    const t = metricTotals().cost;
    t.add(0.5, 'k', set);
    for (let i = 0; i < 1999; i++) t.add(1, 'k', set, `u${i}`);
    t.add(0.25, 'k', set, 'late');
    t.add(1, 'k', set, 'u3');
    const points = observed(t);
    assert.equal(points.length, 2000);
    assert.deepEqual(points[0], [0.75, set]);
    assert.deepEqual(
      points.find(([, a]) => a['enduser.id'] === 'u3'),
      [2, { ...set, 'enduser.id': 'u3' }]
    );
    assert.equal(
      points.find(([, a]) => a['enduser.id'] === 'late'),
      undefined
    );
  });
});
