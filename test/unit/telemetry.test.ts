/*
 * Telemetry's caches, which keep the mapping modules pure: sampling and
 * metric attribute sets built once and shared, rebuilt when what they depend
 * on changes; price look-ups follow the settings' table.
 */
import * as assert from 'node:assert/strict';
import { metrics, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
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
    // Another instance has caches of its own.
    assert.notEqual(telemetry().samplingAttributes('generate_content', client, 'm'), first);
  });

  it('metric attribute sets are built once per sampling set and response model', () => {
    const t = telemetry();
    const attrs = t.samplingAttributes('generate_content', { getBaseUrl: () => 'http://h:1' }, 'm');
    const sets = t.metricAttributes(attrs, 'm-001');
    assert.equal(t.metricAttributes(attrs, 'm-001'), sets);
    assert.notEqual(t.metricAttributes(attrs, undefined), sets);
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
