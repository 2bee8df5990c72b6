/*
 * The model calls other than generateContent against the loopback server
 * (test/surfaces/{embeddings,images,videos,token-counting,caches}.test.ts):
 * the server's replies for each, the attributes every span of theirs has,
 * and the check that the app sees the same traced and bare.
 */
import * as assert from 'node:assert/strict';
import { instrumentation, resetInstrumentation } from './otel';
import { collectMetrics } from './metrics';
import { plain } from './genai';
import type { FakeReply, FakeRequest } from './fake-gemini-server';
import { withFakeGemini, type FakeGeminiSuite } from './with-fake-gemini';

export const IMAGE_BYTES = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk';

/** What the server answers for each model call: embeddings, images, videos and their operation, tokens, caches. */
export function reply(req: FakeRequest): FakeReply {
  if (req.path.includes('cachedContents')) {
    if (req.method === 'DELETE') return { body: {} };
    return {
      body: {
        name: 'cachedContents/cache-7',
        model: 'models/gemini-2.5-flash',
        usageMetadata: { totalTokenCount: 4096 },
        expireTime: '2026-11-25T10:00:00Z',
      },
    };
  }
  if (req.path.includes('/operations/') || req.action === 'fetchPredictOperation') {
    return { body: { name: 'models/veo-3.0-generate-001/operations/op-42', done: true } };
  }
  switch (req.action) {
    case 'batchEmbedContents':
    case 'embedContent':
      if (req.model === 'embedding-missing') {
        return { status: 404, body: { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } } };
      }
      return {
        body: {
          embeddings: [{ values: [0.1, 0.2, 0.3, 0.4] }, { values: [0.5, 0.6, 0.7, 0.8] }],
          usageMetadata: { promptTokenCount: 9 },
        },
      };
    case 'predict':
      if (req.model.startsWith('text-embedding')) {
        // Vertex AI's embeddings: a token count per embedding.
        return {
          body: {
            predictions: [
              { embeddings: { values: [0.1, 0.2, 0.3], statistics: { token_count: 4, truncated: false } } },
              { embeddings: { values: [0.4, 0.5, 0.6], statistics: { token_count: 6, truncated: false } } },
            ],
          },
        };
      }
      return {
        body: {
          predictions: [
            { bytesBase64Encoded: IMAGE_BYTES, mimeType: 'image/png' },
            { raiFilteredReason: 'The image was filtered.' },
          ],
        },
      };
    case 'predictLongRunning':
      return { body: { name: 'models/veo-3.0-generate-001/operations/op-42' } };
    case 'countTokens':
      return { body: { totalTokens: 11 } };
    default:
      return {
        status: 400,
        body: { error: { code: 400, message: `unexpected ${req.action}`, status: 'INVALID_ARGUMENT' } },
      };
  }
}

/** A suite's server, fresh telemetry before each test, and what its tests compare spans against. */
export function modelCallSuite() {
  const server: FakeGeminiSuite = withFakeGemini(reply);
  beforeEach(async () => {
    resetInstrumentation();
    await collectMetrics();
  });
  const base = (operation: string, model: string) => ({
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': 'gcp.gemini',
    'gen_ai.request.model': model,
    'server.address': '127.0.0.1',
    'server.port': server.port,
  });
  return {
    server,
    client: () => server.client(),
    // Images and videos: Vertex AI only in 2.x and 3.x (express mode: an API key, no project).
    vertex: () => server.client({ vertexai: true }),
    base,
    vertexBase: (operation: string, model: string) => ({
      ...base(operation, model),
      'gen_ai.provider.name': 'gcp.vertex_ai',
    }),
  };
}

/** Runs `call` traced then bare; the app must see the same. */
export async function sameAsBare<T>(call: () => Promise<T>): Promise<unknown> {
  const settle = (p: Promise<T>) =>
    p.then(plain, (e: Error & { status?: number }) => ({ error: `${e.name} ${e.status}` }));
  const traced = await settle(call());
  instrumentation.disable();
  const bare = await settle(call());
  instrumentation.enable();
  assert.deepEqual(traced, bare);
  return traced;
}
