/*
 * The generated client's APIs beside Interactions (agents, triggers,
 * decisions): which the SDK under test has, and the attributes every span of
 * theirs starts with.
 */
import { loadGenAI } from './genai';
import type { FakeGeminiSuite } from './with-fake-gemini';

/** Whether the SDK under test has `ai.<name>` (agents and triggers from 2.x, decisions from 3.x). */
export function hasApi(name: string): boolean {
  return Object.getOwnPropertyDescriptor(loadGenAI().GoogleGenAI.prototype, name)?.get !== undefined;
}

export const baseAttributes = (server: FakeGeminiSuite, operation: string) => ({
  'gen_ai.operation.name': operation,
  'gen_ai.provider.name': 'gcp.gemini',
  'server.address': '127.0.0.1',
  'server.port': server.port,
});
