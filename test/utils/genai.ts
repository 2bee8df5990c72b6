/*
 * The @google/genai under test: the newest release of the major named by
 * GENAI_SDK_MAJOR (default 3), from test/sdk-versions/vN, loaded through the
 * normal module hooks so the instrumentation patches it as it would in an app.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT } from './paths';

export const SDK_MAJOR = process.env.GENAI_SDK_MAJOR ?? '3';
export const SDK_DIR = path.join(REPO_ROOT, 'test', 'sdk-versions', `v${SDK_MAJOR}`);
export const SDK_VERSION: string = JSON.parse(
  readFileSync(path.join(SDK_DIR, 'node_modules', '@google', 'genai', 'package.json'), 'utf8')
).version;

export type GenAI = typeof import('@google/genai');

export function loadGenAI(): GenAI {
  return createRequire(path.join(SDK_DIR, 'package.json'))('@google/genai') as GenAI;
}

export const TEST_API_KEY = 'test-key-MUST-NOT-LEAK-3f9a';
export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';
/** The API version in the request path: v1beta in 1.x and 2.x, v1 in 3.x. */
export const API_VERSION = Number(SDK_MAJOR) >= 3 ? 'v1' : 'v1beta';

/**
 * The app's view of a result: its own enumerable data, as JSON would see it
 * (less the raw HTTP headers, which carry a date).
 */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (k, v) => (k === 'sdkHttpResponse' ? undefined : v)));
}

/** A fresh copy of the SDK's CJS bundle outside node_modules: what a bundled app runs (module hooks never see it). */
export function loadBundled(name: string): GenAI {
  const dir = path.join(SDK_DIR, 'apps');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.cjs`);
  copyFileSync(path.join(SDK_DIR, 'node_modules', '@google', 'genai', 'dist', 'node', 'index.cjs'), file);
  return createRequire(file)(file) as GenAI;
}
