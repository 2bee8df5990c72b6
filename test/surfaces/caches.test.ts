/*
 * Context caches: create, update and delete, each a span with the cache name, its cached token
 * count and expiry.
 */
import { finishedSpans } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SDK_MAJOR } from '../utils/genai';
import { modelCallSuite, sameAsBare } from '../utils/model-calls';

describe(`caches (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const { server, client, base } = modelCallSuite();

  it('caches: create, update and delete, with the cached token count', async () => {
    const ai = client();
    const cache = (await sameAsBare(() =>
      ai.caches.create({ model: 'gemini-2.5-flash', config: { contents: 'a long document', ttl: '3600s' } })
    )) as { name?: string };
    assert.equal(cache.name, 'cachedContents/cache-7');
    await sameAsBare(() => ai.caches.update({ name: 'cachedContents/cache-7', config: { ttl: '7200s' } }));
    await sameAsBare(() => ai.caches.delete({ name: 'cachedContents/cache-7' }));
    const spans = finishedSpans().map((s) => [s.name, { ...s.attributes }]);
    const cached = {
      'gcp.gen_ai.cache.name': 'cachedContents/cache-7',
      'gcp.gen_ai.cache.token_count': 4096,
      'gcp.gen_ai.cache.expire_time': '2026-11-25T10:00:00Z',
    };
    const address = { 'server.address': '127.0.0.1', 'server.port': server.port };
    assert.deepEqual(spans, [
      ['create_cache gemini-2.5-flash', { ...base('create_cache', 'gemini-2.5-flash'), ...cached }],
      [
        'update_cache',
        { 'gen_ai.operation.name': 'update_cache', 'gen_ai.provider.name': 'gcp.gemini', ...address, ...cached },
      ],
      [
        'delete_cache',
        {
          'gen_ai.operation.name': 'delete_cache',
          'gen_ai.provider.name': 'gcp.gemini',
          ...address,
          'gcp.gen_ai.cache.name': 'cachedContents/cache-7',
        },
      ],
    ]);
  });
});
