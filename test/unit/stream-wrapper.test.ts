/*
 * The stream wrapper on its own, around hand-made iterators: context binding
 * of next/return/throw, the SDK's own promises handed back, queued calls, and
 * exactly-once ending.
 */
import { finishedSpans, resetSpans, tracerProvider } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { context, trace, type Span } from '@opentelemetry/api';
import { OpenStreams } from '../../src/core/stream';

const tracer = tracerProvider.getTracer('test');
// No idle sweep: these tests end their streams themselves.
const IDLE_MS = 0;

/** A sink that puts the chunk count and the outcome on the span and ends it, as a round trip's does. */
function spanSink(span: Span) {
  let chunks = 0;
  return {
    chunk: () => void chunks++,
    end: (outcome: string) => {
      span.setAttributes({ 'gen_ai.response.chunk_count': chunks, 'gcp.gen_ai.stream.outcome': outcome });
      span.end();
    },
  };
}

function streamSpan() {
  const span = tracer.startSpan('generate_content test');
  return { span, ctx: trace.setSpan(context.active(), span) };
}

describe('stream wrapper', () => {
  beforeEach(() => resetSpans());

  it("runs the SDK's iterator in the span's context, wherever the consumer iterates", async () => {
    const { span, ctx } = streamSpan();
    const seen: Array<string | undefined> = [];
    async function* sdkStream() {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push(trace.getActiveSpan()?.spanContext().spanId);
        // Work another instrumentation would trace while the stream is read.
        tracer.startSpan(`read ${i}`).end();
        yield { candidates: [{ index: 0 }] };
      }
    }
    const wrapped = new OpenStreams().wrap(sdkStream(), ctx, spanSink(span), IDLE_MS) as AsyncIterable<unknown>;
    const consumerSpan = tracer.startSpan('consumer');
    await context.with(trace.setSpan(context.active(), consumerSpan), async () => {
      for await (const chunk of wrapped) assert.ok(chunk);
    });
    consumerSpan.end();
    const id = span.spanContext().spanId;
    assert.deepEqual(seen, [id, id, id]);
    const reads = finishedSpans().filter((s) => s.name.startsWith('read'));
    assert.deepEqual(
      reads.map((s) => s.parentSpanContext?.spanId),
      [id, id, id]
    );
  });

  it("returns the SDK's own promises and passes arguments through", async () => {
    const { span, ctx } = streamSpan();
    const promises: Array<Promise<IteratorResult<number>>> = [];
    const args: unknown[][] = [];
    const sdkIterator = {
      n: 0,
      next(...a: unknown[]) {
        args.push(a);
        const p = Promise.resolve(this.n < 2 ? { done: false, value: this.n++ } : { done: true, value: undefined });
        promises.push(p as Promise<IteratorResult<number>>);
        return p;
      },
    };
    const wrapped = new OpenStreams().wrap(sdkIterator, ctx, spanSink(span), IDLE_MS) as AsyncIterator<number>;
    const first = wrapped.next();
    assert.equal(first, promises[0]);
    assert.deepEqual(await first, { done: false, value: 0 });
    await wrapped.next('sent');
    assert.deepEqual(args, [[], ['sent']]);
    assert.deepEqual(await wrapped.next(), { done: true, value: undefined });
    await new Promise((resolve) => setImmediate(resolve));
    const [ended] = finishedSpans().filter((s) => s.name === 'generate_content test');
    assert.equal(ended.attributes['gen_ai.response.chunk_count'], 2);
    assert.equal(ended.attributes['gcp.gen_ai.stream.outcome'], 'completed');
  });

  it('queued next() calls settle in order and are all counted', async () => {
    const { span, ctx } = streamSpan();
    async function* sdkStream() {
      yield 1;
      yield 2;
      yield 3;
    }
    const wrapped = new OpenStreams().wrap(sdkStream(), ctx, spanSink(span), IDLE_MS) as AsyncIterator<number>;
    const results = await Promise.all([wrapped.next(), wrapped.next(), wrapped.next(), wrapped.next()]);
    assert.deepEqual(
      results.map((r) => r.value),
      [1, 2, 3, undefined]
    );
    await new Promise((resolve) => setImmediate(resolve));
    const ended = finishedSpans().filter((s) => s.name === 'generate_content test');
    assert.equal(ended.length, 1);
    assert.equal(ended[0].attributes['gen_ai.response.chunk_count'], 3);
  });

  it('throw() goes to the SDK iterator, which may recover; return() ends it once', async () => {
    const { span, ctx } = streamSpan();
    async function* sdkStream() {
      for (;;) {
        try {
          yield 'chunk';
        } catch {
          yield 'recovered';
        }
      }
    }
    const streams = new OpenStreams();
    const wrapped = streams.wrap(sdkStream(), ctx, spanSink(span), IDLE_MS) as AsyncGenerator<string>;
    assert.deepEqual(await wrapped.next(), { done: false, value: 'chunk' });
    assert.deepEqual(await wrapped.throw(new Error('from the consumer')), { done: false, value: 'recovered' });
    assert.equal(streams.size, 1);
    assert.deepEqual(await wrapped.return('bye'), { done: true, value: 'bye' });
    assert.deepEqual(await wrapped.return('again'), { done: true, value: 'again' });
    await new Promise((resolve) => setImmediate(resolve));
    const ended = finishedSpans().filter((s) => s.name === 'generate_content test');
    assert.equal(ended.length, 1);
    assert.equal(ended[0].attributes['gcp.gen_ai.stream.outcome'], 'cut_short');
    assert.equal(ended[0].attributes['gen_ai.response.chunk_count'], 2);
    assert.equal(streams.size, 0);
  });

  it('abandonAll() ends every open stream once; later chunks change nothing', async () => {
    const streams = new OpenStreams();
    const a = streamSpan();
    const b = streamSpan();
    async function* sdkStream() {
      yield 1;
      yield 2;
    }
    const wa = streams.wrap(sdkStream(), a.ctx, spanSink(a.span), IDLE_MS) as AsyncIterator<number>;
    streams.wrap(sdkStream(), b.ctx, spanSink(b.span), IDLE_MS);
    assert.equal(streams.size, 2);
    streams.abandonAll();
    assert.equal(streams.size, 0);
    assert.deepEqual(await wa.next(), { done: false, value: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    const ended = finishedSpans().filter((s) => s.name === 'generate_content test');
    assert.deepEqual(
      ended.map((s) => [s.attributes['gcp.gen_ai.stream.outcome'], s.attributes['gen_ai.response.chunk_count']]),
      [
        ['abandoned', 0],
        ['abandoned', 0],
      ]
    );
  });

  it('something that is not an iterator is returned as it is, the span ended', () => {
    const { span, ctx } = streamSpan();
    const odd = { not: 'an iterator' };
    assert.equal(new OpenStreams().wrap(odd, ctx, spanSink(span), IDLE_MS), odd);
    assert.equal(finishedSpans().filter((s) => s.name === 'generate_content test').length, 1);
  });
});
