/*
 * Telemetry's caches, which keep the mapping modules pure: sampling and
 * metric attribute sets built once and shared, rebuilt when what they depend
 * on changes; price look-ups follow the settings' table.
 */
import * as assert from 'node:assert/strict';
import { metrics, propagation, ROOT_CONTEXT, trace, type Attributes, type ObservableResult } from '@opentelemetry/api';
import { hasEndUser, NO_END_USER } from '../../src/mapping/enduser';
import { resolveSettings } from '../../src/core/settings';
import { Telemetry } from '../../src/core/telemetry';

function telemetry(): Telemetry {
  return new Telemetry({
    tracer: trace.getTracer('t'),
    meter: metrics.getMeter('t'),
    logger: undefined,
    tracerProvider: undefined,
  });
}

describe('Telemetry (caches)', () => {
  it('sampling attributes are built once per client and model, frozen, and rebuilt when the base URL changes', () => {
    const t = telemetry();
    let baseUrl = 'https://a.test/';
    const client = { isVertexAI: () => false, getBaseUrl: () => baseUrl };
    const first = t.samplingAttributes('generate_content', client, 'm');
    assert.equal(t.samplingAttributes('generate_content', client, 'm'), first);
    assert.ok(Object.isFrozen(first));
    assert.deepEqual(first, {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'm',
      'server.address': 'a.test',
      'server.port': 443,
    });
    assert.notEqual(t.samplingAttributes('generate_content', client, 'other'), first);
    baseUrl = 'https://b.test/';
    assert.equal(t.samplingAttributes('generate_content', client, 'm')['server.address'], 'b.test');
    // The last call site is checked first: a base URL change right after it is seen too.
    baseUrl = 'https://c.test/';
    assert.equal(t.samplingAttributes('generate_content', client, 'm')['server.address'], 'c.test');
    assert.equal(t.callSite('generate_content', client, 'm').spanName, 'generate_content m');
    assert.equal(t.callSite('embeddings', client, 'm').attrs['gen_ai.operation.name'], 'embeddings');
    // Another instance has caches of its own.
    assert.notEqual(telemetry().samplingAttributes('generate_content', client, 'm'), first);
  });

  it('metric attribute sets are built once per sampling set and response model', () => {
    const t = telemetry();
    const attrs = t.samplingAttributes('generate_content', { getBaseUrl: () => 'http://h:1' }, 'm');
    const sets = t.metricAttributes(attrs, 'm-001');
    assert.equal(t.metricAttributes(attrs, 'm-001'), sets);
    assert.notEqual(t.metricAttributes(attrs, undefined), sets);
    // After another set, the first is still the same object (the last answer is only a shortcut).
    assert.equal(t.metricAttributes(attrs, 'm-001'), sets);
    const other = t.samplingAttributes('generate_content', { getBaseUrl: () => 'http://h:1' }, 'n');
    assert.equal(t.metricAttributes(other, 'm-001').base['gen_ai.request.model'], 'n');
    assert.deepEqual(sets.output, { ...sets.base, 'gen_ai.token.type': 'output' });
    assert.equal(sets.base['gen_ai.response.model'], 'm-001');
  });

  it('costs follow the settings: a new price table takes effect at once', () => {
    const t = telemetry();
    const response = {
      modelVersion: 'my-model',
      usageMetadata: { promptTokenCount: 1_000_000, candidatesTokenCount: 0 },
    };
    const before = resolveSettings({});
    assert.equal(t.costOf(response, 'my-model', false, before), undefined);
    const after = resolveSettings({ prices: { 'my-model': { input: 2, output: 4 } } });
    assert.equal(t.costOf(response, 'my-model', false, after), 2);
  });
  it('a call for no one in particular shares one frozen empty end-user set; a named user gets its own', () => {
    const t = telemetry();
    const settings = resolveSettings({});
    const none = t.endUser(ROOT_CONTEXT, settings);
    assert.equal(none, NO_END_USER);
    assert.ok(Object.isFrozen(none));
    assert.equal(hasEndUser(none), false);
    // Baggage without any end-user key: still the shared set.
    const other = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'tenant.id': { value: 't1' } }));
    assert.equal(t.endUser(other, settings), NO_END_USER);
    const named = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ 'enduser.id': { value: 'u1' } }));
    const user = t.endUser(named, settings);
    assert.equal(hasEndUser(user), true);
    assert.equal(typeof user['enduser.id'], 'string');
    assert.notEqual(user['enduser.id'], 'u1');
    const byCallback = t.endUser(ROOT_CONTEXT, resolveSettings({ endUserId: () => 'u2' }));
    assert.equal(hasEndUser(byCallback), true);
    assert.equal(t.endUser(ROOT_CONTEXT, resolveSettings({ endUserId: () => undefined })), NO_END_USER);
  });
});

describe('Telemetry (counter totals kept with their attribute sets)', () => {
  const R = 'gcp.gen_ai.response.finish_reason';
  function observed(totals: { observe(result: ObservableResult): void }): Array<[number, Attributes]> {
    const out: Array<[number, Attributes]> = [];
    totals.observe({ observe: (value: number, attributes?: Attributes) => out.push([value, attributes ?? {}]) });
    return out;
  }
  const client = (host: string) => ({ isVertexAI: () => false, getBaseUrl: () => `https://${host}/` });

  it('finish reasons: the same sums whether a set sees one reason again or another one, and equal sets of two clients share them', () => {
    const t = telemetry();
    const a = t.metricAttributes(t.samplingAttributes('generate_content', client('a.test'), 'm'), 'm-001');
    const b = t.metricAttributes(t.samplingAttributes('generate_content', client('b.test'), 'm'), 'm-001');
    assert.notEqual(a, b);
    for (const reason of ['STOP', 'STOP', 'MAX_TOKENS', 'STOP']) t.countFinishReason(a, reason);
    t.countFinishReason(b, 'STOP');
    const counters = {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'm',
      'gen_ai.response.model': 'm-001',
    };
    assert.deepEqual(observed(t.metrics.finishReasons), [
      [4, { ...counters, [R]: 'STOP' }],
      [1, { ...counters, [R]: 'MAX_TOKENS' }],
    ]);
  });

  it('cost: per tier and hashed user, switching between them; an amount that is not a finite, non-negative number is left out', () => {
    const t = telemetry();
    const sets = t.metricAttributes(t.samplingAttributes('generate_content', client('a.test'), 'm'), undefined);
    t.addCost(sets, 'standard', '', 0.25);
    t.addCost(sets, 'standard', 'u1', 0.5);
    t.addCost(sets, 'flex', '', 1);
    t.addCost(sets, 'standard', '', 0.25);
    for (const bad of [NaN, Infinity, -1]) t.addCost(sets, 'standard', '', bad);
    const base = {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'm',
    };
    assert.deepEqual(observed(t.metrics.cost), [
      [0.5, { ...base, 'gcp.gen_ai.service_tier': 'standard' }],
      [0.5, { ...base, 'gcp.gen_ai.service_tier': 'standard', 'enduser.id': 'u1' }],
      [1, { ...base, 'gcp.gen_ai.service_tier': 'flex' }],
    ]);
  });
});
