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

/** What the server says when no handler answers: a short, well-formed Gemini reply. */
export function defaultReply(req: FakeRequest): FakeReply {
  const text = `Hello from ${req.model}.`;
  const usageMetadata = { promptTokenCount: 8, candidatesTokenCount: 5, thoughtsTokenCount: 12, totalTokenCount: 25 };
  const response = {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata,
    modelVersion: `${req.model}-001`,
    responseId: `fake-${req.model}-${Date.now().toString(36)}`,
  };
  if (req.action === 'streamGenerateContent') {
    const words = text.split(' ');
    return {
      chunks: words.map((word, i) => ({
        candidates: [
          {
            content: { role: 'model', parts: [{ text: (i ? ' ' : '') + word }] },
            ...(i === words.length - 1 ? { finishReason: 'STOP' } : {}),
            index: 0,
          },
        ],
        usageMetadata,
        modelVersion: response.modelVersion,
        responseId: response.responseId,
      })),
    };
  }
  return { body: response };
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
    const chunk = chunks[i++] as { raw?: string };
    res.write(`data: ${typeof chunk.raw === 'string' ? chunk.raw : JSON.stringify(chunk)}\r\n\r\n`);
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
        res.end(JSON.stringify(reply.body ?? {}));
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
