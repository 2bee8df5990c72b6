/*
 * The in-process totals behind the observable counters (cost, finish
 * reasons): sums per attribute set, and their bounds on series that come
 * from the outside (end users, server-sent finish reasons).
 */
import * as assert from 'node:assert/strict';
import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { CostTotals, FinishReasonTotals } from '../src/metrics';

function observed(totals: { observe(result: ObservableResult): void }): Array<[number, Attributes]> {
  const out: Array<[number, Attributes]> = [];
  totals.observe({ observe: (value: number, attributes?: Attributes) => out.push([value, attributes ?? {}]) });
  return out;
}

describe('metric totals', () => {
  const set = { 'gen_ai.request.model': 'm' };

  it('finish reasons: counted per set and reason', () => {
    const t = new FinishReasonTotals();
    t.add('k', set, 'STOP', 'r');
    t.add('k', set, 'STOP', 'r');
    t.add('k', set, 'SAFETY', 'r');
    t.add('k2', { 'gen_ai.request.model': 'n' }, 'STOP', 'r');
    assert.deepEqual(observed(t), [
      [2, { ...set, r: 'STOP' }],
      [1, { ...set, r: 'SAFETY' }],
      [1, { 'gen_ai.request.model': 'n', r: 'STOP' }],
    ]);
  });

  it('finish reasons: past 500 series, a new reason is counted as _OTHER; known ones still count', () => {
    const t = new FinishReasonTotals();
    for (let i = 0; i < 500; i++) t.add('k', set, `R${i}`, 'r');
    t.add('k', set, 'NEW_1', 'r');
    t.add('k', set, 'NEW_2', 'r');
    t.add('k', set, 'R7', 'r');
    const points = observed(t);
    assert.equal(points.length, 501);
    assert.deepEqual(
      points.find(([, a]) => a.r === '_OTHER'),
      [2, { ...set, r: '_OTHER' }]
    );
    assert.deepEqual(
      points.find(([, a]) => a.r === 'R7'),
      [2, { ...set, r: 'R7' }]
    );
  });

  it('cost: per set and user; past 2000 series, new users fold into the set without a user', () => {
    const t = new CostTotals();
    t.add(0.5, 'k', set);
    for (let i = 0; i < 1999; i++) t.add(1, 'k', set, `u${i}`, 'enduser.id');
    t.add(0.25, 'k', set, 'late', 'enduser.id');
    t.add(1, 'k', set, 'u3', 'enduser.id');
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
