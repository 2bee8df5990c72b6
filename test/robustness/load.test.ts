/*
 * Load and isolation in one process: 1,000 concurrent calls and 200
 * concurrent streams, each made inside its own parent span. Every span ends,
 * carries its own response, and has its own caller's span as parent (no call
 * adopts another's context); calls made inside tools nest under the tool's
 * execute_tool span.
 */
import { finishedSpans, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { context, trace, type Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import type { FakeRequest, FakeReply } from '../utils/fake-gemini-server';

const MODEL = 'gemini-2.5-flash';
const CALLS = 1000;
const STREAMS = 200;
const LOOPS = 50;

/** The `req-N` a request carries in its newest turn, or `answer-N` once a tool answered for it. */
function tagOf(req: FakeRequest): { tag: string; answered: boolean } {
  const contents = (req.body as { contents: Array<{ parts: Array<Record<string, unknown>> }> }).contents;
  const first = contents[0].parts[0] as { text?: string };
  const answered = contents[contents.length - 1].parts.some((p) => p.functionResponse);
  return { tag: first.text ?? '?', answered };
}

function reply(req: FakeRequest): FakeReply {
  const { tag, answered } = tagOf(req);
  const usageMetadata = { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 };
  const base = { usageMetadata, modelVersion: 'gemini-2.5-flash-001', responseId: `resp-${tag}` };
  if (req.action === 'streamGenerateContent') {
    // Paced, so that hundreds of streams interleave chunk by chunk.
    return {
      chunkDelayMs: 2,
      chunks: [0, 1, 2, 3].map((i) => ({
        ...base,
        candidates: [
          {
            content: { role: 'model', parts: [{ text: `${tag}:${i}` }] },
            index: 0,
            ...(i === 3 ? { finishReason: 'STOP' } : {}),
          },
        ],
      })),
    };
  }
  if (tag.startsWith('loop-') && !answered) {
    return {
      body: {
        ...base,
        candidates: [
          {
            content: { role: 'model', parts: [{ functionCall: { id: `call-${tag}`, name: 'lookup', args: { tag } } }] },
            finishReason: 'STOP',
          },
        ],
      },
    };
  }
  return {
    delayMs: Number(tag.replace(/\D/g, '')) % 7,
    body: { ...base, candidates: [{ content: { role: 'model', parts: [{ text: tag }] }, finishReason: 'STOP' }] },
  };
}

describe(`load and isolation (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(60000);
  const server = withFakeGemini(reply);
  const appTracer = trace.getTracer('the-app');
  beforeEach(() => {
    resetInstrumentation();
    server.requests.length = 0;
  });

  const client = () => server.client();

  /** Runs `fn` inside a fresh app span named `tag`; returns that span's id. */
  function inAppSpan<T>(tag: string, fn: () => Promise<T>): Promise<{ parentId: string; value: T }> {
    return appTracer.startActiveSpan(tag, async (span: Span) => {
      try {
        return { parentId: span.spanContext().spanId, value: await fn() };
      } finally {
        span.end();
      }
    });
  }

  const byId = (spans: ReadableSpan[]) => new Map(spans.map((s) => [s.spanContext().spanId, s]));

  it(`${CALLS} concurrent calls: each span ended, with its own response and its own caller as parent`, async () => {
    const ai = client();
    const results = await Promise.all(
      Array.from({ length: CALLS }, (_, i) =>
        inAppSpan(`req-${i}`, () => ai.models.generateContent({ model: MODEL, contents: `req-${i}` }))
      )
    );
    results.forEach((r, i) => assert.equal(r.value.responseId, `resp-req-${i}`, 'the app got its own response'));
    const spans = finishedSpans();
    const ours = spans.filter((s) => s.name === `generate_content ${MODEL}`);
    assert.equal(ours.length, CALLS);
    const apps = byId(spans.filter((s) => s.name.startsWith('req-')));
    for (const span of ours) {
      assert.ok(span.ended);
      const parent = apps.get(span.parentSpanContext?.spanId ?? '');
      assert.ok(parent, 'parent is an app span');
      assert.equal(span.attributes['gen_ai.response.id'], `resp-${parent.name}`, 'the response of its own caller');
      assert.equal(span.spanContext().traceId, parent.spanContext().traceId);
    }
  });

  it(`${STREAMS} concurrent streams, interleaved: each span ended with its own chunks and caller`, async () => {
    const ai = client();
    const results = await Promise.all(
      Array.from({ length: STREAMS }, (_, i) =>
        inAppSpan(`req-${i}`, async () => {
          const texts: string[] = [];
          for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: `req-${i}` })) {
            texts.push(c.candidates?.[0]?.content?.parts?.[0]?.text ?? '');
            // Work between chunks, in the app's context: it must still be the app's.
            await new Promise((resolve) => setImmediate(resolve));
            assert.equal((trace.getActiveSpan() as unknown as { name: string }).name, `req-${i}`);
          }
          return texts;
        })
      )
    );
    results.forEach((r, i) =>
      assert.deepEqual(
        r.value,
        [0, 1, 2, 3].map((k) => `req-${i}:${k}`)
      )
    );
    const spans = finishedSpans();
    const ours = spans.filter((s) => s.name === `generate_content ${MODEL}`);
    assert.equal(ours.length, STREAMS);
    const apps = byId(spans.filter((s) => s.name.startsWith('req-')));
    for (const span of ours) {
      const parent = apps.get(span.parentSpanContext?.spanId ?? '');
      assert.ok(parent, 'parent is an app span');
      assert.equal(span.attributes['gen_ai.response.id'], `resp-${parent.name}`);
      assert.equal(span.attributes['gen_ai.response.chunk_count'], 4);
      assert.equal(span.attributes['gcp.gen_ai.stream.outcome'], 'completed');
    }
  });

  it(`${LOOPS} concurrent function-calling loops whose tool calls the model: nested calls under their own execute_tool`, async () => {
    const ai = client();
    const tool = {
      tool: async () => ({
        functionDeclarations: [
          { name: 'lookup', parametersJsonSchema: { type: 'object', properties: { tag: { type: 'string' } } } },
        ],
      }),
      callTool: async (calls: Array<{ id?: string; name: string; args?: { tag?: string } }>) => {
        const out = [];
        for (const call of calls) {
          // A tool that asks the model itself: its span belongs under this tool's span.
          const inner = await ai.models.generateContent({ model: MODEL, contents: `inner-${call.args?.tag}` });
          out.push({ functionResponse: { id: call.id, name: call.name, response: { inner: inner.responseId } } });
        }
        return out;
      },
    };
    await Promise.all(
      Array.from({ length: LOOPS }, (_, i) =>
        inAppSpan(`loop-${i}`, () =>
          ai.models.generateContent({ model: MODEL, contents: `loop-${i}`, config: { tools: [tool] } })
        )
      )
    );
    const spans = finishedSpans();
    const ids = byId(spans);
    const parentOf = (s: ReadableSpan) => ids.get(s.parentSpanContext?.spanId ?? '');
    const runs = spans.filter((s) => s.name === 'agent.run');
    assert.equal(runs.length, LOOPS);
    const inner = spans.filter((s) => String(s.attributes['gen_ai.response.id']).startsWith('resp-inner-'));
    assert.equal(inner.length, LOOPS);
    for (const span of inner) {
      const tag = String(span.attributes['gen_ai.response.id']).replace('resp-inner-', '');
      const toolSpan = parentOf(span);
      assert.equal(toolSpan?.name, 'execute_tool lookup');
      const run = toolSpan && parentOf(toolSpan);
      assert.equal(run?.name, 'agent.run');
      assert.equal(run && parentOf(run)?.name, tag, 'the loop of the same caller');
    }
    assert.ok(spans.every((s) => s.ended));
  });

  it('after it all, nothing is left open and the app context is untouched', () => {
    assert.equal(trace.getSpan(context.active()), undefined);
  });
});
