/*
 * Real Gemini API traffic, recorded by the SDK's own system tests
 * (../shared/fixtures/js-genai-recordings), replayed through the real SDK:
 * every round trip gives one span whose attributes match what was actually
 * sent and received, and the app's results are the same with and without
 * the instrumentation. Skips where ../shared is absent (a user's clone).
 */
import { finishedSpans, instrumentation, resetSpans, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import nock from 'nock';
import { SpanStatusCode } from '@opentelemetry/api';
import { API_VERSION, GEMINI_BASE_URL, loadGenAI, plain, SDK_MAJOR, TEST_API_KEY } from '../utils/genai';
import { SHARED_DIR } from '../utils/paths';
import { assertValidContent, CONTENT_ATTRIBUTES, schemasAvailable } from '../utils/schemas';
import { costOf, priceFor, ratesAt } from '../../src/mapping/cost';
import { BUILTIN_PRICES } from '../../src/mapping/prices';

const RECORDINGS_DIR = path.join(SHARED_DIR, 'fixtures', 'js-genai-recordings');

interface Interaction {
  request: { method: string; url: string; bodySegments?: Array<Record<string, unknown>> };
  response: { statusCode: number; bodySegments?: unknown[] };
}

interface Recording {
  file: string;
  interactions: Interaction[];
}

function loadRecordings(): Recording[] {
  if (!existsSync(RECORDINGS_DIR)) return [];
  return readdirSync(RECORDINGS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      interactions: JSON.parse(readFileSync(path.join(RECORDINGS_DIR, file), 'utf8')).interactions as Interaction[],
    }));
}

/** The SDK parameters that produce a recorded wire request (the wire names the same config fields). */
function sdkParams(model: string, body: Record<string, unknown>) {
  const { contents, generationConfig, ...topLevel } = body;
  const config: Record<string, unknown> = { ...(generationConfig as object) };
  for (const key of ['systemInstruction', 'tools', 'toolConfig', 'safetySettings', 'cachedContent']) {
    if (topLevel[key] !== undefined) config[key] = topLevel[key];
  }
  return { model, contents, config };
}

function modelOf(url: string): string {
  return /\/models\/([^:/]+):/.exec(url)?.[1] ?? '';
}

type Json = Record<string, unknown>;

/** What the conventions say the span must show for this recorded exchange, read off the recording. */
function expectedAttributes(model: string, request: Json, status: number, response: Json | undefined) {
  const gen = (request.generationConfig ?? {}) as Json;
  const expected: Record<string, unknown> = {
    'gen_ai.operation.name': 'generate_content',
    'gen_ai.provider.name': 'gcp.gemini',
    'gen_ai.request.model': model,
    'server.address': 'generativelanguage.googleapis.com',
    'server.port': 443,
    'gen_ai.output.type': ((gen.responseModalities ?? []) as string[]).includes('IMAGE')
      ? 'image'
      : gen.responseMimeType === 'application/json'
        ? 'json'
        : 'text',
  };
  if (gen.temperature !== undefined) expected['gen_ai.request.temperature'] = gen.temperature;
  if (gen.maxOutputTokens !== undefined) expected['gen_ai.request.max_tokens'] = gen.maxOutputTokens;
  if (gen.candidateCount !== undefined && gen.candidateCount !== 1) {
    expected['gen_ai.request.choice.count'] = gen.candidateCount;
  }
  const thinking = (gen.thinkingConfig ?? {}) as Json;
  if (thinking.thinkingLevel !== undefined) expected['gen_ai.request.reasoning.level'] = thinking.thinkingLevel;
  if (thinking.thinkingBudget !== undefined) expected['gcp.gen_ai.request.thinking_budget'] = thinking.thinkingBudget;
  // The server-side tools the recording's request enabled, by their wire names.
  const serverTools: Record<string, string> = {
    googleSearch: 'google_search',
    googleSearchRetrieval: 'google_search_retrieval',
    urlContext: 'url_context',
    codeExecution: 'code_execution',
    fileSearch: 'file_search',
    googleMaps: 'google_maps',
    computerUse: 'computer_use',
    mcpServers: 'mcp',
  };
  const tools = [
    ...new Set(
      ((request.tools ?? []) as Json[]).flatMap((t) =>
        Object.keys(t)
          .filter((k) => serverTools[k])
          .map((k) => serverTools[k])
      )
    ),
  ];
  if (tools.length) expected['gcp.gen_ai.request.server_tools'] = tools;
  if (status !== 200) {
    expected['error.type'] = String(status);
    // The conventions' newer rule: `error` where a finish reason was expected and never came.
    expected['gen_ai.response.finish_reasons'] = Array.from(
      { length: typeof gen.candidateCount === 'number' && gen.candidateCount > 1 ? gen.candidateCount : 1 },
      () => 'error'
    );
    return expected;
  }
  const r = response as Json;
  // The bill at the built-in prices (the formula itself is checked by hand in cost.test.ts).
  const price = priceFor(BUILTIN_PRICES, r.modelVersion as string | undefined, model, false);
  const rates = price && ratesAt(price.price, { at: Date.now() });
  const cost = rates ? costOf(r.usageMetadata as never, rates) : undefined;
  if (cost !== undefined) expected['gen_ai.cost.usd'] = cost;
  if (r.responseId) expected['gen_ai.response.id'] = r.responseId;
  if (r.modelVersion) expected['gen_ai.response.model'] = r.modelVersion;
  const reasons = ((r.candidates ?? []) as Json[]).map((c) => c.finishReason).filter(Boolean);
  if (reasons.length) expected['gen_ai.response.finish_reasons'] = reasons;
  const u = r.usageMetadata as Record<string, number> | undefined;
  if (u) {
    expected['gen_ai.usage.input_tokens'] = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
    if (u.candidatesTokenCount !== undefined || u.thoughtsTokenCount !== undefined) {
      expected['gen_ai.usage.output_tokens'] = (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0);
    }
    if (u.thoughtsTokenCount !== undefined) expected['gen_ai.usage.reasoning.output_tokens'] = u.thoughtsTokenCount;
    if (u.cachedContentTokenCount !== undefined) {
      expected['gen_ai.usage.cache_read.input_tokens'] = u.cachedContentTokenCount;
    }
    if (u.toolUsePromptTokenCount !== undefined) {
      expected['gcp.gen_ai.usage.tool_use_prompt_tokens'] = u.toolUsePromptTokenCount;
    }
    // By modality, as recorded: text, image and audio in the conventions, video and document under gcp.
    const byModality = (list: unknown, kind: string, extra = 0) => {
      if (!Array.isArray(list)) return;
      const sums: Record<string, number> = {};
      for (const d of list as Array<{ modality: string; tokenCount?: number }>) {
        if (d.tokenCount) sums[d.modality] = (sums[d.modality] ?? 0) + d.tokenCount;
      }
      if (extra) sums.TEXT = (sums.TEXT ?? 0) + extra;
      for (const [modality, n] of Object.entries(sums)) {
        const m = modality.toLowerCase();
        const key = ['text', 'image', 'audio'].includes(m)
          ? `gen_ai.usage.${m}.${kind}`
          : `gcp.gen_ai.usage.${m}.${kind}`;
        expected[key] = ((expected[key] as number | undefined) ?? 0) + n;
      }
    };
    const d = r.usageMetadata as Record<string, unknown>;
    byModality(d.promptTokensDetails, 'input_tokens');
    byModality(d.toolUsePromptTokensDetails, 'input_tokens');
    byModality(d.candidatesTokensDetails, 'output_tokens', u.thoughtsTokenCount ?? 0);
    byModality(d.cacheTokensDetails, 'cache_read.input_tokens');
  }
  const candidates = (r.candidates ?? []) as Array<{
    groundingMetadata?: { webSearchQueries?: unknown[]; groundingChunks?: unknown[] };
    urlContextMetadata?: { urlMetadata?: Array<{ urlRetrievalStatus?: string }> };
  }>;
  const grounded = candidates.filter((c) => c.groundingMetadata);
  if (grounded.some((c) => c.groundingMetadata?.webSearchQueries)) {
    expected['gcp.gen_ai.response.web_search_queries'] = grounded.reduce(
      (n, c) => n + (c.groundingMetadata?.webSearchQueries?.length ?? 0),
      0
    );
  }
  if (grounded.some((c) => c.groundingMetadata?.groundingChunks)) {
    expected['gcp.gen_ai.response.grounding_chunks'] = grounded.reduce(
      (n, c) => n + (c.groundingMetadata?.groundingChunks?.length ?? 0),
      0
    );
  }
  const urls = candidates.flatMap((c) => c.urlContextMetadata?.urlMetadata ?? []);
  if (candidates.some((c) => c.urlContextMetadata?.urlMetadata)) {
    expected['gcp.gen_ai.response.url_retrieval_statuses'] = urls.map((x) => x.urlRetrievalStatus);
  }
  return expected;
}

const recordings = loadRecordings();
const unary = recordings.filter(
  (r) => r.interactions.length > 0 && r.interactions.every((i) => i.request.url.includes(':generateContent'))
);
const streamed = recordings.filter(
  (r) => r.interactions.length > 0 && r.interactions.every((i) => i.request.url.includes(':streamGenerateContent'))
);

/** A stream's span shows each field as the last chunk carrying it had it (never a sum). */
function expectedStreamAttributes(model: string, request: Json, status: number, chunks: Json[]) {
  if (status !== 200)
    return { ...expectedAttributes(model, request, status, undefined), 'gen_ai.request.stream': true };
  const last = (key: string) => [...chunks].reverse().find((c) => c[key] !== undefined)?.[key];
  const reasons: string[] = [];
  for (const c of chunks) {
    for (const [i, cand] of ((c.candidates ?? []) as Json[]).entries()) {
      if (cand.finishReason) reasons[(cand.index as number | undefined) ?? i] = cand.finishReason as string;
    }
  }
  const merged: Json = {
    responseId: last('responseId'),
    modelVersion: last('modelVersion'),
    usageMetadata: last('usageMetadata'),
    candidates: reasons.filter(Boolean).map((finishReason) => ({ finishReason })),
  };
  return {
    ...expectedAttributes(model, request, 200, merged),
    'gen_ai.request.stream': true,
    'gen_ai.response.chunk_count': chunks.length,
    'gcp.gen_ai.stream.outcome': 'completed',
  };
}

describe(`recorded Gemini API traffic, generateContent (@google/genai ${SDK_MAJOR}.x)`, () => {
  const genai = loadGenAI();

  before(function () {
    if (recordings.length === 0) this.skip();
    nock.disableNetConnect();
  });
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  beforeEach(() => {
    resetInstrumentation();
  });

  if (recordings.length === 0) {
    it('skips: ../shared/fixtures/js-genai-recordings is absent');
    return;
  }

  it('has unary recordings to replay', () => {
    assert.ok(unary.length >= 20, `only ${unary.length} unary recordings found`);
  });

  /** Replays every round trip of a recording through models.generateContent; returns what the app got. */
  async function replay(recording: Recording) {
    const results: unknown[] = [];
    const ai = new genai.GoogleGenAI({ apiKey: TEST_API_KEY });
    for (const { request, response } of recording.interactions) {
      const model = modelOf(request.url);
      nock(GEMINI_BASE_URL)
        .post(`/${API_VERSION}/models/${model}:generateContent`)
        .reply(response.statusCode, response.bodySegments?.[0] as nock.Body);
      const params = sdkParams(model, request.bodySegments?.[0] ?? {});
      results.push(
        await ai.models.generateContent(params as never).then(
          (r) => plain(r),
          (e: Error) => ({ error: e.name, message: e.message })
        )
      );
    }
    assert.ok(nock.isDone(), `pending: ${nock.pendingMocks().join(', ')}`);
    return results;
  }

  for (const recording of unary) {
    it(recording.file.replace(/\.json$/, ''), async () => {
      const traced = await replay(recording);
      const spans = finishedSpans();
      assert.equal(spans.length, recording.interactions.length, 'one span per round trip');
      recording.interactions.forEach(({ request, response }, i) => {
        const model = modelOf(request.url);
        const body = response.bodySegments?.[0] as Json | undefined;
        assert.equal(spans[i].name, `generate_content ${model}`);
        assert.deepEqual(
          { ...spans[i].attributes },
          expectedAttributes(model, request.bodySegments?.[0] ?? {}, response.statusCode, body)
        );
        assert.equal(spans[i].status.code, response.statusCode === 200 ? SpanStatusCode.UNSET : SpanStatusCode.ERROR);
      });

      instrumentation.disable();
      resetSpans();
      const bare = await replay(recording);
      assert.deepEqual(traced, bare, 'the app sees the same results');
      assert.equal(finishedSpans().length, 0);
    });
  }

  it('has streamed recordings to replay', () => {
    assert.ok(streamed.length >= 10, `only ${streamed.length} streamed recordings found`);
  });

  /** Replays every round trip of a recorded stream through models.generateContentStream. */
  async function replayStream(recording: Recording) {
    const results: unknown[] = [];
    const ai = new genai.GoogleGenAI({ apiKey: TEST_API_KEY });
    for (const { request, response } of recording.interactions) {
      const model = modelOf(request.url);
      const segments = response.bodySegments ?? [];
      const scope = nock(GEMINI_BASE_URL).post(`/${API_VERSION}/models/${model}:streamGenerateContent`).query(true);
      if (response.statusCode === 200) {
        scope.reply(200, segments.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join(''), {
          'content-type': 'text/event-stream',
        });
      } else {
        scope.reply(response.statusCode, segments[0] as nock.Body);
      }
      const params = sdkParams(model, request.bodySegments?.[0] ?? {});
      try {
        const chunks: unknown[] = [];
        for await (const c of await ai.models.generateContentStream(params as never)) chunks.push(plain(c));
        results.push(chunks);
      } catch (e) {
        results.push({ error: (e as Error).name, message: (e as Error).message });
      }
    }
    assert.ok(nock.isDone(), `pending: ${nock.pendingMocks().join(', ')}`);
    await new Promise((resolve) => setImmediate(resolve));
    return results;
  }

  for (const recording of streamed) {
    it(`stream: ${recording.file.replace(/\.json$/, '')}`, async () => {
      const traced = await replayStream(recording);
      const spans = finishedSpans();
      assert.equal(spans.length, recording.interactions.length, 'one span per round trip');
      recording.interactions.forEach(({ request, response }, i) => {
        const model = modelOf(request.url);
        const attrs = { ...spans[i].attributes };
        // A recorded stream may be empty (200, no event): no first chunk, no time to it.
        if (response.statusCode === 200 && (response.bodySegments ?? []).length > 0) {
          const ttfc = attrs['gen_ai.response.time_to_first_chunk'];
          assert.ok(typeof ttfc === 'number' && ttfc > 0 && ttfc < 5, `time to first chunk ${ttfc}`);
          delete attrs['gen_ai.response.time_to_first_chunk'];
        }
        assert.deepEqual(
          attrs,
          expectedStreamAttributes(
            model,
            request.bodySegments?.[0] ?? {},
            response.statusCode,
            (response.bodySegments ?? []) as Json[]
          )
        );
      });

      instrumentation.disable();
      resetSpans();
      const bare = await replayStream(recording);
      assert.deepEqual(traced, bare, 'the app sees the same chunks');
    });
  }

  it('with content capture on, every content attribute of every recorded exchange is valid', async function () {
    if (!schemasAvailable) this.skip();
    instrumentation.setConfig({ captureMessageContent: 'SPAN_ONLY' });
    let checked = 0;
    for (const recording of unary) await replay(recording);
    for (const recording of streamed) await replayStream(recording);
    for (const span of finishedSpans()) {
      for (const key of CONTENT_ATTRIBUTES) {
        if (!(key in span.attributes)) continue;
        assertValidContent(key, span.attributes[key]);
        checked++;
      }
    }
    // Every recorded request has messages; most have answers, some tools or a system instruction.
    assert.ok(checked > 2 * (unary.length + streamed.length), `${checked} content attributes checked`);
  });

  describe('automatic function calling', () => {
    const afc = recordings.filter(
      (r) =>
        /afc_enabled|automatic_function_calling|CallableTool|greeter_server|max_calls_exceeded/i.test(r.file) &&
        !/disabled/i.test(r.file)
    );

    it('has function-calling recordings to replay', () => {
      assert.ok(afc.length >= 10, `only ${afc.length} function-calling recordings found`);
    });

    type Part = { functionCall?: { id?: string; name: string }; functionResponse?: { id?: string; name: string } };
    const lastParts = (i: Interaction) =>
      ((i.request.bodySegments?.[0].contents as Json[]).at(-1)?.parts ?? []) as Part[];
    /** Function calls in a recorded response (all chunks of a stream). */
    const callsOf = (i: Interaction) =>
      ((i.response.bodySegments ?? []) as Json[]).flatMap((seg) =>
        ((((seg.candidates as Json[] | undefined)?.[0]?.content as Json | undefined)?.parts ?? []) as Part[])
          .filter((p) => p.functionCall)
          .map((p) => p.functionCall!)
      );

    /** The recording cut into loops: a user turn, then the round trips that send function results back. */
    function loopsOf(recording: Recording): Interaction[][] {
      const loops: Interaction[][] = [];
      for (const interaction of recording.interactions) {
        const answering = lastParts(interaction).some((p) => p.functionResponse);
        if (answering && loops.length > 0) loops[loops.length - 1].push(interaction);
        else loops.push([interaction]);
      }
      return loops;
    }

    /**
     * Callable tools standing in for the recorded ones (one per recorded tools entry): each declares what
     * the recording declared and answers with what the recording sent back next.
     */
    function toolsFor(recording: Recording, loop: Interaction[], throws: boolean) {
      const body = loop[0].request.bodySegments![0];
      const all = recording.interactions;
      return ((body.tools ?? []) as Array<{ functionDeclarations?: Array<{ name: string }> }>).map((entry) => {
        const names = (entry.functionDeclarations ?? []).map((d) => d.name);
        return {
          async tool() {
            return entry;
          },
          async callTool(calls: Array<{ id?: string; name: string }>) {
            if (throws) throw new Error('MCP tool failed');
            const mine = calls.filter((c) => names.includes(c.name));
            const answers = all.flatMap((i) => lastParts(i).filter((p) => p.functionResponse));
            return mine.map(
              (c) =>
                answers.find((p) => p.functionResponse!.name === c.name) ?? {
                  functionResponse: { name: c.name, response: { output: 'unrecorded' } },
                }
            );
          },
        };
      });
    }

    for (const recording of afc) {
      it(`loop: ${recording.file.replace(/\.json$/, '')}`, async () => {
        const streamed = recording.interactions[0].request.url.includes(':streamGenerateContent');
        const viaChat = /chat/i.test(recording.file);
        const throws = /error_thrown_by_tool|mcp_error/.test(recording.file);
        const loops = loopsOf(recording);

        async function run() {
          const out: unknown[] = [];
          const ai = new genai.GoogleGenAI({ apiKey: TEST_API_KEY });
          for (const { request, response } of recording.interactions) {
            const model = modelOf(request.url);
            const scope = nock(GEMINI_BASE_URL)
              .post(`/${API_VERSION}/models/${model}:${streamed ? 'streamGenerateContent' : 'generateContent'}`)
              .query(true);
            if (streamed) {
              scope.reply(
                200,
                (response.bodySegments ?? []).map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join(''),
                { 'content-type': 'text/event-stream' }
              );
            } else scope.reply(response.statusCode, response.bodySegments?.[0] as nock.Body);
          }
          let chat: ReturnType<typeof ai.chats.create> | undefined;
          for (const loop of loops) {
            const body = loop[0].request.bodySegments![0];
            const model = modelOf(loop[0].request.url);
            const endsAsking = callsOf(loop[loop.length - 1]).length > 0;
            const config: Record<string, unknown> = {
              ...(body.generationConfig as object),
              toolConfig: body.toolConfig,
              tools: toolsFor(recording, loop, throws),
              // A loop recorded ending on a request for calls stopped at its limit.
              ...(endsAsking && !throws ? { automaticFunctionCalling: { maximumRemoteCalls: loop.length } } : {}),
            };
            const contents = body.contents as Array<{ parts: unknown[] }>;
            try {
              if (viaChat) {
                chat ??= ai.chats.create({ model, config: config as never, history: contents.slice(0, -1) as never });
                const message = contents[contents.length - 1].parts as never;
                if (streamed)
                  for await (const c of await chat.sendMessageStream({ message, config: config as never }))
                    out.push(plain(c));
                else out.push(plain(await chat.sendMessage({ message, config: config as never })));
              } else if (streamed) {
                for await (const c of await ai.models.generateContentStream({
                  model,
                  contents: contents as never,
                  config,
                }))
                  out.push(plain(c));
              } else {
                out.push(
                  plain(
                    await ai.models.generateContent({ model, contents: contents as never, config: config as never })
                  )
                );
              }
            } catch (e) {
              out.push({ error: (e as Error).message });
            }
          }
          assert.ok(nock.isDone(), `pending: ${nock.pendingMocks().join(', ')}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
          return out;
        }

        const traced = await run();
        const spans = finishedSpans();
        const runs = spans.filter((s) => s.name === 'agent.run');
        assert.equal(runs.length, loops.length, 'one agent.run per loop');
        loops.forEach((loop, n) => {
          const agent = runs[n];
          const children = spans
            .filter((s) => s.parentSpanContext?.spanId === agent.spanContext().spanId)
            .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
          // Each round trip, then a span per call the SDK ran for it (all but a stream's over-the-limit ones).
          const expected: string[] = [];
          loop.forEach((interaction, i) => {
            expected.push(`generate_content ${modelOf(interaction.request.url)}`);
            const runsTools = !streamed || i < loop.length - 1 || !/max/.test(recording.file);
            if (runsTools) for (const call of callsOf(interaction)) expected.push(`execute_tool ${call.name}`);
          });
          assert.deepEqual(
            children.map((c) => c.name),
            expected
          );
          const usages = loop.map((i) => {
            const segs = (i.response.bodySegments ?? []) as Json[];
            return [...segs].reverse().find((seg) => seg.usageMetadata)?.usageMetadata as Record<string, number>;
          });
          assert.equal(
            agent.attributes['gen_ai.usage.input_tokens'],
            usages.reduce((sum, u) => sum + (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0), 0)
          );
          assert.equal(
            agent.attributes['gen_ai.usage.output_tokens'],
            usages.reduce((sum, u) => sum + (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0), 0)
          );
          assert.equal(agent.attributes['gcp.gen_ai.agent.inference_calls'], loop.length);
          assert.equal(
            agent.attributes['gcp.gen_ai.agent.tool_calls'],
            children.filter((c) => c.name.startsWith('execute_tool')).length
          );
          if (throws) {
            assert.equal(agent.status.code, SpanStatusCode.ERROR);
            assert.equal(children.find((c) => c.name.startsWith('execute_tool'))?.status.code, SpanStatusCode.ERROR);
          } else {
            assert.equal(
              agent.attributes['gcp.gen_ai.agent.max_remote_calls_reached'],
              callsOf(loop[loop.length - 1]).length > 0
            );
          }
        });

        instrumentation.disable();
        resetSpans();
        const bare = await run();
        assert.deepEqual(traced, bare, 'the app sees the same results');
      });
    }
  });

  it('replays a chat through chat.sendMessage: one span per turn', async function () {
    const recording = recordings.find((r) => r.file === 'Chats_Tests_sendMessage_Google_AI_multiple_messages.json');
    if (!recording) this.skip();
    const model = modelOf(recording!.interactions[0].request.url);
    for (const { response } of recording!.interactions) {
      nock(GEMINI_BASE_URL)
        .post(`/${API_VERSION}/models/${model}:generateContent`)
        .reply(response.statusCode, response.bodySegments?.[0] as nock.Body);
    }
    const chat = new genai.GoogleGenAI({ apiKey: TEST_API_KEY }).chats.create({ model });
    const texts: string[] = [];
    for (const { request } of recording!.interactions) {
      const contents = request.bodySegments?.[0].contents as Array<{ parts: Array<{ text: string }> }>;
      const reply = await chat.sendMessage({
        message: contents[contents.length - 1].parts.map((p) => p.text).join(''),
      });
      texts.push(reply.candidates?.[0]?.content?.parts?.[0]?.text ?? '');
    }
    const spans = finishedSpans();
    assert.equal(spans.length, recording!.interactions.length);
    assert.deepEqual(
      spans.map((s) => s.attributes['gen_ai.response.id']),
      recording!.interactions.map((i) => (i.response.bodySegments?.[0] as Json).responseId)
    );
    assert.ok(texts.every((t) => t.length > 0));
  });
});

describe(`recorded Gemini API traffic, countTokens (@google/genai ${SDK_MAJOR}.x)`, () => {
  const genai = loadGenAI();
  const counting = recordings.filter((r) => r.interactions.some((i) => i.request.url.includes(':countTokens')));

  before(function () {
    if (counting.length === 0) this.skip();
    nock.disableNetConnect();
  });
  after(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  beforeEach(() => {
    resetInstrumentation();
    instrumentation.setConfig({ traceTokenCounting: true });
  });

  if (counting.length === 0) {
    it('skips: no countTokens recording in ../shared/fixtures/js-genai-recordings');
    return;
  }

  for (const recording of counting) {
    it(`${recording.file}: a count_tokens span with the recorded total, the same result as bare`, async () => {
      const run = async () => {
        const results: unknown[] = [];
        for (const { request, response } of recording.interactions) {
          const model = modelOf(request.url);
          nock(GEMINI_BASE_URL)
            .post(`/${API_VERSION}/models/${model}:countTokens`)
            .reply(response.statusCode, response.bodySegments?.[0] as nock.Body);
          const body = request.bodySegments?.[0] ?? {};
          results.push(
            await new genai.GoogleGenAI({ apiKey: TEST_API_KEY }).models
              .countTokens({ model, contents: body.contents as never })
              .then(plain, (e: Error) => ({ error: e.message }))
          );
        }
        return results;
      };
      const traced = await run();
      const spans = finishedSpans();
      instrumentation.disable();
      const bare = await run();
      instrumentation.enable();
      assert.deepEqual(traced, bare);
      assert.equal(spans.length, recording.interactions.length);
      recording.interactions.forEach(({ request, response }, i) => {
        const model = modelOf(request.url);
        assert.equal(spans[i].name, `count_tokens ${model}`);
        assert.equal(spans[i].attributes['gen_ai.operation.name'], 'count_tokens');
        const total = (response.bodySegments?.[0] as { totalTokens?: number } | undefined)?.totalTokens;
        assert.equal(spans[i].attributes['gcp.gen_ai.response.total_tokens'], total);
        assert.equal(spans[i].status.code, response.statusCode < 400 ? SpanStatusCode.UNSET : SpanStatusCode.ERROR);
      });
    });
  }
});
