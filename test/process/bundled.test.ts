/*
 * A bundled app, end to end: esbuild inlines @google/genai into one file
 * (examples/bundled/app.mjs), so module hooks never see it load; the app's
 * two lines (instrument(genai)) still give one exported span per call.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { SDK_MAJOR } from '../utils/genai';
import { REPO_ROOT } from '../utils/paths';
import { childEnv, collect } from '../utils/child';
import { startOtlpReceiver, type OtlpReceiver } from '../utils/otlp-receiver';
import { withFakeGemini } from '../utils/with-fake-gemini';

// The example bundles the project's own @google/genai (3.x): once per suite run is enough.
(SDK_MAJOR === '3' ? describe : describe.skip)('a bundled app (esbuild)', function () {
  this.timeout(60000);
  const gemini = withFakeGemini();
  let receiver: OtlpReceiver;
  const outfile = path.join(REPO_ROOT, 'build', 'bundled-example', 'app.mjs');

  before(async () => {
    receiver = await startOtlpReceiver();
    await build({
      entryPoints: [path.join(REPO_ROOT, 'examples', 'bundled', 'app.mjs')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      external: ['@opentelemetry/*', 'google-auth-library', 'ws', 'p-retry'],
      alias: { 'opentelemetry-instrumentation-google-genai': path.join(REPO_ROOT, 'build', 'esm', 'index.js') },
      logLevel: 'silent',
    });
  });
  after(async () => {
    await receiver?.close();
  });

  it('the SDK is inlined, and instrument(genai) traces it: one exported generate_content span', async () => {
    const bundle = readFileSync(outfile, 'utf8');
    assert.ok(bundle.includes('generateContentInternal'), 'the SDK is inside the bundle');
    const run = await collect(
      spawn(process.execPath, [outfile], {
        cwd: REPO_ROOT,
        env: childEnv({
          FAKE_GEMINI_URL: gemini.url,
          OTEL_SERVICE_NAME: 'bundled-app',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Hello from gemini-2\.5-flash\./);
    const spans = receiver.spans();
    assert.deepEqual(
      spans.map((s) => [s.name, s.attributes['gen_ai.provider.name'], s.attributes['gen_ai.usage.output_tokens']]),
      [['generate_content gemini-2.5-flash', 'gcp.gemini', 17]]
    );
  });
});
