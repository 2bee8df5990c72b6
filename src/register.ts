/*
 * Zero-code set-up, like @opentelemetry/auto-instrumentations-node/register:
 *
 *   node --require opentelemetry-instrumentation-google-genai/register app.js
 *   node --import  opentelemetry-instrumentation-google-genai/register app.mjs
 *
 * This file is CommonJS for both flags (Node loads a CJS file under --import
 * as well), and stays this small because Node also runs `--require` preloads
 * in the thread that hosts `module.register()` loader hooks (Node 20 and 22;
 * 24 too whenever that thread starts). Starting an SDK there gave the process
 * a second one, competing for the Prometheus port; even loading the SDK there
 * holds the app's first import back until it is done. That thread only hosts
 * the loader: nothing of ours is loaded in it. Every other thread, a Worker
 * the app starts included, gets one SDK (preload.ts).
 */
import * as worker from 'node:worker_threads';

/**
 * The loader-hooks thread: `worker_threads.isInternalThread` says so from
 * Node 22.14 / 23.7; before, it is the one worker thread without a
 * `parentPort` (every Worker the app starts has one).
 */
function isLoaderHooksThread(): boolean {
  if (worker.isMainThread) return false;
  const internal = (worker as { isInternalThread?: boolean }).isInternalThread;
  return typeof internal === 'boolean' ? internal : worker.parentPort === null;
}

if (!isLoaderHooksThread()) {
  // Loaded only here, so the hooks thread never loads the SDK.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./preload.js') as typeof import('./preload.js')).startPreload();
}
