/*
 * The generated client's APIs beside Interactions (agents, triggers,
 * decisions): which the SDK under test has, and the attributes every span of
 * theirs starts with.
 */
import { loadGenAI, TEST_API_KEY } from './genai';
import type { FakeGeminiSuite } from './with-fake-gemini';

/**
 * Whether the SDK under test has `ai.<name>` on the generated client's bridge
 * (agents and triggers from 2.x, decisions from 3.x; 1.x's getters return an
 * earlier experimental client we do not trace).
 */
export function hasApi(name: string): boolean {
  const genai = loadGenAI();
  if (Object.getOwnPropertyDescriptor(genai.GoogleGenAI.prototype, name)?.get === undefined) return false;
  const made = (new genai.GoogleGenAI({ apiKey: TEST_API_KEY }) as unknown as Record<string, object>)[name];
  return typeof (made as { getClient?: unknown } | undefined)?.getClient === 'function';
}

export const baseAttributes = (server: FakeGeminiSuite, operation: string) => ({
  'gen_ai.operation.name': operation,
  'gen_ai.provider.name': 'gcp.gemini',
  'server.address': '127.0.0.1',
  'server.port': server.port,
});
