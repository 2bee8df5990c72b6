/*
 * What the zero-code entry (register.ts) does in a thread that runs the app:
 * starts a NodeSDK with GeminiInstrumentation. Exporters, resource and
 * sampling come from the standard OTEL_* variables (read by NodeSDK). Flushes
 * before a normal exit and on SIGTERM/SIGINT, without changing the exit code,
 * and gives up after SHUTDOWN_TIMEOUT_MS when the backend does not answer.
 */
import * as nodeModule from 'node:module';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { diag } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { captureMode } from './mapping/capture.js';
import { quietFrameworkContent } from './frameworks.js';
import { GeminiInstrumentation } from './instrumentation.js';
import { MODULE_NAME } from './core/patcher.js';

const SHUTDOWN_TIMEOUT_MS = 2000;
const STARTED = Symbol.for('opentelemetry-instrumentation-google-genai/register');
const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai/register:';

/** How `import '@google/genai'` gets patched: in-thread hooks, the off-thread loader, or not at all. */
export type EsmHookKind = 'sync' | 'async' | 'none';

interface SyncHooksModule {
  register(options: { include: string[] }): void;
  supportsSyncHooks(): boolean;
}

/**
 * import-in-the-middle's in-thread hooks (`module.registerHooks`, 3.6+), when
 * this Node runs them correctly (its `supportsSyncHooks()`: 22.22.3+, 24.11.1+,
 * 25.1+, 26+): no loader thread, and no per-module round trip to it. Loaded
 * from @opentelemetry/instrumentation's own copy, so the loader and the `Hook`
 * our instrumentation adds share one registry. undefined where either is
 * missing (an older Node, or an import-in-the-middle before 3.6).
 */
function syncHooks(): SyncHooksModule | undefined {
  // registerHooks came with Node 22.15 / 23.5, after require(esm): where it
  // is missing, so is any chance of the .mjs below loading from CJS.
  if (typeof (nodeModule as { registerHooks?: unknown }).registerHooks !== 'function') return undefined;
  try {
    const fromInstrumentation = createRequire(require.resolve('@opentelemetry/instrumentation'));
    const hooks = fromInstrumentation('import-in-the-middle/register-hooks.mjs') as SyncHooksModule;
    return typeof hooks.register === 'function' && hooks.supportsSyncHooks() ? hooks : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The ESM loader hook, so `import '@google/genai'` is patched too, limited to
 * @google/genai so the rest of the app's imports go untouched. In-thread where
 * Node supports it; else `module.register` (Node 20.6+), whose hook runs in a
 * thread of its own and is resolved from this file, so it and the Hook come
 * from the same copy of import-in-the-middle.
 */
function registerEsmHook(): EsmHookKind {
  const include = [MODULE_NAME];
  const hooks = syncHooks();
  if (hooks) {
    try {
      hooks.register({ include });
      return 'sync';
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not register the in-thread ESM hooks; using the loader thread`, err);
    }
  }
  if (typeof nodeModule.register !== 'function') {
    diag.warn(`${LOG_PREFIX} this Node.js has no module.register(); ESM imports of ${MODULE_NAME} are not traced`);
    return 'none';
  }
  try {
    nodeModule.register('@opentelemetry/instrumentation/hook.mjs', pathToFileURL(__filename).href, {
      data: { include },
    });
    return 'async';
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not register the ESM loader hook`, err);
    return 'none';
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

/**
 * Starts OpenTelemetry once per thread: --require and --import of the
 * register together, or a second copy of the package, start one SDK.
 */
export function startPreload(): void {
  if (registry[STARTED]) return;
  registry[STARTED] = true;
  try {
    // Before the app loads: a framework may read its switch at import.
    quietFrameworkContent(captureMode(undefined));
    registerEsmHook();
    start();
  } catch (err) {
    diag.error(`${LOG_PREFIX} could not start OpenTelemetry`, err);
  }
}
