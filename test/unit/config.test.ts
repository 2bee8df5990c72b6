/*
 * Settings parsing and bounded JSON, on plain values.
 */
import * as assert from 'node:assert/strict';
import { boundedJson, captureMode, capturesOnSpans } from '../../src/mapping/capture';

describe('config', () => {
  it('capture mode: the option wins over the environment; unknown means no content', () => {
    assert.equal(captureMode(undefined, undefined), 'NO_CONTENT');
    assert.equal(captureMode(undefined, 'span_only'), 'SPAN_ONLY');
    assert.equal(captureMode('EVENT_ONLY', 'SPAN_ONLY'), 'EVENT_ONLY');
    assert.equal(captureMode(false, 'SPAN_AND_EVENT'), 'NO_CONTENT');
    assert.equal(captureMode(true, undefined), 'SPAN_AND_EVENT');
    assert.equal(captureMode(undefined, 'true'), 'SPAN_AND_EVENT');
    assert.equal(captureMode(undefined, ' False '), 'NO_CONTENT');
    assert.equal(captureMode(undefined, 'yes please'), 'NO_CONTENT');
    assert.deepEqual((['NO_CONTENT', 'SPAN_ONLY', 'EVENT_ONLY', 'SPAN_AND_EVENT'] as const).map(capturesOnSpans), [
      false,
      true,
      false,
      true,
    ]);
  });

  it('bounded JSON: short values as they are, long ones replaced by a marked, valid prefix', () => {
    assert.equal(boundedJson({ a: 1 }, 100), '{"a":1}');
    const long = { text: 'é'.repeat(50) };
    const bounded = JSON.parse(boundedJson(long, 20)!);
    assert.deepEqual(bounded, {
      truncated: true,
      length: JSON.stringify(long).length,
      prefix: JSON.stringify(long).slice(0, 20),
    });
    assert.equal(boundedJson(undefined, 10), undefined);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    assert.equal(boundedJson(circular, 10), undefined);
    assert.equal(boundedJson({ a: 'x'.repeat(100) }, 0), JSON.stringify({ a: 'x'.repeat(100) }));
  });
});
