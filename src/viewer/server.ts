/*
 * The local trace viewer: an OTLP/HTTP receiver (POST /v1/traces, /v1/metrics
 * and /v1/logs, JSON or protobuf, plain or gzip) and the page that shows what
 * it received, each on its own loopback port. Nothing is written to disk and
 * nothing leaves the machine: both servers bind 127.0.0.1 only, and the page
 * answers only requests addressed to it by a loopback name (a web page
 * elsewhere cannot read it through DNS rebinding).
 *
 * Loaded only by the `view` command (cli.ts) and the demo: an app that uses
 * the instrumentation never loads this module or protobufjs through it.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { decodeLogs, decodeMetrics, decodeTraces } from './otlp-proto.js';
import { logsOf, metricPointsOf, spansOf } from './otlp.js';
import { ViewerStore } from './store.js';

export const LOOPBACK = '127.0.0.1';
export const DEFAULT_OTLP_PORT = 4318;
export const DEFAULT_PORT = 4319;
export const DEFAULT_MAX_TRACES = 200;
/** Larger than any exporter's batch (the SDKs send 512 spans at a time by default). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface ViewerOptions {
  /** The receiver's port (0: any free one). */
  otlpPort?: number;
  /** The page's port (0: any free one). */
  port?: number;
  maxTraces?: number;
}

export interface Viewer {
  /** Where to send OTLP: the value of OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlpUrl: string;
  /** The page. */
  url: string;
  store: ViewerStore;
  close(): Promise<void>;
}

const SIGNALS = {
  '/v1/traces': { decode: decodeTraces, add: (s: ViewerStore, r: unknown) => s.addSpans(spansOf(r)) },
  '/v1/metrics': { decode: decodeMetrics, add: (s: ViewerStore, r: unknown) => s.addMetrics(metricPointsOf(r)) },
  '/v1/logs': { decode: decodeLogs, add: (s: ViewerStore, r: unknown) => s.addLogs(logsOf(r)) },
} as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, 'body too large'));
        req.destroy();
        return;
      }
      parts.push(d);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function inflate(body: Buffer, encoding: string | undefined): Buffer {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e === '' || e === 'identity') return body;
  if (e === 'gzip') return zlib.gunzipSync(body, { maxOutputLength: MAX_BODY_BYTES });
  if (e === 'deflate') return zlib.inflateSync(body, { maxOutputLength: MAX_BODY_BYTES });
  throw new HttpError(415, `unsupported content-encoding ${e}`);
}

/** One export request: decoded by its content type, kept, answered as OTLP/HTTP says (an empty success). */
async function receive(store: ViewerStore, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const signal = SIGNALS[(req.url ?? '').split('?')[0] as keyof typeof SIGNALS];
  if (!signal) throw new HttpError(404, 'not an OTLP path (POST /v1/traces, /v1/metrics or /v1/logs)');
  if (req.method !== 'POST') throw new HttpError(405, 'OTLP exports are POSTed');
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  const body = inflate(await readBody(req), req.headers['content-encoding'] as string | undefined);
  if (type === 'application/x-protobuf') {
    let request: unknown;
    try {
      request = signal.decode(body);
    } catch (err) {
      throw new HttpError(400, `not an OTLP protobuf body: ${(err as Error).message}`);
    }
    signal.add(store, request);
    // An empty Export*ServiceResponse: zero bytes.
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 }).end();
    return;
  }
  if (type === 'application/json') {
    let request: unknown;
    try {
      request = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new HttpError(400, `not OTLP/JSON: ${(err as Error).message}`);
    }
    signal.add(store, request);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    return;
  }
  throw new HttpError(415, 'OTLP/HTTP bodies are application/x-protobuf or application/json');
}

function fail(res: http.ServerResponse, err: unknown): void {
  const status = err instanceof HttpError ? err.status : 500;
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(String((err as Error)?.message ?? err));
}

const PAGE_DIR = path.join(__dirname, 'page');
const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};
// The page loads nothing from anywhere else, and nothing may frame it.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function json(res: http.ServerResponse, value: unknown): void {
  res
    .writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' })
    .end(JSON.stringify(value));
}

/** Only requests that name this server by a loopback name: a rebinding attacker's host name is refused. */
function fromLoopbackName(req: http.IncomingMessage): boolean {
  const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

function page(
  store: ViewerStore,
  info: () => { otlpUrl: string; maxTraces: number },
  req: http.IncomingMessage,
  res: http.ServerResponse
): void {
  if (!fromLoopbackName(req)) {
    res.writeHead(403, { 'content-type': 'text/plain' }).end('open the viewer at http://127.0.0.1');
    return;
  }
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET' }).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const asset = ASSETS[url.pathname];
  if (asset) {
    const body = readFileSync(path.join(PAGE_DIR, asset));
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': TYPES[path.extname(asset)] }).end(body);
    return;
  }
  if (url.pathname === '/api/traces') {
    return json(res, { ...info(), version: store.version, dropped: store.dropped, traces: store.list() });
  }
  const trace = /^\/api\/traces\/([0-9a-f]{32})$/.exec(url.pathname);
  if (trace) {
    const detail = store.get(trace[1]);
    if (!detail) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such trace (evicted, or never received)');
      return;
    }
    return json(res, detail);
  }
  if (url.pathname === '/api/totals') return json(res, store.totals());
  if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
  if (url.pathname === '/api/live') return live(store, req, res);
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
}

/** Server-sent events: the store's version, at most every 100 ms while things arrive. */
function live(store: ViewerStore, req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
  res.write(`data: ${store.version}\n\n`);
  let timer: NodeJS.Timeout | undefined;
  const stop = store.onChange(() => {
    timer ??= setTimeout(() => {
      timer = undefined;
      res.write(`data: ${store.version}\n\n`);
    }, 100);
  });
  // A comment line now and then keeps proxies and idle timeouts from closing it.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    stop();
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
  });
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startViewer(options: ViewerOptions = {}): Promise<Viewer> {
  const maxTraces = options.maxTraces ?? DEFAULT_MAX_TRACES;
  const store = new ViewerStore({ maxTraces });
  let otlpUrl = '';
  const receiver = http.createServer((req, res) => {
    receive(store, req, res).catch((err: unknown) => fail(res, err));
  });
  const ui = http.createServer((req, res) => {
    try {
      page(store, () => ({ otlpUrl, maxTraces }), req, res);
    } catch (err) {
      fail(res, err);
    }
  });
  const otlpPort = await listen(receiver, options.otlpPort ?? DEFAULT_OTLP_PORT);
  let port: number;
  try {
    port = await listen(ui, options.port ?? DEFAULT_PORT);
  } catch (err) {
    receiver.close();
    throw err;
  }
  otlpUrl = `http://${LOOPBACK}:${otlpPort}`;
  const close = (server: http.Server) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    otlpUrl,
    url: `http://${LOOPBACK}:${port}`,
    store,
    close: async () => {
      await Promise.all([close(receiver), close(ui)]);
    },
  };
}

/** What the `view` command and the demo print: where to look, and how to send to it. */
export function banner(viewer: Viewer, maxTraces: number): string {
  return `GenAI trace viewer: ${viewer.url}

Receiving OTLP/HTTP on ${viewer.otlpUrl} (/v1/traces, /v1/metrics, /v1/logs; protobuf and JSON).
Point an app at it:

  OTEL_EXPORTER_OTLP_ENDPOINT=${viewer.otlpUrl} OTEL_METRIC_EXPORT_INTERVAL=5000 \\
  node --import opentelemetry-instrumentation-google-genai/register app.mjs

Loopback only: nothing leaves this machine. The last ${maxTraces} traces are kept in memory, none on disk.
Ctrl-C to stop.`;
}
