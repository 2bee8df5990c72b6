/*
 * End-user identity: from baggage or the app's callback, hashed by default
 * (HMAC-SHA-256 with a salt), raw only when asked; role and plan passed
 * through, at span start so samplers can use them; cost per hashed user.
 */
import { finishedSpans, instrumentation, tracerProvider, resetInstrumentation } from '../utils/otel';
import { collectMetrics } from '../utils/metrics';
import * as assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';

const hmac = (salt: string, id: string) => createHmac('sha256', salt).update(id).digest('hex').slice(0, 16);

describe(`end-user identity (@google/genai ${SDK_MAJOR}.x)`, () => {
  const server = withFakeGemini();
  after(() => instrumentation.setConfig({}));
  beforeEach(async () => {
    resetInstrumentation();
    await collectMetrics();
  });

  const call = (entries: Record<string, string> = { 'enduser.id': 'alice@example.com' }) => {
    const baggage = propagation.createBaggage(
      Object.fromEntries(Object.entries(entries).map(([k, value]) => [k, { value }]))
    );
    const ai = server.client();
    return context.with(propagation.setBaggage(context.active(), baggage), () =>
      ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' })
    );
  };

  it('hashes the baggage id by default, passes role and plan, and gives them to the sampler', async () => {
    const seen: Array<Record<string, unknown>> = [];
    instrumentation.setTracerProvider(
      new BasicTracerProvider({
        sampler: {
          shouldSample: (_c, _t, _n, _k, attributes) => {
            seen.push({ ...attributes });
            return { decision: 2 }; // RECORD_AND_SAMPLED
          },
          toString: () => 'recording sampler',
        },
      })
    );
    try {
      await call({ 'enduser.id': 'alice@example.com', 'enduser.role': 'qa', 'enduser.plan': 'enterprise' });
    } finally {
      instrumentation.setTracerProvider(tracerProvider);
    }
    const expected = {
      'enduser.id': hmac('opentelemetry-instrumentation-google-genai', 'alice@example.com'),
      'enduser.role': 'qa',
      'gcp.gen_ai.enduser.plan': 'enterprise',
    };
    assert.deepEqual(
      Object.fromEntries(Object.entries(seen[0]).filter(([k]) => k.startsWith('enduser') || k.includes('plan'))),
      expected
    );
    assert.match(expected['enduser.id'], /^[0-9a-f]{16}$/);
  });

  it('the same id and salt always give the same hash; another salt another', async () => {
    instrumentation.setConfig({ endUserIdSalt: 'tenant-salt-1' });
    await call();
    await call();
    instrumentation.setConfig({ endUserIdSalt: 'tenant-salt-2' });
    await call();
    const ids = finishedSpans().map((s) => s.attributes['enduser.id']);
    assert.deepEqual(ids, [
      hmac('tenant-salt-1', 'alice@example.com'),
      hmac('tenant-salt-1', 'alice@example.com'),
      hmac('tenant-salt-2', 'alice@example.com'),
    ]);
    assert.equal(JSON.stringify(finishedSpans().map((s) => s.attributes)).includes('alice'), false);
  });

  it('raw only when asked; the callback wins over baggage; custom baggage keys', async () => {
    instrumentation.setConfig({ recordRawEndUserId: true });
    await call();
    instrumentation.setConfig({ recordRawEndUserId: true, endUserId: () => 'from-callback' });
    await call();
    instrumentation.setConfig({
      recordRawEndUserId: true,
      endUserBaggageKeys: { id: 'user', role: 'kind', plan: 'tier' },
    });
    await call({ user: 'bob', kind: 'staff', tier: 'free' });
    assert.deepEqual(
      finishedSpans().map((s) => [
        s.attributes['enduser.id'],
        s.attributes['enduser.role'],
        s.attributes['gcp.gen_ai.enduser.plan'],
      ]),
      [
        ['alice@example.com', undefined, undefined],
        ['from-callback', undefined, undefined],
        ['bob', 'staff', 'free'],
      ]
    );
  });

  it('cost per hashed user on the cost counter; no user, no attribute', async () => {
    await call();
    await call({});
    const points = (await collectMetrics())['gen_ai.client.cost'].points;
    assert.deepEqual(
      points.map((p) => p.attributes['enduser.id']).sort(),
      [hmac('opentelemetry-instrumentation-google-genai', 'alice@example.com'), undefined].sort()
    );
    assert.equal('enduser.id' in finishedSpans()[1].attributes, false);
  });
});
