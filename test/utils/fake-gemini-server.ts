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
  /** `generateContent`, `streamGenerateContent`, ...; `interactions.create`, `.get`, `.cancel`, `.delete`. */
  action: string;
  /** The interaction (or trigger) a request to the Interactions API (or to run a trigger) names. */
  interactionId?: string;
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
  /** Response headers beside the content type (an upload session's URL, its status). */
  headers?: Record<string, string>;
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
/** The Interactions API (2.x and 3.x): `/{version}/interactions[/{id}[/cancel]]`. */
const INTERACTIONS_RE = /\/v\w+\/interactions(?:\/([^/?]+))?(\/cancel)?/;

/** The other APIs of the generated client (3.x): agents, trigger runs, decisions. */
const BRIDGE_ROUTES: Array<[RegExp, string]> = [
  [/\/v\w+\/agents(?:\?|$)/, 'agents.create'],
  [/\/v\w+\/triggers\/([^/?]+)\/executions/, 'triggers.run'],
  [/\/v\w+\/decisions(?:\?|$)/, 'decisions.create'],
];

/** `interactions.create`, `.get`, `.cancel`, `.delete`, `agents.create`, `triggers.run`, `decisions.create`. */
function interactionsAction(method: string, url: string): { action: string; id?: string } | undefined {
  if (method === 'POST') {
    for (const [re, action] of BRIDGE_ROUTES) {
      const m = re.exec(url);
      if (m) return { action, id: m[1] };
    }
  }
  const match = INTERACTIONS_RE.exec(url);
  if (!match) return undefined;
  const [, id, cancel] = match;
  if (cancel) return { action: 'interactions.cancel', id };
  if (!id) return { action: 'interactions.create' };
  return { action: method === 'DELETE' ? 'interactions.delete' : 'interactions.get', id };
}

let interactions = 0;

/**
 * A completed interaction, as the Interactions API returns it: the user's
 * input step, a thought and the model's output steps, and its usage.
 */
export function completedInteraction(model: string, id = `int-${++interactions}`, text = `Hello from ${model}.`) {
  return {
    id,
    model,
    status: 'completed',
    created: '2026-12-02T10:00:00Z',
    steps: [
      { type: 'thought', summary: [{ type: 'text', text: 'Greeting.' }] },
      { type: 'model_output', content: [{ type: 'text', text }] },
    ],
    usage: {
      total_input_tokens: 8,
      total_cached_tokens: 0,
      total_output_tokens: 5,
      total_thought_tokens: 12,
      total_tool_use_tokens: 0,
      total_tokens: 25,
      input_tokens_by_modality: [{ modality: 'text', tokens: 8 }],
      output_tokens_by_modality: [{ modality: 'text', tokens: 5 }],
    },
  };
}

/** The events of a streamed interaction, then `[DONE]`: created, its output step word by word, completed. */
export function interactionEvents(interaction: ReturnType<typeof completedInteraction>): unknown[] {
  const { steps, usage, ...head } = interaction;
  const text = (steps[1].content as Array<{ text: string }>)[0].text;
  let n = 0;
  const id = () => `evt-${++n}`;
  const words = text.split(' ');
  return [
    { event_type: 'interaction.created', event_id: id(), interaction: { ...head, status: 'in_progress' } },
    { event_type: 'step.start', event_id: id(), index: 0, step: { type: 'model_output', content: [] } },
    ...words.map((w, i) => ({
      event_type: 'step.delta',
      event_id: id(),
      index: 0,
      delta: { type: 'text', text: (i ? ' ' : '') + w },
    })),
    { event_type: 'step.stop', event_id: id(), index: 0 },
    { event_type: 'interaction.completed', event_id: id(), interaction: { ...head, usage } },
    { raw: '[DONE]' },
  ];
}

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
  // The generated client's APIs: `interactions.create`, `agents.create`, ...
  if (req.action.includes('.')) return defaultInteractionsReply(req);
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

/** The Interactions API's answers: a completed interaction (streamed when asked), or the one asked for by id. */
function defaultInteractionsReply(req: FakeRequest): FakeReply {
  const body = (req.body ?? {}) as {
    model?: string;
    agent?: string;
    stream?: boolean;
    id?: string;
    questions?: object;
  };
  if (req.action === 'agents.create') return { body: { ...body, id: body.id ?? 'agent-1' } };
  if (req.action === 'triggers.run') {
    return {
      body: { id: 'exec-1', interaction_id: `int-${req.interactionId}`, scheduled_time: '2026-12-02T10:00:00Z' },
    };
  }
  if (req.action === 'decisions.create') {
    const answers = Object.fromEntries(Object.keys(body.questions ?? {}).map((q) => [q, { boolean_answer: true }]));
    return { body: { answers, usage: completedInteraction(body.model ?? 'gemini-2.5-flash').usage } };
  }
  const streamed = req.action === 'interactions.create' ? body.stream === true : /[?&]stream=true/.test(req.path);
  const interaction = completedInteraction(body.model ?? body.agent ?? 'gemini-2.5-flash', req.interactionId);
  if (req.action === 'interactions.delete') return { body: {} };
  return streamed ? { chunks: interactionEvents(interaction) } : { body: interaction };
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
      const interaction = interactionsAction(req.method ?? 'GET', req.url ?? '');
      const requested = (body as { model?: unknown; agent?: unknown } | undefined) ?? {};
      const fake: FakeRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        model: match?.[1] ?? String((interaction && (requested.model ?? requested.agent)) ?? 'unknown'),
        action: match?.[2] ?? interaction?.action ?? 'unknown',
        interactionId: interaction?.id,
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
        res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=UTF-8', ...reply.headers });
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
