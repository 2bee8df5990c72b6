/*
 * A Gemini-compatible server on loopback, for the demo and the tests: it
 * answers the Gemini API and Vertex AI paths the SDK calls
 * (`.../models/{model}:generateContent`, `:streamGenerateContent?alt=sse`)
 * with canned or scripted responses. Nothing here talks to Google.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  model: string;
  /** `generateContent`, `streamGenerateContent`, ... */
  action: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A JSON reply, or (for streams) a list of SSE chunks, optionally paced or broken. */
export interface FakeReply {
  status?: number;
  body?: unknown;
  /** The body sent as it is, instead of `body` as JSON (to send a malformed reply). */
  rawBody?: string;
  /** SSE events: objects are sent as JSON, `{ raw }` as the literal data line (to send a malformed chunk). */
  chunks?: unknown[];
  /** Wait before answering at all (headers included). */
  delayMs?: number;
  /** Wait before each chunk, after the headers went out. */
  chunkDelayMs?: number;
  /** After this many chunks, destroy the connection (a drop mid-stream). */
  dropAfterChunks?: number;
  /** After this many chunks, send nothing more and keep the connection open. */
  hangAfterChunks?: number;
}

export type FakeHandler = (req: FakeRequest) => FakeReply | undefined;

export interface FakeGemini {
  url: string;
  port: number;
  requests: FakeRequest[];
  close(): Promise<void>;
}

const PATH_RE = /\/models\/([^/:]+):([A-Za-z]+)/;

/** The first function the request declares, unless its newest turn already answers a function call. */
function functionToCall(body: unknown): string | undefined {
  const b = body as {
    tools?: Array<{ functionDeclarations?: Array<{ name?: string }> }>;
    contents?: Array<{ parts?: Array<{ functionResponse?: unknown }> }>;
  };
  const name = b?.tools?.find((t) => t.functionDeclarations?.length)?.functionDeclarations?.[0]?.name;
  const last = b?.contents?.[b.contents.length - 1];
  if (!name || last?.parts?.some((p) => p.functionResponse)) return undefined;
  return name;
}

/**
 * What the server says when no handler answers: a short, well-formed Gemini
 * reply; when the request declares functions, first a call of the first one,
 * then (once the results come back) an answer. Streams come word by word.
 */
export function defaultReply(req: FakeRequest): FakeReply {
  const call = functionToCall(req.body);
  const text = `Hello from ${req.model}.`;
  const usageMetadata = { promptTokenCount: 8, candidatesTokenCount: 5, thoughtsTokenCount: 12, totalTokenCount: 25 };
  const modelVersion = `${req.model}-001`;
  const responseId = `fake-${req.model}-${Date.now().toString(36)}`;
  const parts = call ? [{ functionCall: { name: call, args: { city: 'Paris' } } }] : [{ text }];
  if (req.action === 'streamGenerateContent') {
    const pieces = call ? [parts] : text.split(' ').map((word, i) => [{ text: (i ? ' ' : '') + word }]);
    return {
      chunks: pieces.map((piece, i) => ({
        candidates: [
          {
            content: { role: 'model', parts: piece },
            ...(i === pieces.length - 1 ? { finishReason: 'STOP' } : {}),
            index: 0,
          },
        ],
        usageMetadata,
        modelVersion,
        responseId,
      })),
    };
  }
  return {
    body: {
      candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata,
      modelVersion,
      responseId,
    },
  };
}

function sendChunks(res: http.ServerResponse, reply: FakeReply): void {
  const chunks = reply.chunks ?? [];
  res.writeHead(reply.status ?? 200, { 'content-type': 'text/event-stream' });
  res.flushHeaders();
  let i = 0;
  const sendNext = () => {
    if (res.destroyed) return;
    if (i === reply.dropAfterChunks) {
      res.socket?.destroy();
      return;
    }
    if (i === reply.hangAfterChunks) return;
    if (i === chunks.length) {
      res.end();
      return;
    }
    const chunk = chunks[i++] as { raw?: string } | null;
    res.write(`data: ${typeof chunk?.raw === 'string' ? chunk.raw : JSON.stringify(chunk)}\r\n\r\n`);
    schedule();
  };
  const schedule = () => (reply.chunkDelayMs ? setTimeout(sendNext, reply.chunkDelayMs) : setImmediate(sendNext));
  schedule();
}

export function startFakeGemini(handler?: FakeHandler, host = '127.0.0.1'): Promise<FakeGemini> {
  const requests: FakeRequest[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(parts).toString('utf8');
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const match = PATH_RE.exec(req.url ?? '');
      const fake: FakeRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        model: match?.[1] ?? 'unknown',
        action: match?.[2] ?? 'unknown',
        headers: req.headers,
        body,
      };
      requests.push(fake);
      const reply = handler?.(fake) ?? defaultReply(fake);
      const send = () => {
        if (reply.chunks) {
          sendChunks(res, reply);
          return;
        }
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(reply.rawBody ?? JSON.stringify(reply.body ?? {}));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        port,
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
