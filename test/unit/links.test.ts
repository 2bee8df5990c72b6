/*
 * FunctionCallLinks on its own: the answering round trip finds the one that
 * asked by what survives the caller's hands (id, else name and echoed
 * arguments within the trace, else order), and nothing stays pending once a
 * turn is answered.
 */
import * as assert from 'node:assert/strict';
import type { SpanContext } from '@opentelemetry/api';
import { ContinuationHops, FunctionCallLinks } from '../../src/core/links';

const TRACE = 'a'.repeat(32);
const OTHER_TRACE = 'b'.repeat(32);
const asker = (spanId: string, traceId = TRACE): SpanContext => ({ traceId, spanId, traceFlags: 1 });
const spanIds = (links: ReturnType<FunctionCallLinks['answered']>) => links?.map((l) => l.context.spanId);

describe('FunctionCallLinks', () => {
  it('by id, across traces', () => {
    const links = new FunctionCallLinks();
    links.asked(asker('1111111111111111'), [{ id: 'c-1', name: 'get_weather' }]);
    assert.deepEqual(spanIds(links.answered(OTHER_TRACE, [{ id: 'c-1', name: 'get_weather' }])), ['1111111111111111']);
    assert.equal(links.size, 0);
  });

  it('an id the caller replaced or removed: by name within the trace', () => {
    const links = new FunctionCallLinks();
    links.asked(asker('1111111111111111'), [{ id: 'model-id', name: 'get_weather' }]);
    assert.deepEqual(spanIds(links.answered(TRACE, [{ id: 'adk-1234', name: 'get_weather' }])), ['1111111111111111']);
    assert.equal(links.size, 0, 'the id entry went with it');
    links.asked(asker('2222222222222222'), [{ id: 'model-id-2', name: 'get_weather' }]);
    assert.deepEqual(spanIds(links.answered(TRACE, [{ name: 'get_weather' }])), ['2222222222222222']);
    assert.equal(links.size, 0);
  });

  it('not by name in another trace', () => {
    const links = new FunctionCallLinks();
    links.asked(asker('1111111111111111'), [{ name: 'get_weather' }]);
    assert.equal(links.answered(OTHER_TRACE, [{ name: 'get_weather' }]), undefined);
    assert.equal(links.answered(undefined, [{ name: 'get_weather' }]), undefined);
    assert.equal(links.size, 1);
  });

  it('two calls of one name: the echoed arguments pick the right asker, else the oldest', () => {
    const links = new FunctionCallLinks();
    links.asked(asker('1111111111111111'), [{ name: 'get_weather', args: { city: 'Oslo' } }]);
    links.asked(asker('2222222222222222'), [{ name: 'get_weather', args: { city: 'Lima', units: ['c'] } }]);
    assert.deepEqual(spanIds(links.answered(TRACE, [{ name: 'get_weather', args: { units: ['c'], city: 'Lima' } }])), [
      '2222222222222222',
    ]);
    assert.deepEqual(spanIds(links.answered(TRACE, [{ name: 'get_weather', args: { city: 'Rome' } }])), [
      '1111111111111111',
    ]);
    assert.equal(links.size, 0);
  });

  it('a turn answered in part: its other calls go too (no stale entries)', () => {
    const links = new FunctionCallLinks();
    links.asked(asker('1111111111111111'), [{ id: 'x-1', name: 'a' }, { id: 'x-2', name: 'b' }, { name: 'c' }]);
    links.asked(asker('3333333333333333'), [{ name: 'other_loop' }]);
    assert.deepEqual(spanIds(links.answered(TRACE, [{ id: 'x-1', name: 'a' }])), ['1111111111111111']);
    assert.equal(links.size, 1, "only the other round trip's call is left");
    assert.equal(links.answered(TRACE, [{ id: 'x-2', name: 'b' }]), undefined);
  });

  it('one link per asker, however many of its calls are answered', () => {
    const links = new FunctionCallLinks();
    links.asked(asker('1111111111111111'), [{ name: 'a' }, { name: 'b' }]);
    assert.deepEqual(spanIds(links.answered(TRACE, [{ name: 'a' }, { name: 'b' }])), ['1111111111111111']);
  });

  it('bounded: the oldest go first, from every index', () => {
    const links = new FunctionCallLinks(2);
    links.asked(asker('1111111111111111'), [{ id: 'i-1', name: 'a' }]);
    links.asked(asker('2222222222222222'), [{ id: 'i-2', name: 'b' }]);
    links.asked(asker('3333333333333333'), [{ id: 'i-3', name: 'c' }]);
    assert.equal(links.size, 2);
    assert.equal(links.answered(TRACE, [{ id: 'i-1', name: 'a' }]), undefined, 'evicted by id and by name');
    assert.deepEqual(spanIds(links.answered(TRACE, [{ id: 'i-3', name: 'c' }])), ['3333333333333333']);
  });

  it('an id asked again replaces the older entry', () => {
    const links = new FunctionCallLinks();
    links.asked(asker('1111111111111111'), [{ id: 'dup', name: 'a' }]);
    links.asked(asker('2222222222222222'), [{ id: 'dup', name: 'a' }]);
    assert.equal(links.size, 1);
    assert.deepEqual(spanIds(links.answered(TRACE, [{ id: 'dup', name: 'a' }])), ['2222222222222222']);
  });
});

describe('ContinuationHops (3.x continuation)', () => {
  const ctx = (spanId: string) => ({ traceId: 't'.repeat(32), spanId, traceFlags: 1 });

  it('each hop finds the one before it by the token it resumes from; a retry follows the failed try', () => {
    const hops = new ContinuationHops();
    assert.equal(hops.previous('tok-1'), undefined);
    hops.checkpoint('tok-1', ctx('a'), 0);
    assert.deepEqual(hops.previous('tok-1'), { span: ctx('a'), index: 0 });
    // Hop 1 resumes from tok-1, fails before a checkpoint of its own; the retry from tok-1 follows hop 1.
    hops.resumed('tok-1', ctx('b'), 1);
    assert.deepEqual(hops.previous('tok-1'), { span: ctx('b'), index: 1 });
    // The retry stops at tok-2: tok-1 is spent.
    hops.checkpoint('tok-2', ctx('c'), 2, 'tok-1');
    assert.equal(hops.previous('tok-1'), undefined);
    assert.deepEqual(hops.previous('tok-2'), { span: ctx('c'), index: 2 });
    // A token we never saw (a continuation from another process) is no hop we know.
    hops.resumed('tok-x', ctx('d'), 0);
    assert.equal(hops.previous('tok-x'), undefined);
  });

  it('is bounded, oldest first out', () => {
    const hops = new ContinuationHops(2);
    hops.checkpoint('a', ctx('1'), 0);
    hops.checkpoint('b', ctx('2'), 0);
    hops.checkpoint('c', ctx('3'), 0);
    assert.equal(hops.previous('a'), undefined);
    assert.ok(hops.previous('b') && hops.previous('c'));
  });
});
