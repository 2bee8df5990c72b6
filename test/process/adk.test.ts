/*
 * Google's ADK (@google/adk 2.0, pinned in test/frameworks/adk with its own
 * lockfile) drives @google/genai itself and emits spans of its own. An
 * unmodified ADK app, preloaded, against the loopback Gemini server: our
 * generate_content spans nest under ADK's call_llm, with no duplicate and no
 * agent.run (the SDK does not run ADK's loop); a streamed round trip ends at
 * its last chunk although ADK runs its tool before it reads on; the answering
 * round trip links to the asking one; and no prompt, answer or tool text
 * leaves the process by default, ADK's spans included.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { SDK_MAJOR } from '../utils/genai';
import { childEnv, collect, PACKAGE_NAME, appResult } from '../utils/child';
import { REPO_ROOT } from '../utils/paths';
import { startOtlpReceiver, type ExportedSpan, type OtlpReceiver } from '../utils/otlp-receiver';
import { withFakeGemini } from '../utils/with-fake-gemini';

const ADK_DIR = path.join(REPO_ROOT, 'test', 'frameworks', 'adk');
const installed = existsSync(path.join(ADK_DIR, 'node_modules', '@google', 'adk', 'package.json'));
const API_KEY = 'adk-key-MUST-NOT-LEAK-91d2';
const TOOL_MS = 400;
const CLIENT = 3;
const INTERNAL = 1;

// Once per Node version (in the newest major's pass): ADK brings its own @google/genai.
(SDK_MAJOR === '3' && installed ? describe : describe.skip)(
  'Google ADK (@google/adk 2.x) under the preload',
  function () {
    this.timeout(60000);
    const gemini = withFakeGemini();
    let receiver: OtlpReceiver;

    before(async () => {
      const link = path.join(ADK_DIR, 'node_modules', PACKAGE_NAME);
      if (!existsSync(link)) symlinkSync(REPO_ROOT, link, 'dir');
    });
    beforeEach(async () => {
      receiver = await startOtlpReceiver();
    });
    afterEach(() => receiver?.close());

    async function run(app: string, preload: string, extra: Record<string, string> = {}) {
      const child = spawn(process.execPath, [preload, `${PACKAGE_NAME}/register`, app], {
        cwd: ADK_DIR,
        env: childEnv({
          GOOGLE_GEMINI_BASE_URL: gemini.url,
          GEMINI_API_KEY: API_KEY,
          TOOL_MS: String(TOOL_MS),
          OTEL_SERVICE_NAME: 'adk-app',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_METRICS_EXPORTER: 'otlp',
          OTEL_LOGS_EXPORTER: 'otlp',
          ...extra,
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const result = await collect(child);
      assert.equal(result.code, 0, result.stderr);
      return result;
    }

    const ms = (s: ExportedSpan) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6;

    for (const [app, preload] of [
      ['agent.cjs', '--require'],
      ['agent.mjs', '--import'],
    ] as const) {
      it(`${app} with ${preload}: our round trips under call_llm, streams end at their last chunk, links, no text exported`, async () => {
        const result = await run(app, preload);
        assert.deepEqual(appResult(result), {
          unary: { texts: ['Hello from gemini-2.5-flash.'], calls: ['get_weather'] },
          sse: { texts: ['Hello from gemini-2.5-flash.'], calls: ['get_weather'] },
        });
        const spans = receiver.spans();
        const byId = new Map(spans.map((s) => [s.spanId, s]));
        const ours = spans.filter((s) => s.scope === PACKAGE_NAME);
        // Two turns of two round trips each; nothing else of ours (no agent.run, no execute_tool: ADK runs the loop).
        assert.deepEqual(
          ours.map((s) => s.name),
          Array(4).fill('generate_content gemini-2.5-flash')
        );
        assert.equal(new Set(ours.map((s) => s.spanId)).size, 4);
        for (const s of ours) {
          assert.equal(s.kind, CLIENT);
          const parent = byId.get(s.parentSpanId!);
          assert.equal(parent?.name, 'call_llm', "our span is a child of ADK's LLM span");
          assert.equal(parent.scope, 'gcp.vertex.agent');
          assert.equal(parent.kind, INTERNAL);
        }
        for (const turn of [false, true]) {
          const [asked, answered] = ours
            .filter((s) => (s.attributes['gen_ai.request.stream'] === true) === turn)
            .sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
          assert.ok(asked && answered, `two round trips in the ${turn ? 'streamed' : 'unary'} turn`);
          assert.equal(asked.traceId, answered.traceId);
          assert.deepEqual(answered.links, [{ traceId: asked.traceId, spanId: asked.spanId }]);
          assert.deepEqual(asked.links, []);
          const tool = spans.find(
            (s) =>
              s.traceId === asked.traceId && s.name === 'execute_tool get_weather' && s.scope === 'gcp.vertex.agent'
          );
          assert.ok(tool && ms(tool) >= TOOL_MS - 5, 'ADK ran the tool');
          if (turn) {
            // ADK runs the tool after the stream's last chunk and before it reads the stream's end.
            assert.equal(asked.attributes['gcp.gen_ai.stream.outcome'], 'completed');
            assert.ok(tool.startTimeUnixNano >= asked.endTimeUnixNano, 'the stream span ended before the tool ran');
            assert.ok(ms(asked) < TOOL_MS / 2, `streamed round trip took ${ms(asked)} ms`);
            assert.ok(ms(byId.get(asked.parentSpanId!)!) >= TOOL_MS, "ADK's call_llm does include the tool");
          }
        }
        // Privacy: ADK's content attributes are empty, and no text is in anything exported.
        for (const s of spans.filter((x) => x.scope === 'gcp.vertex.agent')) {
          for (const key of [
            'gcp.vertex.agent.llm_request',
            'gcp.vertex.agent.llm_response',
            'gcp.vertex.agent.tool_call_args',
            'gcp.vertex.agent.tool_response',
          ]) {
            if (key in s.attributes) assert.equal(s.attributes[key], '{}', `${s.name} ${key}`);
          }
        }
        assert.ok(receiver.received.some((r) => r.path === '/v1/metrics'));
        for (const r of receiver.received) {
          const body = r.body.toString('utf8');
          for (const text of ['SECRET-PROMPT', 'What is the weather', 'Hello from', 'sky', API_KEY]) {
            assert.equal(body.includes(text), false, `${text} in ${r.path}`);
          }
        }
      });
    }

    it("never overrides the user's own ADK content switch", async () => {
      await run('agent.cjs', '--require', { ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS: 'true' });
      const llm = receiver.spans().find((s) => s.name === 'call_llm');
      assert.match(String(llm?.attributes['gcp.vertex.agent.llm_request']), /SECRET-PROMPT-unary/);
      // Ours still records nothing: our capture is off.
      for (const s of receiver.spans().filter((x) => x.scope === PACKAGE_NAME)) {
        assert.equal('gen_ai.input.messages' in s.attributes, false);
      }
    });

    it('our content capture on: the framework keeps its own default', async () => {
      await run('agent.cjs', '--require', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'SPAN_ONLY' });
      const llm = receiver.spans().find((s) => s.name === 'call_llm');
      assert.match(String(llm?.attributes['gcp.vertex.agent.llm_request']), /SECRET-PROMPT-unary/);
      const ours = receiver.spans().find((s) => s.scope === PACKAGE_NAME);
      assert.match(String(ours?.attributes['gen_ai.input.messages']), /SECRET-PROMPT-unary/);
    });
  }
);
