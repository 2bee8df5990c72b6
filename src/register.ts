/*
 * Zero-code set-up, like @opentelemetry/auto-instrumentations-node/register:
 *
 *   node --require opentelemetry-instrumentation-google-genai/register app.js
 *   node --import  opentelemetry-instrumentation-google-genai/register app.mjs
 *
 * Starts a NodeSDK with GeminiInstrumentation. Exporters, resource and
 * sampling come from the standard OTEL_* variables (read by NodeSDK). Flushes
 * before a normal exit and on SIGTERM/SIGINT, without changing the exit code,
 * and gives up after SHUTDOWN_TIMEOUT_MS when the backend does not answer.
 *
 * This file is CommonJS for both flags: Node loads a CJS file under --import
 * as well, and one copy means one SDK however the process was started.
 */
import * as nodeModule from 'node:module';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { diag } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { GeminiInstrumentation } from './instrumentation.js';
import { MODULE_NAME } from './patch.js';

const SHUTDOWN_TIMEOUT_MS = 2000;
const STARTED = Symbol.for('opentelemetry-instrumentation-google-genai/register');
const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai/register:';

/**
 * The ESM loader hook, so `import '@google/genai'` is patched too. Registered
 * from here works under --require as well (module.register exists from Node
 * 20.6). Resolved from this file, so the loader and the Hook our
 * instrumentation adds come from the same copy of import-in-the-middle; and
 * limited to @google/genai so the rest of the app's imports go untouched.
 */
function registerEsmHook(): void {
  if (typeof nodeModule.register !== 'function') {
    diag.warn(`${LOG_PREFIX} this Node.js has no module.register(); ESM imports of ${MODULE_NAME} are not traced`);
    return;
  }
  try {
    nodeModule.register('@opentelemetry/instrumentation/hook.mjs', pathToFileURL(__filename).href, {
      data: { include: [MODULE_NAME] },
    });
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not register the ESM loader hook`, err);
  }
}

interface LoggerProviderLike {
  getLogger(name: string, version?: string): unknown;
}

/**
 * The logger provider NodeSDK registered, read through the same logs API
 * it used (`@opentelemetry/api` from 1.10, `@opentelemetry/api-logs` before,
 * resolved from sdk-node): the instrumentation may hold another copy of that
 * API, whose proxy the SDK never reaches, and its events would go nowhere.
 */
function registeredLoggerProvider(): LoggerProviderLike | undefined {
  const attempts: Array<() => { logs?: { getLoggerProvider(): LoggerProviderLike } }> = [
    () => createRequire(require.resolve('@opentelemetry/sdk-node'))('@opentelemetry/api'),
    () => createRequire(require.resolve('@opentelemetry/sdk-node'))('@opentelemetry/api-logs'),
  ];
  for (const attempt of attempts) {
    try {
      const logs = attempt().logs;
      if (logs) return logs.getLoggerProvider();
    } catch {
      // Not in this line of OpenTelemetry JS: try the next.
    }
  }
  return undefined;
}

function start(): void {
  const instrumentation = new GeminiInstrumentation();
  const sdk = new NodeSDK({ instrumentations: [instrumentation] });
  sdk.start();
  const loggerProvider = registeredLoggerProvider();
  if (loggerProvider) instrumentation.setLoggerProvider(loggerProvider as never);

  let flushed: Promise<boolean> | undefined;
  /** Resolves true when everything was exported, false when we gave up waiting. */
  const shutdown = (): Promise<boolean> => {
    flushed ??= new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      sdk.shutdown().then(
        () => resolve(true),
        (err: unknown) => {
          diag.warn(`${LOG_PREFIX} shutdown failed`, err);
          resolve(true);
        }
      );
    }).then((done) => {
      if (!done) diag.warn(`${LOG_PREFIX} telemetry not flushed within ${SHUTDOWN_TIMEOUT_MS} ms; exiting anyway`);
      return done;
    });
    return flushed;
  };

  // The event loop is empty: the app is done. Flush; if the backend hangs,
  // its open socket would keep us alive, so leave with the app's exit code.
  process.once('beforeExit', () => {
    void shutdown().then((done) => {
      if (!done) process.exit();
    });
  });

  // A listener replaces Node's default action for a signal. If ours is the
  // only one, flush and then die by the same signal, as the app would have
  // (exit status 128 + signal); if the app has its own, it decides.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      const appHandlesIt = process.listenerCount(signal) > 0;
      void shutdown().then(() => {
        if (!appHandlesIt) process.kill(process.pid, signal);
      });
    });
  }
}

const registry = globalThis as { [STARTED]?: boolean };
// --require and --import of this file together, or a second copy of the
// package: one SDK per process.
if (!registry[STARTED]) {
  registry[STARTED] = true;
  try {
    registerEsmHook();
    start();
  } catch (err) {
    diag.error(`${LOG_PREFIX} could not start OpenTelemetry`, err);
  }
}
