/*
 * The zero-code path, in child processes: an unmodified CJS or ESM app,
 * preloaded with --require or --import, exports exactly one correct span per
 * round trip over OTLP/HTTP (JSON and protobuf), behaves exactly as without
 * the preload (output, exit code, signals), and leaks no API key.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SDK_MAJOR, SDK_VERSION } from '../utils/genai';
import {
  APPS_DIR,
  appResult,
  childEnv,
  collect,
  PACKAGE_NAME,
  prepareApps,
  runApp,
  startApp,
  type Preload,
} from '../utils/child';
import { startOtlpReceiver, type OtlpReceiver } from '../utils/otlp-receiver';
import { withFakeGemini } from '../utils/with-fake-gemini';

const API_KEY = 'child-key-MUST-NOT-LEAK-77c1';

describe(`preload: node --require/--import .../register (@google/genai ${SDK_VERSION})`, function () {
  this.timeout(60000);
  const gemini = withFakeGemini((req) =>
    req.model === 'gemini-missing'
      ? {
          status: 404,
          body: { error: { code: 404, message: 'models/gemini-missing is not found.', status: 'NOT_FOUND' } },
        }
      : undefined
  );
  let receiver: OtlpReceiver;

  before(() => prepareApps());
  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });
  afterEach(async () => {
    await receiver?.close();
  });

  function env(protocol: string, extra: Record<string, string> = {}): Record<string, string> {
    return {
      FAKE_GEMINI_URL: gemini.url,
      APP_API_KEY: API_KEY,
      OTEL_SERVICE_NAME: 'fixture-app',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_NODE_RESOURCE_DETECTORS: 'env,host,process',
      ...extra,
    };
  }

  function assertNoKeyLeaves(): void {
    assert.ok(receiver.received.length > 0, 'something was exported');
    for (const r of receiver.received) {
      assert.equal(r.body.includes(API_KEY), false, `API key in ${r.path}`);
    }
  }

  // The Interactions API (2.x and 3.x), CJS under --require and ESM under --import.
  for (const [app, preload] of [
    ['interactions.cjs', '--require'],
    ['interactions.mjs', '--import'],
  ] as Array<[string, Preload]>) {
    (SDK_MAJOR === '1' ? it.skip : it)(
      `${app} with ${preload}: the Interactions API, a span per round trip, same output`,
      async () => {
        const bare = await runApp(app, 'none', env('http/json'));
        assert.equal(bare.code, 0, bare.stderr);
        const traced = await runApp(app, preload, env('http/json'));
        assert.equal(traced.code, 0, traced.stderr);
        const strip = (r: unknown) => JSON.parse(JSON.stringify(r).replace(/int-\d+/g, 'ID'));
        assert.deepEqual(strip(appResult(traced)), strip(appResult(bare)));
        const spans = receiver.spans();
        assert.deepEqual(
          spans.map((s) => [
            s.name,
            s.kind,
            s.attributes['gen_ai.operation.name'],
            s.attributes['gcp.gen_ai.stream.outcome'],
          ]),
          [
            ['generate_content gemini-2.5-flash', 3, 'generate_content', undefined],
            ['generate_content gemini-2.5-flash', 3, 'generate_content', 'completed'],
            ['invoke_agent deep-research-pro-preview-12-2025', 3, 'invoke_agent', undefined],
            ['fetch_response', 3, 'fetch_response', undefined],
          ]
        );
        assert.equal(spans[0].attributes['gen_ai.usage.input_tokens'], 8);
        assert.equal(spans[1].attributes['gen_ai.response.chunk_count'], 7);
        assertNoKeyLeaves();
      }
    );
  }

  const matrix: Array<[string, Preload, string, string]> = [
    ['app.cjs', '--require', 'http/json', 'gemini'],
    ['app.mjs', '--import', 'http/json', 'gemini'],
    ['app.mjs', '--require', 'http/json', 'vertex'],
    ['app.cjs', '--import', 'http/json', 'vertex'],
  ];
  for (const [app, preload, protocol, mode] of matrix) {
    it(`${app} with ${preload}, ${mode} mode, ${protocol}: one exact span per round trip, same output`, async () => {
      const bare = await runApp(app, 'none', env(protocol, { GEMINI_MODE: mode }));
      assert.equal(bare.code, 0, bare.stderr);
      const traced = await runApp(app, preload, env(protocol, { GEMINI_MODE: mode }));
      assert.equal(traced.code, 0, traced.stderr);
      const result = appResult(traced) as { generate: { responseId: string } };
      // Same output but for the response ids the server makes up per call.
      const strip = (r: unknown) => JSON.parse(JSON.stringify(r).replace(/fake-[a-z0-9.-]+/g, 'ID'));
      assert.deepEqual(strip(result), strip(appResult(bare)));

      const provider = mode === 'vertex' ? 'gcp.vertex_ai' : 'gcp.gemini';
      const server = { 'server.address': '127.0.0.1', 'server.port': gemini.port };
      const all = receiver.spans();
      // The function-calling loop is its own trace; checked after the plain calls.
      const loopTrace = all.find((s) => s.name === 'agent.run')?.traceId;
      assert.ok(loopTrace, 'an agent.run was exported');
      const spans = all.filter((s) => s.traceId !== loopTrace);
      assert.deepEqual(
        spans.map((s) => ({
          name: s.name,
          kind: s.kind,
          scope: s.scope,
          attributes: s.attributes,
          status: s.status.code ?? 0,
        })),
        [
          {
            name: 'generate_content gemini-2.5-flash',
            kind: 3, // CLIENT in OTLP's enum
            scope: 'opentelemetry-instrumentation-google-genai',
            attributes: {
              'gen_ai.operation.name': 'generate_content',
              'gen_ai.provider.name': provider,
              'gen_ai.request.model': 'gemini-2.5-flash',
              ...server,
              'gen_ai.request.temperature': 0.3,
              'gen_ai.request.max_tokens': 100,
              'gen_ai.output.type': 'text',
              'gen_ai.usage.input_tokens': 8,
              'gen_ai.usage.output_tokens': 17,
              'gen_ai.usage.reasoning.output_tokens': 12,
              'gen_ai.response.id': result.generate.responseId,
              'gen_ai.response.model': 'gemini-2.5-flash-001',
              'gen_ai.cost.usd': (8 * 0.3 + 0 * 0.03 + 17 * 2.5) / 1e6,
              'gen_ai.response.finish_reasons': ['STOP'],
            },
            status: 0,
          },
          {
            name: 'generate_content gemini-2.5-pro',
            kind: 3,
            scope: 'opentelemetry-instrumentation-google-genai',
            attributes: {
              'gen_ai.operation.name': 'generate_content',
              'gen_ai.provider.name': provider,
              'gen_ai.request.model': 'gemini-2.5-pro',
              ...server,
              'gen_ai.output.type': 'text',
              'gen_ai.usage.input_tokens': 8,
              'gen_ai.usage.output_tokens': 17,
              'gen_ai.usage.reasoning.output_tokens': 12,
              'gen_ai.response.id': spans[1]?.attributes['gen_ai.response.id'],
              'gen_ai.response.model': 'gemini-2.5-pro-001',
              'gen_ai.cost.usd': (8 * 1.25 + 0 * 0.125 + 17 * 10) / 1e6,
              'gen_ai.response.finish_reasons': ['STOP'],
            },
            status: 0,
          },
          {
            name: 'generate_content gemini-2.5-flash-lite',
            kind: 3,
            scope: 'opentelemetry-instrumentation-google-genai',
            attributes: {
              'gen_ai.operation.name': 'generate_content',
              'gen_ai.provider.name': provider,
              'gen_ai.request.model': 'gemini-2.5-flash-lite',
              ...server,
              'gen_ai.output.type': 'text',
              'gen_ai.request.stream': true,
              'gen_ai.usage.input_tokens': 8,
              'gen_ai.usage.output_tokens': 17,
              'gen_ai.usage.reasoning.output_tokens': 12,
              'gen_ai.response.id': spans[2]?.attributes['gen_ai.response.id'],
              'gen_ai.response.model': 'gemini-2.5-flash-lite-001',
              'gen_ai.cost.usd': (8 * 0.1 + 0 * 0.01 + 17 * 0.4) / 1e6,
              'gen_ai.response.finish_reasons': ['STOP'],
              'gen_ai.response.chunk_count': 3,
              'gen_ai.response.time_to_first_chunk': spans[2]?.attributes['gen_ai.response.time_to_first_chunk'],
              'gcp.gen_ai.stream.outcome': 'completed',
            },
            status: 0,
          },
          {
            name: 'generate_content gemini-2.0-flash',
            kind: 3,
            scope: 'opentelemetry-instrumentation-google-genai',
            attributes: {
              'gen_ai.operation.name': 'generate_content',
              'gen_ai.provider.name': provider,
              'gen_ai.request.model': 'gemini-2.0-flash',
              ...server,
              'gen_ai.output.type': 'text',
              'gen_ai.request.stream': true,
              'gen_ai.usage.input_tokens': 8,
              'gen_ai.usage.output_tokens': 17,
              'gen_ai.usage.reasoning.output_tokens': 12,
              'gen_ai.response.id': spans[3]?.attributes['gen_ai.response.id'],
              'gen_ai.response.model': 'gemini-2.0-flash-001',
              // gemini-2.0-flash has its own Vertex AI price.
              'gen_ai.cost.usd':
                mode === 'vertex' ? (8 * 0.15 + 0 * 0.0375 + 17 * 0.6) / 1e6 : (8 * 0.1 + 0 * 0.025 + 17 * 0.4) / 1e6,
              'gen_ai.response.chunk_count': 1,
              'gen_ai.response.time_to_first_chunk': spans[3]?.attributes['gen_ai.response.time_to_first_chunk'],
              'gcp.gen_ai.stream.outcome': 'cut_short',
              // Cut short: `error` where a finish reason never came.
              'gen_ai.response.finish_reasons': ['error'],
            },
            status: 0,
          },
          {
            name: 'generate_content gemini-missing',
            kind: 3,
            scope: 'opentelemetry-instrumentation-google-genai',
            attributes: {
              'gen_ai.operation.name': 'generate_content',
              'gen_ai.provider.name': provider,
              'gen_ai.request.model': 'gemini-missing',
              ...server,
              'gen_ai.output.type': 'text',
              'error.type': '404',
              'gen_ai.response.finish_reasons': ['error'],
            },
            status: 2, // ERROR
          },
        ]
      );
      assert.match(String(spans[1].attributes['gen_ai.response.id']), /^fake-gemini-2\.5-pro-/);
      for (const resource of receiver.resources()) assert.equal(resource['service.name'], 'fixture-app');

      const loop = all.filter((s) => s.traceId === loopTrace);
      const run = loop.find((s) => s.name === 'agent.run')!;
      assert.equal(run.kind, 1); // INTERNAL
      assert.deepEqual(run.attributes, {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.provider.name': provider,
        'gen_ai.request.model': 'gemini-2.5-flash',
        'gen_ai.usage.input_tokens': 16,
        'gen_ai.usage.output_tokens': 34,
        'gen_ai.usage.reasoning.output_tokens': 24,
        'gcp.gen_ai.agent.inference_calls': 2,
        'gcp.gen_ai.agent.tool_calls': 1,
        'gcp.gen_ai.agent.max_remote_calls_reached': false,
        'gen_ai.cost.usd': (8 * 0.3 + 0 * 0.03 + 17 * 2.5) / 1e6 + (8 * 0.3 + 0 * 0.03 + 17 * 2.5) / 1e6,
      });
      const children = loop.filter((s) => s.parentSpanId === run.spanId);
      assert.deepEqual(children.map((s) => s.name).sort(), [
        'execute_tool get_weather',
        'generate_content gemini-2.5-flash',
        'generate_content gemini-2.5-flash',
      ]);
      assert.equal(loop.length, 4);
      assert.equal(
        children.find((s) => s.name === 'execute_tool get_weather')?.attributes['gen_ai.tool.description'],
        'Weather in a city'
      );
      const ttfc = spans[2].attributes['gen_ai.response.time_to_first_chunk'] as number;
      assert.ok(ttfc > 0 && ttfc < 5, `time to first chunk ${ttfc}`);
      assert.deepEqual(
        spans[2].events.map((e) => e.name),
        ['first_token']
      );
      assert.deepEqual(
        spans[4].events.map((e) => e.name),
        ['exception']
      );
      // Metrics through the preload's meter provider (OTEL_METRICS_EXPORTER=otlp), flushed at exit.
      const metricNames = new Set(
        receiver.received
          .filter((r) => r.path === '/v1/metrics')
          .flatMap((r) => JSON.parse(r.body.toString('utf8')).resourceMetrics ?? [])
          .flatMap((rm: { scopeMetrics?: Array<{ metrics?: Array<{ name: string }> }> }) => rm.scopeMetrics ?? [])
          .flatMap((sm: { metrics?: Array<{ name: string }> }) => sm.metrics ?? [])
          .map((m: { name: string }) => m.name)
      );
      assert.deepEqual([...metricNames].sort(), [
        'gcp.gen_ai.client.finish_reasons',
        'gen_ai.client.cost',
        'gen_ai.client.operation.duration',
        'gen_ai.client.operation.time_per_output_chunk',
        'gen_ai.client.operation.time_to_first_chunk',
        'gen_ai.client.token.usage',
        'gen_ai.execute_tool.duration',
        'gen_ai.invoke_agent.duration',
        'gen_ai.invoke_agent.inference_calls',
        'gen_ai.invoke_agent.tool_calls',
      ]);
      assertNoKeyLeaves();
    });
  }

  it('exports OTLP/HTTP protobuf (the default protocol)', async () => {
    const run = await runApp('app.mjs', '--import', env('http/protobuf'));
    assert.equal(run.code, 0, run.stderr);
    const traces = receiver.received.filter((r) => r.path === '/v1/traces');
    assert.ok(traces.length > 0);
    assert.equal(traces[0].contentType, 'application/x-protobuf');
    const body = Buffer.concat(traces.map((t) => t.body));
    for (const text of [
      'generate_content gemini-2.5-flash',
      'generate_content gemini-2.5-pro',
      'gcp.gemini',
      'gen_ai.usage.output_tokens',
    ]) {
      assert.ok(body.includes(text), `${text} in the protobuf payload`);
    }
    assertNoKeyLeaves();
  });

  it('content capture from the environment: events exported through the logs pipeline, nothing on spans', async () => {
    const run = await runApp(
      'app.mjs',
      '--import',
      env('http/json', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'EVENT_ONLY' })
    );
    assert.equal(run.code, 0, run.stderr);
    const logs = receiver.received
      .filter((r) => r.path === '/v1/logs')
      .flatMap((r) => JSON.parse(r.body.toString('utf8')).resourceLogs ?? [])
      .flatMap((rl: { scopeLogs?: Array<{ logRecords?: unknown[] }> }) => rl.scopeLogs ?? [])
      .flatMap((sl: { logRecords?: unknown[] }) => sl.logRecords ?? []) as Array<{
      eventName?: string;
      spanId?: string;
      attributes?: Array<{ key: string }>;
    }>;
    const details = logs.filter((l) => l.eventName === 'gen_ai.client.inference.operation.details');
    // One per round trip: plain, chat, two streams, two loop round trips, the failed call.
    assert.equal(details.length, 7);
    const spanIds = new Set(receiver.spans().map((s) => s.spanId));
    for (const d of details) {
      assert.ok(spanIds.has(d.spanId!), 'correlated with an exported span');
      assert.ok(d.attributes?.some((a) => a.key === 'gen_ai.input.messages'));
    }
    for (const span of receiver.spans()) assert.equal('gen_ai.input.messages' in span.attributes, false);
    assertNoKeyLeaves();
  });

  it("keeps the app's exit code", async () => {
    const bare = await runApp('app.cjs', 'none', env('http/json', { APP_EXIT_CODE: '3' }));
    const traced = await runApp('app.cjs', '--require', env('http/json', { APP_EXIT_CODE: '3' }));
    assert.equal(bare.code, 3);
    assert.equal(traced.code, 3);
    assert.equal(receiver.spans().length, 9);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`flushes on ${signal} and still dies by it, as without the preload`, async () => {
      const outcome = async (preload: Preload) => {
        const child = startApp('app.mjs', preload, env('http/json', { APP_WAIT: '1' }));
        const done = collect(child);
        await new Promise<void>((resolve) => {
          child.stdout!.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
        });
        child.kill(signal);
        return done;
      };
      const bare = await outcome('none');
      const traced = await outcome('--require');
      assert.equal(bare.signal, signal);
      assert.equal(traced.signal, signal);
      assert.equal(traced.code, bare.code);
      assert.equal(receiver.spans().length, 9, 'spans flushed before exit');
    });
  }

  it('exits promptly when the backend refuses connections', async () => {
    const closed = receiver.url;
    await receiver.close();
    const run = await runApp('app.cjs', '--require', { ...env('http/json'), OTEL_EXPORTER_OTLP_ENDPOINT: closed });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(appResult(run));
    // The exporter's own timeout is 10 s; we allow the documented 2 s and slack for a slow machine.
    assert.ok(run.ms < 7000, `took ${run.ms} ms`);
  });

  it('exits promptly, with the exit code, when the backend hangs', async () => {
    const hanging = await startOtlpReceiver('hang');
    try {
      const run = await runApp('app.cjs', '--require', {
        ...env('http/json', { APP_EXIT_CODE: '4' }),
        OTEL_EXPORTER_OTLP_ENDPOINT: hanging.url,
      });
      assert.equal(run.code, 4, run.stderr);
      assert.ok(hanging.received.length > 0, 'the export was attempted');
      assert.ok(run.ms < 7000, `took ${run.ms} ms`);
    } finally {
      await hanging.close();
    }
  });

  describe('one SDK per process, whatever the flags', () => {
    const PROBE = './sdk-probe.cjs';
    interface ProbeLine {
      thread: number;
      main: boolean;
      globals: string[];
    }
    // import-in-the-middle's in-thread hooks where this Node runs them (22.22.3+, 24.11.1+): then no loader thread at all.
    let inThread = false;
    before(async () => {
      const hooks = (await import(
        require.resolve('import-in-the-middle/supports-sync-hooks.mjs', {
          paths: [require.resolve('@opentelemetry/instrumentation')],
        })
      )) as { supportsSyncHooks(): boolean };
      inThread = hooks.supportsSyncHooks();
    });

    async function probed(app: string, flags: string[], extra: Record<string, string> = {}) {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'sdk-probe-')), 'probe.jsonl');
      const child = spawn(process.execPath, [...flags, '--require', PROBE, app], {
        cwd: APPS_DIR,
        env: childEnv({ ...env('http/json'), SDK_PROBE_FILE: file, ...extra }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const run = await collect(child);
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ProbeLine);
      return { run, lines, withSdk: lines.filter((l) => l.globals.includes('context')) };
    }

    const REGISTER = `${PACKAGE_NAME}/register`;
    const combinations: Array<[string, string[]]> = [
      ['app.cjs', ['--require', REGISTER]],
      ['app.cjs', ['--import', REGISTER]],
      ['app.mjs', ['--require', REGISTER]],
      ['app.mjs', ['--import', REGISTER]],
      ['app.cjs', ['--require', REGISTER, '--import', REGISTER]],
      ['app.mjs', ['--require', REGISTER, '--import', REGISTER]],
    ];
    for (const [app, flags] of combinations) {
      it(`${app} with ${flags.filter((f) => f.startsWith('--')).join(' ')}: an SDK in the main thread only, no warning, every span`, async () => {
        const { run, lines, withSdk } = await probed(app, flags);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(
          withSdk.map((l) => l.thread),
          [0],
          `threads with an SDK: ${JSON.stringify(lines)}`
        );
        assert.deepEqual(withSdk[0].globals, ['context', 'metrics', 'propagation', 'trace']);
        // Without in-thread hooks Node starts its loader thread, and runs our --require preload there too: it must do nothing.
        if (inThread)
          assert.deepEqual(
            lines.map((l) => l.thread),
            [0],
            'no loader-hooks thread'
          );
        else if (flags[0] === '--require')
          assert.ok(
            lines.some((l) => !l.main),
            'the probe ran in the loader-hooks thread'
          );
        assert.equal(run.stderr, '', 'nothing on stderr (no import-in-the-middle warning)');
        // ESM and CJS imports of @google/genai are both patched: 9 spans, as in the matrix above.
        assert.equal(receiver.spans().length, 9);
      });
    }

    it('a worker thread the app starts is traced by an SDK of its own (the loader thread gets none)', async () => {
      const { run, withSdk } = await probed('worker-app.cjs', ['--require', REGISTER]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(withSdk.map((l) => l.main).sort(), [false, true]);
      assert.ok(appResult(run));
      const workerThread = withSdk.find((l) => !l.main)!.thread;
      assert.ok(workerThread > 0);
      assert.equal(receiver.spans().length, 9, "the worker's calls are exported");
    });

    it('the Prometheus exporter answers a scrape under --require (one SDK binds its port)', async () => {
      const port = await freePort();
      const child = startApp('app.cjs', '--require', {
        ...env('http/json', { APP_WAIT: '1' }),
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        OTEL_LOG_LEVEL: 'info',
      });
      const done = collect(child);
      await new Promise<void>((resolve) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
      });
      try {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(res.status, 200);
        const text = await res.text();
        // Three round trips of gemini-2.5-flash: the plain call and the loop's two.
        assert.match(
          text,
          /^gen_ai_client_operation_duration(_seconds)?_count\{[^}]*gen_ai_request_model="gemini-2\.5-flash"[^}]*\} 3$/m
        );
        assert.match(text, /^gen_ai_client_token_usage_/m);
      } finally {
        child.kill('SIGTERM');
      }
      const run = await done;
      assert.doesNotMatch(run.stderr, /EADDRINUSE/);
    });
  });

  it('registers once when both --require and --import name it', async () => {
    const both = spawn(
      process.execPath,
      ['--require', `${PACKAGE_NAME}/register`, '--import', `${PACKAGE_NAME}/register`, 'app.mjs'],
      { cwd: APPS_DIR, env: childEnv(env('http/json')), stdio: ['ignore', 'pipe', 'pipe'] }
    );
    const run = await collect(both);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(receiver.spans().length, 9);
  });
});

/** A loopback port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
