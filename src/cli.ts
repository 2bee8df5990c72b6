#!/usr/bin/env node
/*
 * `npx opentelemetry-instrumentation-google-genai view`: the local trace
 * viewer (viewer/server.ts). The viewer is required only here, so nothing of
 * it loads with the instrumentation.
 */
import { parseArgs } from 'node:util';

const USAGE = `Usage: opentelemetry-instrumentation-google-genai view [options]

A local GenAI trace viewer: receives OTLP/HTTP on 127.0.0.1 and shows the traces in your browser.

Options:
  --otlp-port <n>    the OTLP/HTTP receiver's port (default 4318)
  --port <n>         the page's port (default 4319)
  --max-traces <n>   traces kept in memory; the one updated longest ago goes first (default 200)
  -h, --help         this text`;

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number (0 to 65535)`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'otlp-port': { type: 'string' },
      port: { type: 'string' },
      'max-traces': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'view' || positionals.length > 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const viewer = require('./viewer/server.js') as typeof import('./viewer/server.js');
  const maxTraces = values['max-traces'] === undefined ? viewer.DEFAULT_MAX_TRACES : Number(values['max-traces']);
  if (!Number.isInteger(maxTraces) || maxTraces < 1) throw new Error('--max-traces must be a whole number above 0');
  const running = await viewer.startViewer({
    otlpPort: port(values['otlp-port'], viewer.DEFAULT_OTLP_PORT, '--otlp-port'),
    port: port(values.port, viewer.DEFAULT_PORT, '--port'),
    maxTraces,
  });
  console.log(viewer.banner(running, maxTraces));
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    console.error(
      e?.code === 'EADDRINUSE'
        ? `opentelemetry-instrumentation-google-genai view: port ${String((e as { port?: number }).port ?? '')} is in use (another viewer or collector?); choose others with --otlp-port and --port`
        : `opentelemetry-instrumentation-google-genai: ${e?.message ?? String(err)}`
    );
    process.exitCode = 1;
  }
);
