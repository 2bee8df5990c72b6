/*
 * Live API sessions against a loopback websocket server that speaks the
 * BidiGenerateContent protocol: one span from connect to close with turn,
 * tool call and tool response events and the summed usage; the app's
 * callbacks get the same messages; the API key (in the websocket URL) is
 * nowhere in what we record.
 */
import { collectMetrics, costTotal, usd } from '../utils/metrics';
import { finishedSpans, instrumentation, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { loadBundled, loadGenAI, SDK_DIR, SDK_MAJOR, TEST_API_KEY } from '../utils/genai';

const genai = loadGenAI();
// The websocket library the SDK itself depends on.
const { WebSocketServer } = createRequire(path.join(SDK_DIR, 'package.json'))('ws') as {
  WebSocketServer: new (options: { port: number; host: string }) => {
    on(event: 'connection', fn: (socket: FakeSocket, req: { url?: string }) => void): void;
    on(event: 'listening', fn: () => void): void;
    address(): AddressInfo;
    close(fn?: () => void): void;
    clients: Set<FakeSocket>;
  };
};
interface FakeSocket {
  on(event: 'message', fn: (data: Buffer) => void): void;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
}

/** A Live API server: setupComplete, then per client turn: text, turn complete with usage, and a tool call. */
function startLiveServer() {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  const urls: string[] = [];
  server.on('connection', (socket, req) => {
    urls.push(req.url ?? '');
    socket.on('message', (data) => {
      const msg = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      if (msg.setup) socket.send(JSON.stringify({ setupComplete: {} }));
      if (msg.clientContent) {
        socket.send(JSON.stringify({ serverContent: { modelTurn: { parts: [{ text: 'Hello' }] } } }));
        socket.send(
          JSON.stringify({
            serverContent: { turnComplete: true },
            usageMetadata: { promptTokenCount: 5, responseTokenCount: 7, totalTokenCount: 12 },
          })
        );
        socket.send(JSON.stringify({ toolCall: { functionCalls: [{ id: 'c1', name: 'lookup', args: { q: 'x' } }] } }));
      }
      if (msg.toolResponse) {
        socket.send(
          JSON.stringify({
            serverContent: { turnComplete: true },
            usageMetadata: {
              promptTokenCount: 9,
              responseTokenCount: 3,
              totalTokenCount: 12,
              promptTokensDetails: [
                { modality: 'TEXT', tokenCount: 4 },
                { modality: 'AUDIO', tokenCount: 5 },
              ],
              responseTokensDetails: [{ modality: 'AUDIO', tokenCount: 3 }],
            },
          })
        );
      }
    });
  });
  return new Promise<{ url: string; port: number; urls: string[]; close: () => Promise<void> }>((resolve) =>
    server.on('listening', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        urls,
        close: () =>
          new Promise<void>((done) => {
            for (const c of server.clients) c.terminate();
            server.close(() => done());
          }),
      });
    })
  );
}

describe(`Live API sessions (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  let server: Awaited<ReturnType<typeof startLiveServer>>;
  before(async () => {
    server = await startLiveServer();
  });
  after(() => server.close());
  beforeEach(() => resetInstrumentation());

  /** A session as an app runs it: a turn, a tool call answered, a second turn, close. What the app saw. */
  async function conversation() {
    const ai = new genai.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: server.url } });
    const seen: string[] = [];
    let turns = 0;
    let resolveTurns: () => void = () => undefined;
    const twoTurns = new Promise<void>((resolve) => (resolveTurns = resolve));
    let resolveClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    const callbacks = {
      onopen() {
        seen.push('open');
      },
      onmessage(this: unknown, m: { serverContent?: { turnComplete?: boolean }; toolCall?: unknown }) {
        // The SDK calls the app's callbacks as methods of its object: so must we.
        seen.push(
          `message${this === callbacks ? '' : ' (other this)'}: ${Object.keys(m)
            .filter((k) => k !== 'sdkHttpResponse')
            .sort()
            .join(',')}`
        );
        if (m.toolCall)
          void session.then((s) =>
            s.sendToolResponse({ functionResponses: [{ id: 'c1', name: 'lookup', response: { r: 1 } }] })
          );
        if (m.serverContent?.turnComplete && ++turns === 2) resolveTurns();
      },
      onerror() {
        seen.push('error');
      },
      onclose() {
        seen.push('close');
        resolveClosed();
      },
    };
    const session = ai.live.connect({ model: 'gemini-live-2.5-flash', callbacks, config: {} as never });
    const s = await session;
    s.sendClientContent({ turns: 'Hi there', turnComplete: true });
    await twoTurns;
    s.close();
    await closed;
    return seen;
  }

  it('one span from connect to close: turns, tool call and response events, summed usage', async () => {
    const traced = await conversation();
    instrumentation.disable();
    const bare = await conversation();
    instrumentation.enable();
    assert.deepEqual(traced, bare, 'the app sees the same messages, in order');
    const [span] = finishedSpans();
    assert.equal(finishedSpans().length, 1);
    assert.equal(span.name, 'live_session gemini-live-2.5-flash');
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.deepEqual(
      { ...span.attributes, 'gcp.gen_ai.live.close_code': typeof span.attributes['gcp.gen_ai.live.close_code'] },
      {
        'gen_ai.operation.name': 'live_session',
        'gen_ai.provider.name': 'gcp.gemini',
        'gen_ai.request.model': 'gemini-live-2.5-flash',
        'server.address': '127.0.0.1',
        'server.port': server.port,
        'gcp.gen_ai.live.turns': 2,
        'gcp.gen_ai.live.tool_calls': 1,
        'gen_ai.usage.input_tokens': 14,
        'gen_ai.usage.output_tokens': 10,
        // By modality, as far as the messages broke it down (the second turn's only).
        'gen_ai.usage.text.input_tokens': 4,
        'gen_ai.usage.audio.input_tokens': 5,
        'gen_ai.usage.audio.output_tokens': 3,
        'gcp.gen_ai.live.close_code': 'number',
      }
    );
    assert.deepEqual(
      span.events.map((e) => [e.name, { ...e.attributes }]),
      [
        ['gcp.gen_ai.live.turn', { 'gcp.gen_ai.live.turn': 1 }],
        ['gcp.gen_ai.live.tool_call', { 'gcp.gen_ai.live.function_names': ['lookup'] }],
        ['gcp.gen_ai.live.tool_response', { 'gcp.gen_ai.live.function_names': ['lookup'] }],
        ['gcp.gen_ai.live.turn', { 'gcp.gen_ai.live.turn': 2 }],
      ]
    );
    // The key went to the server in the URL; none of it in the span.
    assert.ok(server.urls.some((u) => u.includes(TEST_API_KEY)));
    assert.equal(JSON.stringify({ a: span.attributes, e: span.events }).includes(TEST_API_KEY), false);
  });

  it("cost from the usage summed over the session, at the model's prices (none built in for Live models)", async () => {
    instrumentation.setConfig({ prices: { 'gemini-live-2.5-flash': { input: 1, output: 2 } } });
    const set = {
      'gen_ai.operation.name': 'live_session',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'gemini-live-2.5-flash',
    };
    const before = costTotal(set);
    await conversation();
    const after = costTotal(set);
    const [span] = finishedSpans();
    // 14 input and 10 output tokens over two turns.
    const cost = (14 * 1 + 10 * 2) / 1e6;
    assert.equal(span.attributes['gen_ai.cost.usd'], cost);
    // What the cost counter adds for the session, read from the totals it reports.
    assert.equal(usd(after - before), usd(cost));
    instrumentation.setConfig({});
  });

  it('audio in and out at the audio rates a prices entry gives; tokens by modality on the span', async () => {
    instrumentation.setConfig({
      prices: { 'gemini-live-2.5-flash': { input: 1, output: 2, inputAudio: 3, outputAudio: 12 } },
    });
    try {
      await conversation();
    } finally {
      instrumentation.setConfig({});
    }
    const [span] = finishedSpans();
    // 14 input (5 audio) and 10 output (3 audio): 5 x 3 + 9 x 1 + 3 x 12 + 7 x 2 = 15 + 9 + 36 + 14
    assert.equal(span.attributes['gen_ai.cost.usd'], 74 / 1e6);
    assert.equal(span.attributes['gen_ai.usage.text.input_tokens'], 4);
    assert.equal(span.attributes['gen_ai.usage.audio.input_tokens'], 5);
    assert.equal(span.attributes['gen_ai.usage.audio.output_tokens'], 3);
  });

  it('live.music.connect: a live_music_session span from connect to close', async () => {
    const ai = new genai.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: server.url } });
    const music = (ai.live as unknown as { music?: { connect(p: unknown): Promise<{ close(): void }> } }).music;
    if (!music) return; // Not in this SDK version.
    let closed: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (closed = resolve));
    const session = await music.connect({
      model: 'models/lyria-realtime-exp',
      callbacks: { onmessage: () => undefined, onclose: () => closed() },
    });
    session.close();
    await done;
    const spans = finishedSpans();
    assert.deepEqual(
      spans.map((s) => [s.name, s.kind, s.attributes['gen_ai.operation.name']]),
      [['live_music_session models/lyria-realtime-exp', SpanKind.CLIENT, 'live_music_session']]
    );
    assert.equal(JSON.stringify(spans[0].attributes).includes(TEST_API_KEY), false);
  });

  it('instrument(client) on a bundled copy: its Live sessions are traced, tool responses included', async () => {
    const bundled = loadBundled('bundle-live');
    const ai = new bundled.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: server.url } });
    assert.equal(instrumentation.instrument(ai), true);
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    let turns = 0;
    const session = await ai.live.connect({
      model: 'gemini-live-2.5-flash',
      callbacks: {
        onmessage: (m: { toolCall?: unknown; serverContent?: { turnComplete?: boolean } }) => {
          if (m.toolCall)
            void sessionReady.then((s) =>
              s.sendToolResponse({ functionResponses: [{ id: 'c1', name: 'lookup', response: { r: 1 } }] })
            );
          if (m.serverContent?.turnComplete && ++turns === 2) resolveDone();
        },
      },
    });
    const sessionReady = Promise.resolve(session);
    session.sendClientContent({ turns: 'Hi there', turnComplete: true });
    await done;
    session.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [span] = finishedSpans();
    assert.equal(span?.name, 'live_session gemini-live-2.5-flash');
    assert.deepEqual(
      span.events.map((e) => e.name),
      ['gcp.gen_ai.live.turn', 'gcp.gen_ai.live.tool_call', 'gcp.gen_ai.live.tool_response', 'gcp.gen_ai.live.turn']
    );
  });

  // 1.x and 2.x never settle connect() when the socket cannot open: 3.x rejects.
  (SDK_MAJOR === '3' ? it : it.skip)(
    'a connection that fails: an ERROR span, the app gets the same rejection, no key in it',
    async () => {
      const connect = () =>
        new genai.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: 'http://127.0.0.1:9' } }).live
          .connect({ model: 'gemini-live-2.5-flash', callbacks: { onmessage: () => undefined } })
          .then(
            () => 'connected',
            (e: Error) => e.message
          );
      await collectMetrics();
      const traced = await connect();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const spans = finishedSpans();
      // The duration point of a failed session carries its error.type, as the span does.
      const points = (await collectMetrics())['gen_ai.client.operation.duration']?.points ?? [];
      assert.equal(points.length, 1);
      assert.equal(points[0].attributes['gen_ai.operation.name'], 'live_session');
      assert.equal(typeof spans[0]?.attributes['error.type'], 'string');
      assert.equal(points[0].attributes['error.type'], spans[0].attributes['error.type']);
      instrumentation.disable();
      const bare = await connect();
      instrumentation.enable();
      assert.equal(traced, bare);
      assert.equal(spans.length, 1);
      assert.equal(spans[0].status.code, SpanStatusCode.ERROR);
      assert.equal(JSON.stringify({ a: spans[0].attributes, e: spans[0].events }).includes(TEST_API_KEY), false);
    }
  );
});
