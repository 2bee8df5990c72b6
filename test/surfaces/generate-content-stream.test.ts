/*
 * Streams, through the real SDK against a loopback server that paces, drops
 * and breaks its chunks: exactly one ended span per streamed round trip,
 * whatever way the stream ends, with chunk count, time to first chunk and the
 * last chunk's usage; and the app sees the same chunks and errors as without
 * the instrumentation.
 */
import { finishedSpans, instrumentation, tracerProvider, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SpanStatusCode } from '@opentelemetry/api';
import { collectMetrics } from '../utils/metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { plain, SDK_MAJOR } from '../utils/genai';
import { assertClientSpan, assertOk, exceptionEvents } from '../utils/assert-span';
import { withFakeGemini } from '../utils/with-fake-gemini';

const MODEL = 'gemini-2.5-flash';

/** A Gemini API stream chunk: cumulative usage repeated on every chunk, as the Gemini API sends it. */
function chunk(text: string, n: number, extra: Record<string, unknown> = {}) {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...extra }],
    usageMetadata: { promptTokenCount: 11, candidatesTokenCount: n, thoughtsTokenCount: 20, totalTokenCount: 31 + n },
    modelVersion: 'gemini-2.5-flash-002',
    responseId: 'stream-resp-1',
  };
}

/** An HrTime ([seconds, nanoseconds]) in milliseconds. */
const hrTimeToMilliseconds = ([sec, ns]: [number, number]) => sec * 1000 + ns / 1e6;

const THREE_CHUNKS = [chunk('The sky', 2), chunk(' is', 3), chunk(' blue.', 5, { finishReason: 'STOP' })];

describe(`streams (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  beforeEach(() => {
    resetInstrumentation();
    server.reply = () => ({ chunks: THREE_CHUNKS });
  });

  function client() {
    return server.client();
  }

  const BASE = () => ({
    'gen_ai.operation.name': 'generate_content',
    'gen_ai.provider.name': 'gcp.gemini',
    'gen_ai.request.model': MODEL,
    'server.address': '127.0.0.1',
    'server.port': server.port,
    'gen_ai.output.type': 'text',
    'gen_ai.request.stream': true,
  });

  /** Reads a stream the way an app does; returns what the app saw. */
  async function consume(
    stream: AsyncIterable<unknown>,
    stopAfter = Infinity
  ): Promise<{ chunks: unknown[]; error?: string }> {
    const chunks: unknown[] = [];
    try {
      for await (const c of stream) {
        chunks.push(plain(c));
        if (chunks.length >= stopAfter) break;
      }
      return { chunks };
    } catch (err) {
      const e = err as Error & { status?: number };
      return { chunks, error: `${e.name}: ${e.message}${e.status ? ` (${e.status})` : ''}` };
    }
  }

  /** Runs the same scenario traced and bare; checks the app saw the same; returns the traced spans. */
  async function sameAsBare(run: () => Promise<unknown>) {
    const traced = await run();
    await settle();
    const spans = finishedSpans();
    instrumentation.disable();
    const bare = await run();
    instrumentation.enable();
    assert.deepEqual(traced, bare, 'the app sees the same chunks and errors');
    return spans;
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

  it('drained: one span with usage from the last chunk, chunk count, time to first chunk', async () => {
    server.reply = () => ({ chunks: THREE_CHUNKS, delayMs: 150, chunkDelayMs: 30 });
    const spans = await sameAsBare(async () =>
      consume(
        await client().models.generateContentStream({ model: MODEL, contents: 'Why?', config: { temperature: 0 } })
      )
    );
    assert.equal(spans.length, 1);
    const [span] = spans;
    const ttfc = span.attributes['gen_ai.response.time_to_first_chunk'] as number;
    assertClientSpan(span, `generate_content ${MODEL}`, {
      ...BASE(),
      'gen_ai.request.temperature': 0,
      'gen_ai.response.id': 'stream-resp-1',
      'gen_ai.response.model': 'gemini-2.5-flash-002',
      'gen_ai.response.finish_reasons': ['STOP'],
      // The last chunk's cumulative counts, not a sum over chunks.
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 25,
      'gen_ai.usage.reasoning.output_tokens': 20,
      'gen_ai.response.chunk_count': 3,
      'gen_ai.response.time_to_first_chunk': ttfc,
      'gcp.gen_ai.stream.outcome': 'completed',
      // gemini-2.5-flash: 11 in x $0.30 + (5 + 20) out x $2.50, per 1M
      'gen_ai.cost.usd': (11 * 0.3 + 0 * 0.03 + 25 * 2.5) / 1e6,
    });
    assertOk(span);
    // 150 ms before the headers and 30 ms before the first chunk; generous on the high side for a busy machine.
    assert.ok(ttfc >= 0.17 && ttfc < 0.17 + 0.5, `time to first chunk ${ttfc}s`);
    assert.deepEqual(
      span.events.map((e) => e.name),
      ['first_token']
    );
    const firstTokenMs =
      (span.events[0].time[0] - span.startTime[0]) * 1e3 + (span.events[0].time[1] - span.startTime[1]) / 1e6;
    assert.ok(Math.abs(firstTokenMs / 1e3 - ttfc) < 0.05, 'first_token event at the first chunk');
  });

  it('takes usage sent once on the last chunk (Vertex AI style)', async () => {
    const noUsage = (c: ReturnType<typeof chunk>) => ({ ...c, usageMetadata: undefined });
    server.reply = () => ({ chunks: [noUsage(THREE_CHUNKS[0]), noUsage(THREE_CHUNKS[1]), THREE_CHUNKS[2]] });
    await consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }));
    await settle();
    const attrs = finishedSpans()[0].attributes;
    assert.equal(attrs['gen_ai.usage.input_tokens'], 11);
    assert.equal(attrs['gen_ai.usage.output_tokens'], 25);
  });

  it('chat.sendMessageStream: one span per turn', async () => {
    const chat = client().chats.create({ model: MODEL });
    await consume(await chat.sendMessageStream({ message: 'first' }));
    await consume(await chat.sendMessageStream({ message: 'second' }));
    await settle();
    assert.deepEqual(
      finishedSpans().map((s) => [
        s.name,
        s.attributes['gen_ai.response.chunk_count'],
        s.attributes['gcp.gen_ai.stream.outcome'],
      ]),
      [
        [`generate_content ${MODEL}`, 3, 'completed'],
        [`generate_content ${MODEL}`, 3, 'completed'],
      ]
    );
  });

  it('consumer breaks early: ends as cut_short, not an error', async () => {
    const spans = await sameAsBare(async () =>
      consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }), 1)
    );
    assert.equal(spans.length, 1);
    assert.equal(spans[0].attributes['gcp.gen_ai.stream.outcome'], 'cut_short');
    assert.equal(spans[0].attributes['gen_ai.response.chunk_count'], 1);
    // Cut short before the model finished: `error` at the position a finish reason never came to.
    assert.deepEqual(spans[0].attributes['gen_ai.response.finish_reasons'], ['error']);
    assertOk(spans[0]);
  });

  it('connection dropped mid-stream: ERROR with the socket error code', async () => {
    server.reply = () => ({ chunks: THREE_CHUNKS, dropAfterChunks: 1, chunkDelayMs: 20 });
    const spans = await sameAsBare(async () =>
      consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }))
    );
    assert.equal(spans.length, 1);
    const [span] = spans;
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['error.type'], 'UND_ERR_SOCKET');
    assert.equal(span.attributes['gcp.gen_ai.stream.outcome'], 'failed');
    assert.equal(span.attributes['gen_ai.response.chunk_count'], 1);
    // What arrived before the drop is still on the span.
    assert.equal(span.attributes['gen_ai.usage.output_tokens'], 22);
    assert.deepEqual(span.attributes['gen_ai.response.finish_reasons'], ['error']);
    assert.equal(exceptionEvents(span).length, 1);
  });

  it('malformed chunk: ERROR, and the app gets the SDK error', async () => {
    server.reply = () => ({ chunks: [THREE_CHUNKS[0], { raw: '{not json' }, THREE_CHUNKS[2]] });
    const spans = await sameAsBare(async () =>
      consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }))
    );
    assert.equal(spans.length, 1);
    assert.equal(spans[0].attributes['error.type'], 'SyntaxError');
    assert.equal(spans[0].attributes['gcp.gen_ai.stream.outcome'], 'failed');
  });

  it('an error event inside the stream', async () => {
    server.reply = () => ({ chunks: [THREE_CHUNKS[0], { error: { code: 500, message: 'boom', status: 'INTERNAL' } }] });
    const spans = await sameAsBare(async () =>
      consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }))
    );
    assert.equal(spans.length, 1);
    if (SDK_MAJOR === '1') {
      // 1.x yields the error event as an empty chunk and ends normally.
      assert.equal(spans[0].attributes['gcp.gen_ai.stream.outcome'], 'completed');
      assert.equal(spans[0].attributes['gen_ai.response.chunk_count'], 2);
    } else {
      assert.equal(spans[0].attributes['error.type'], '500');
      assert.equal(spans[0].attributes['gcp.gen_ai.stream.outcome'], 'failed');
    }
  });

  it('config.abortSignal aborts mid-stream: error.type AbortError', async () => {
    server.reply = () => ({ chunks: THREE_CHUNKS, hangAfterChunks: 1 });
    const spans = await sameAsBare(async () => {
      const controller = new AbortController();
      const stream = await client().models.generateContentStream({
        model: MODEL,
        contents: 'x',
        config: { abortSignal: controller.signal },
      });
      setTimeout(() => controller.abort(), 100);
      return consume(stream);
    });
    assert.equal(spans.length, 1);
    assert.equal(spans[0].attributes['error.type'], 'AbortError');
    assert.equal(spans[0].attributes['gcp.gen_ai.stream.outcome'], 'failed');
    assert.equal(spans[0].attributes['gen_ai.response.chunk_count'], 1);
  });

  it('HTTP error before the first chunk: ERROR span, the app gets the ApiError', async () => {
    server.reply = () => ({
      status: 429,
      body: { error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' } },
    });
    const spans = await sameAsBare(async () =>
      client()
        .models.generateContentStream({ model: MODEL, contents: 'x' })
        .then(
          () => 'resolved',
          (e: Error & { status?: number }) => `${e.name} ${e.status} ${e.message}`
        )
    );
    assert.equal(spans.length, 1);
    assertClientSpan(spans[0], `generate_content ${MODEL}`, {
      ...BASE(),
      'error.type': '429',
      'gen_ai.response.finish_reasons': ['error'],
    });
    assert.equal(spans[0].status.code, SpanStatusCode.ERROR);
  });

  it('never read: the span ends as abandoned after the idle time, and the stream still works', async () => {
    instrumentation.setConfig({ streamIdleTimeoutMs: 200 });
    const stream = await client().models.generateContentStream({ model: MODEL, contents: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const spans = finishedSpans();
    assert.equal(spans.length, 1);
    assert.equal(spans[0].attributes['gcp.gen_ai.stream.outcome'], 'abandoned');
    assert.equal(spans[0].attributes['gen_ai.response.chunk_count'], 0);
    assert.deepEqual(spans[0].attributes['gen_ai.response.finish_reasons'], ['error']);
    assertOk(spans[0]);
    // We never touched the stream: read late, it is all there, and no second span appears.
    const late = await consume(stream);
    assert.equal(late.chunks.length, 3);
    await settle();
    assert.equal(finishedSpans().length, 1);
  });

  it("a completed stream ends at its last chunk: work the consumer does after it is not the model's time", async () => {
    await collectMetrics();
    const stream = await client().models.generateContentStream({ model: MODEL, contents: 'x' });
    let lastChunkAt = 0;
    let seen = 0;
    for await (const c of stream) {
      assert.ok(c);
      if (++seen === THREE_CHUNKS.length) {
        lastChunkAt = Date.now();
        // What a framework does before it asks for the end: run the tools the model asked for.
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
    }
    const doneAt = Date.now();
    await settle();
    const [span] = finishedSpans();
    assert.equal(span.attributes['gcp.gen_ai.stream.outcome'], 'completed');
    assert.equal(span.attributes['gen_ai.response.chunk_count'], 3);
    const endMs = hrTimeToMilliseconds(span.endTime);
    assert.ok(Math.abs(endMs - lastChunkAt) < 50, `span ended ${endMs - lastChunkAt} ms after the last chunk`);
    assert.ok(doneAt - endMs >= 350, `span ended ${doneAt - endMs} ms before the stream said done`);
    const duration = (await collectMetrics())['gen_ai.client.operation.duration'].points;
    assert.equal(duration.length, 1);
    const sum = (duration[0].value as { sum: number }).sum;
    assert.ok(
      Math.abs(sum * 1000 - hrTimeToMilliseconds(span.duration)) < 1,
      "the duration point is the span's duration"
    );
    assert.ok(sum < 0.3, `duration ${sum} s`);
  });

  it('a stream cut short after its last chunk still ends when the consumer stops, as before', async () => {
    const stream = await client().models.generateContentStream({ model: MODEL, contents: 'x' });
    let seen = 0;
    for await (const c of stream) {
      assert.ok(c);
      if (++seen === THREE_CHUNKS.length) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        break;
      }
    }
    await settle();
    const [span] = finishedSpans();
    assert.equal(span.attributes['gcp.gen_ai.stream.outcome'], 'cut_short');
    assert.ok(hrTimeToMilliseconds(span.duration) >= 190, `duration ${hrTimeToMilliseconds(span.duration)} ms`);
  });

  it('a slow consumer is not abandoned while it is waiting on a chunk', async () => {
    instrumentation.setConfig({ streamIdleTimeoutMs: 100 });
    server.reply = () => ({ chunks: THREE_CHUNKS, chunkDelayMs: 150 });
    await consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }));
    await settle();
    assert.equal(finishedSpans()[0].attributes['gcp.gen_ai.stream.outcome'], 'completed');
  });

  it('never read: the span is exported when the tracer provider shuts down', async () => {
    instrumentation.setConfig({ streamIdleTimeoutMs: 0 });
    // InMemorySpanExporter forgets its spans on shutdown: keep them ourselves.
    const exported: ReadableSpan[] = [];
    const exporter = new InMemorySpanExporter();
    exporter.export = (spans, done) => {
      exported.push(...spans);
      done({ code: 0 });
    };
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    instrumentation.setTracerProvider(provider);
    try {
      const stream = await client().models.generateContentStream({ model: MODEL, contents: 'x' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(exported.length, 0, 'still open while the app holds it');
      await provider.forceFlush();
      assert.equal(exported.length, 0, 'a flush does not end live streams');
      await provider.shutdown();
      assert.equal(exported.length, 1);
      assert.equal(exported[0].attributes['gcp.gen_ai.stream.outcome'], 'abandoned');
      assert.equal((await consume(stream)).chunks.length, 3);
    } finally {
      instrumentation.setTracerProvider(tracerProvider);
    }
  });

  it('chunk_progress events every chunkProgressInterval chunks, none with 0', async () => {
    const seven = Array.from({ length: 7 }, (_, i) => chunk(`w${i}`, i + 1));
    server.reply = () => ({ chunks: seven });
    instrumentation.setConfig({ chunkProgressInterval: 3 });
    await consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }));
    instrumentation.setConfig({ chunkProgressInterval: 0 });
    await consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }));
    await settle();
    const [every3, none] = finishedSpans();
    assert.deepEqual(
      every3.events.map((e) => [e.name, e.attributes?.chunks]),
      [
        ['first_token', undefined],
        ['chunk_progress', 3],
        ['chunk_progress', 6],
      ]
    );
    assert.deepEqual(
      none.events.map((e) => e.name),
      ['first_token']
    );
    assert.equal(every3.attributes['gen_ai.response.chunk_count'], 7);
  });

  it('default: a chunk_progress event every 100 chunks', async () => {
    server.reply = () => ({ chunks: Array.from({ length: 250 }, (_, i) => chunk('x', i + 1)) });
    await consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }));
    await settle();
    const [span] = finishedSpans();
    assert.deepEqual(
      span.events.filter((e) => e.name === 'chunk_progress').map((e) => e.attributes?.chunks),
      [100, 200]
    );
    assert.equal(span.attributes['gen_ai.response.chunk_count'], 250);
  });

  it('each candidate keeps its own finish reason', async () => {
    server.reply = () => ({
      chunks: [
        {
          candidates: [
            { content: { parts: [{ text: 'a' }] }, index: 0 },
            { content: { parts: [{ text: 'b' }] }, index: 1 },
          ],
        },
        { candidates: [{ content: { parts: [{ text: 'c' }] }, index: 1, finishReason: 'MAX_TOKENS' }] },
        { candidates: [{ content: { parts: [{ text: 'd' }] }, index: 0, finishReason: 'STOP' }] },
      ],
    });
    await consume(
      await client().models.generateContentStream({ model: MODEL, contents: 'x', config: { candidateCount: 2 } })
    );
    await settle();
    assert.deepEqual(finishedSpans()[0].attributes['gen_ai.response.finish_reasons'], ['STOP', 'MAX_TOKENS']);
  });

  it('a stream of a span that is not sampled: no span, the same chunks', async () => {
    const { AlwaysOffSampler } = await import('@opentelemetry/sdk-trace-base');
    const off = new BasicTracerProvider({ sampler: new AlwaysOffSampler() });
    instrumentation.setTracerProvider(off);
    try {
      const stream = await client().models.generateContentStream({ model: MODEL, contents: 'x' });
      assert.equal((await consume(stream)).chunks.length, 3);
    } finally {
      instrumentation.setTracerProvider(tracerProvider);
    }
    await settle();
    assert.deepEqual(finishedSpans(), []);
  });

  if (SDK_MAJOR === '3') {
    it('3.x automatic continuation: one span per hop, each after the first linked to the one before, with its index', async () => {
      let calls = 0;
      server.reply = () =>
        ++calls === 1
          ? {
              chunks: [
                chunk('Once', 1),
                chunk(' upon', 2, { continuationToken: 'tok-1', finishReason: 'CONTINUATION' }),
              ],
            }
          : { chunks: [chunk(' a time.', 3, { finishReason: 'STOP' })] };
      const result = await consume(await client().models.generateContentStream({ model: MODEL, contents: 'x' }));
      await settle();
      assert.equal(calls, 2);
      assert.equal(result.chunks.length, 3);
      const spans = finishedSpans();
      assert.deepEqual(
        spans.map((s) => [
          s.attributes['gen_ai.response.chunk_count'],
          s.attributes['gen_ai.response.finish_reasons'],
          s.attributes['gen_ai.usage.output_tokens'],
          s.attributes['gcp.gen_ai.stream.outcome'],
          s.attributes['gcp.gen_ai.continuation.index'],
        ]),
        [
          // A checkpoint is not a finish: the first hop reports none.
          [2, undefined, 22, 'completed', 0],
          [1, ['STOP'], 23, 'completed', 1],
        ]
      );
      assert.equal(spans[0].parentSpanContext, spans[1].parentSpanContext);
      assert.deepEqual(
        spans[1].links.map((l) => l.context.spanId),
        [spans[0].spanContext().spanId]
      );
    });
  }
});
