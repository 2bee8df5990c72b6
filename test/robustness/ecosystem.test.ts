/*
 * Side by side with the rest of the ecosystem: with the undici and http
 * instrumentations enabled, the SDK's HTTP request is a CLIENT span under our
 * generate_content span; with another tracer patching the same SDK (on the
 * prototype, on the client's fields, or through a Proxy, as peers do),
 * nothing crashes, the app gets the same, and our spans stay correct.
 */
import {
  finishedSpans,
  instrumentation,
  resetInstrumentation,
  resetSpans as resetSpansOnly,
  tracerProvider,
} from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { loadGenAI, plain, SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';

const genai = loadGenAI();
const MODEL = 'gemini-2.5-flash';
type AnyFn = (...args: unknown[]) => unknown;

describe(`side by side with other instrumentations (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  beforeEach(() => resetInstrumentation());

  const client = () => server.client();

  describe('instrumentation-undici and instrumentation-http', () => {
    let undici: UndiciInstrumentation;
    let http: HttpInstrumentation;
    before(() => {
      undici = new UndiciInstrumentation();
      http = new HttpInstrumentation();
      for (const other of [undici, http]) {
        other.setTracerProvider(tracerProvider);
        other.enable();
      }
    });
    after(() => {
      undici.disable();
      http.disable();
    });

    for (const stream of [false, true]) {
      it(`the HTTP client span is a child of the generate_content span (${stream ? 'stream' : 'unary'})`, async () => {
        const ai = client();
        if (stream) {
          for await (const _ of await ai.models.generateContentStream({ model: MODEL, contents: 'x' })) void _;
        } else {
          await ai.models.generateContent({ model: MODEL, contents: 'x' });
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        const spans = finishedSpans();
        const ours = spans.filter((s) => s.name === `generate_content ${MODEL}`);
        assert.equal(ours.length, 1);
        const httpSpans = spans.filter((s) => s.instrumentationScope.name.includes('undici'));
        assert.equal(
          httpSpans.length,
          1,
          `spans: ${spans.map((s) => `${s.name} (${s.instrumentationScope.name})`).join(', ')}`
        );
        const [httpSpan] = httpSpans;
        assert.equal(httpSpan.kind, SpanKind.CLIENT);
        assert.equal(httpSpan.attributes['http.request.method'], 'POST');
        assert.equal(httpSpan.parentSpanContext?.spanId, ours[0].spanContext().spanId);
        assert.equal(httpSpan.spanContext().traceId, ours[0].spanContext().traceId);
        // Our attributes are unchanged by the company.
        assert.equal(ours[0].attributes['gen_ai.usage.output_tokens'], 17);
      });
    }
  });

  describe('another tracer patching the same SDK', () => {
    const proto = genai.Models.prototype as unknown as Record<string, AnyFn>;
    const otherSpans: string[] = [];
    const saved = new Map<string, unknown>();

    /** Another tracer's wrap of a prototype method, as shimmer would do it (keeps its own original). */
    function wrapPrototype(name: string) {
      saved.set(name, proto[name]);
      const original = proto[name];
      proto[name] = function (this: unknown, ...args: unknown[]) {
        otherSpans.push(`other:${name}`);
        return original.apply(this, args);
      };
    }
    function restorePrototype() {
      for (const [name, fn] of saved) proto[name] = fn as AnyFn;
      saved.clear();
    }
    /** Another tracer's wrap of a client's instance fields, after construction (as dd-trace does). */
    function wrapInstance(ai: InstanceType<typeof genai.GoogleGenAI>) {
      const models = ai.models as unknown as Record<string, AnyFn>;
      for (const name of ['generateContent', 'generateContentStream']) {
        const original = models[name];
        models[name] = function (this: unknown, ...args: unknown[]) {
          otherSpans.push(`other:${name}`);
          return original.apply(this, args);
        };
      }
      return ai;
    }
    /** Another tracer's Proxy around the client's models (as Sentry does). */
    function proxied(ai: InstanceType<typeof genai.GoogleGenAI>) {
      const models = new Proxy(ai.models, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            otherSpans.push(`other:${String(key)}`);
            return (value as AnyFn).apply(target, args);
          };
        },
      });
      return { models };
    }

    beforeEach(() => (otherSpans.length = 0));
    afterEach(() => {
      restorePrototype();
      instrumentation.enable();
    });

    async function calls(ai: { models: InstanceType<typeof genai.GoogleGenAI>['models'] }) {
      const unary = plain(await ai.models.generateContent({ model: MODEL, contents: 'x' }));
      const chunks: unknown[] = [];
      for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: 'x' }))
        chunks.push(plain(c));
      return { unary, chunks };
    }

    const strip = (v: unknown) => JSON.parse(JSON.stringify(v).replace(/fake-[a-z0-9.-]+/g, 'ID'));

    function assertOurSpans() {
      const spans = finishedSpans();
      assert.deepEqual(
        spans.map((s) => [s.name, s.attributes['gen_ai.usage.output_tokens'], s.ended]),
        [
          [`generate_content ${MODEL}`, 17, true],
          [`generate_content ${MODEL}`, 17, true],
        ]
      );
    }

    let bare: unknown;
    before(async () => {
      instrumentation.disable();
      bare = strip(await calls(client()));
      instrumentation.enable();
    });

    it('patched on the prototype after us, and before us (disable, other patches, enable)', async () => {
      wrapPrototype('generateContentInternal');
      wrapPrototype('generateContentStreamInternal');
      assert.deepEqual(strip(await calls(client())), bare);
      assertOurSpans();
      assert.deepEqual(otherSpans, ['other:generateContentInternal', 'other:generateContentStreamInternal']);
      // Our disable() cannot take our wrapper out from under theirs: it passes through instead.
      instrumentation.disable();
      resetSpansOnly();
      assert.deepEqual(strip(await calls(client())), bare);
      assert.equal(finishedSpans().length, 0);
      instrumentation.enable();
      resetSpansOnly();

      // Now the other wrapper sits under ours.
      restorePrototype();
      instrumentation.disable();
      wrapPrototype('generateContentInternal');
      const othersWrapper = proto.generateContentInternal;
      instrumentation.enable();
      resetInstrumentation();
      otherSpans.length = 0;
      assert.deepEqual(strip(await calls(client())), bare);
      assertOurSpans();
      assert.deepEqual(otherSpans, ['other:generateContentInternal']);
      // Our disable() restores what was there, the other tracer's wrapper included.
      instrumentation.disable();
      assert.equal(proto.generateContentInternal, othersWrapper);
    });

    it("wrapping the client's instance fields after construction", async () => {
      assert.deepEqual(strip(await calls(wrapInstance(client()))), bare);
      assertOurSpans();
      assert.deepEqual(otherSpans, ['other:generateContent', 'other:generateContentStream']);
    });

    it('a Proxy around the client', async () => {
      assert.deepEqual(strip(await calls(proxied(client()))), bare);
      assertOurSpans();
      assert.deepEqual(otherSpans, ['other:generateContent', 'other:generateContentStream']);
    });
  });
});
