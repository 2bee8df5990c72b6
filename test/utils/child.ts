/*
 * Runs a fixture app in a child process the way a user would: from its own
 * folder (test/sdk-versions/vN/apps, beside that folder's @google/genai), with
 * our package resolvable by name and the chosen preload flag.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { SDK_DIR } from './genai';
import { REPO_ROOT } from './paths';

export const PACKAGE_NAME = 'opentelemetry-instrumentation-google-genai';
export const APPS_DIR = path.join(SDK_DIR, 'apps');

/** Copies the fixture apps next to the SDK under test and links our package in as a dependency. */
export function prepareApps(): void {
  mkdirSync(APPS_DIR, { recursive: true });
  cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'apps'), APPS_DIR, { recursive: true });
  const link = path.join(SDK_DIR, 'node_modules', PACKAGE_NAME);
  if (!existsSync(link)) symlinkSync(REPO_ROOT, link, 'dir');
}

export type Preload = '--require' | '--import' | 'none';

export interface AppRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment of a child: ours without any OTEL_* or API key, plus what the test sets. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('OTEL_') && !k.startsWith('GEMINI_') && !k.startsWith('GOOGLE_')) env[k] = v;
  }
  return { ...env, ...extra };
}

export function startApp(app: string, preload: Preload, env: Record<string, string>): ChildProcess {
  const args = preload === 'none' ? [app] : [preload, `${PACKAGE_NAME}/register`, app];
  return spawn(process.execPath, args, { cwd: APPS_DIR, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function collect(child: ChildProcess): Promise<AppRun> {
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

export function runApp(app: string, preload: Preload, env: Record<string, string>): Promise<AppRun> {
  return collect(startApp(app, preload, env));
}

/** The app's `RESULT {...}` line. */
export function appResult(run: AppRun): unknown {
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line; stdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return JSON.parse(line.slice('RESULT '.length));
}
