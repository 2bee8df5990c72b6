/*
 * The local trace viewer's receiver and API: export requests from the real
 * OTLP exporters (protobuf and JSON), the loopback-only binding, the bound on
 * stored traces, and the `view` command with a preloaded app, as a new user
 * would run them. The page itself is tested in Chromium (viewer-browser.test.ts).
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPLogExporter as ProtoLogs } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogs } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as ProtoMetrics } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonMetrics } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter as ProtoTraces } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraces } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startViewer, type Viewer } from '../../src/viewer/server';
import { appResult, childEnv, prepareApps, runApp } from '../utils/child';
import { SDK_MAJOR } from '../utils/genai';
import { REPO_ROOT } from '../utils/paths';
import { withFakeGemini } from '../utils/with-fake-gemini';

const resource = resourceFromAttributes({ 'service.name': 'viewer-test' });

type Answer = { status: number; body: string };

function send(method: string, url: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const get = (url: string, headers: Record<string, string> = {}) => send('GET', url, headers);
const post = (url: string, body: Buffer | string, headers: Record<string, string>) => send('POST', url, headers, body);

/** The model call's attributes, as sent: the viewer must give back exactly these. */
const CLIENT_ATTRIBUTES = {
  'gen_ai.operation.name': 'generate_content',
  'gen_ai.request.model': 'gemini-2.5-flash',
  'gen_ai.usage.input_tokens': 8,
  'gen_ai.usage.output_tokens': 17,
  'gen_ai.cost.usd': 0.0000449,
  'gen_ai.response.finish_reasons': ['STOP'],
  'gen_ai.request.stream': true,
};

/** One trace through the real SDK and an exporter: a server span, a model call under it with an event, a failed span. */
async function exportTrace(exporter: ProtoTraces | JsonTraces): Promise<{ traceId: string; clientId: string }> {
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('viewer-test-scope');
  const root = tracer.startSpan('POST /api/ask', { kind: SpanKind.SERVER, attributes: { 'http.route': '/api/ask' } });
  const ctx = trace.setSpan(context.active(), root);
  const client = tracer.startSpan(
    'generate_content gemini-2.5-flash',
    {
      kind: SpanKind.CLIENT,
      attributes: CLIENT_ATTRIBUTES,
      links: [{ context: root.spanContext() }],
    },
    ctx
  );
  client.addEvent('first_token', { chunks: 1 });
  client.end();
  const failed = tracer.startSpan('execute_tool get_weather', { kind: SpanKind.INTERNAL }, ctx);
  failed.setStatus({ code: SpanStatusCode.ERROR, message: 'no weather' });
  failed.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: root.spanContext().traceId, clientId: client.spanContext().spanId };
}

async function exportMetrics(exporter: ProtoMetrics | JsonMetrics): Promise<void> {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('viewer-test-scope');
  const m = { 'gen_ai.request.model': 'gemini-2.5-flash', 'gen_ai.response.model': 'gemini-2.5-flash-001' };
  const tokens = meter.createHistogram('gen_ai.client.token.usage');
  tokens.record(8, { ...m, 'gen_ai.token.type': 'input' });
  tokens.record(17, { ...m, 'gen_ai.token.type': 'output' });
  meter.createHistogram('gen_ai.client.operation.duration').record(0.2, m);
  meter.createCounter('gen_ai.client.cost').add(0.0000449, { ...m, 'enduser.id': 'f69fb80ff96b2a21' });
  await provider.forceFlush();
  await provider.shutdown();
}

async function exportLog(exporter: ProtoLogs | JsonLogs, traceId: string, spanId: string): Promise<void> {
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
  const spanContext = { traceId, spanId, traceFlags: 1 };
  provider.getLogger('viewer-test-scope').emit({
    eventName: 'gen_ai.client.inference.operation.details',
    attributes: { 'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"Blue."}]}]' },
    body: { kvlist: 'yes' },
    context: trace.setSpanContext(context.active(), spanContext),
  });
  await provider.forceFlush();
  await provider.shutdown();
}

describe('viewer: the OTLP receiver and the API behind the page', function () {
  this.timeout(30000);
  let viewer: Viewer;
  beforeEach(async () => {
    viewer = await startViewer({ otlpPort: 0, port: 0 });
  });
  afterEach(async () => {
    await viewer?.close();
  });

  const encodings = [
    ['protobuf', ProtoTraces, ProtoMetrics, ProtoLogs],
    ['JSON', JsonTraces, JsonMetrics, JsonLogs],
  ] as const;
  for (const [encoding, Traces, Metrics, Logs] of encodings) {
    it(`takes traces, metrics and logs from the real OTLP exporters (${encoding})`, async () => {
      const { traceId, clientId } = await exportTrace(new Traces({ url: `${viewer.otlpUrl}/v1/traces` }));
      await exportMetrics(new Metrics({ url: `${viewer.otlpUrl}/v1/metrics` }));
      await exportLog(new Logs({ url: `${viewer.otlpUrl}/v1/logs` }), traceId, clientId);

      const list = JSON.parse((await get(`${viewer.url}/api/traces`)).body);
      assert.equal(list.otlpUrl, viewer.otlpUrl);
      assert.equal(list.maxTraces, 200);
      assert.equal(list.traces.length, 1);
      const summary = list.traces[0];
      assert.deepEqual(
        { ...summary, start: typeof summary.start, durationMs: typeof summary.durationMs },
        {
          traceId,
          root: 'POST /api/ask',
          service: 'viewer-test',
          start: 'number',
          durationMs: 'number',
          spans: 3,
          modelCalls: 1,
          inputTokens: 8,
          outputTokens: 17,
          costUsd: 0.0000449,
          errors: 1,
          models: ['gemini-2.5-flash'],
        }
      );
      const detail = JSON.parse((await get(`${viewer.url}/api/traces/${traceId}`)).body);
      const client = detail.spans.find((s: { spanId: string }) => s.spanId === clientId);
      assert.equal(client.kind, 3);
      assert.equal(client.scope, 'viewer-test-scope');
      assert.deepEqual(client.attributes, CLIENT_ATTRIBUTES);
      assert.deepEqual(
        client.events.map((e: { name: string; attributes: unknown }) => [e.name, e.attributes]),
        [['first_token', { chunks: 1 }]]
      );
      assert.equal(client.links.length, 1);
      assert.equal(client.links[0].traceId, traceId);
      assert.ok(client.end >= client.start && client.start > 1.7e12, 'times in ms since the epoch');
      const root = detail.spans.find((s: { name: string }) => s.name === 'POST /api/ask');
      assert.equal(client.parentSpanId, root.spanId);
      assert.equal(root.parentSpanId, undefined);
      const failed = detail.spans.find((s: { name: string }) => s.name === 'execute_tool get_weather');
      assert.deepEqual(failed.status, { code: 2, message: 'no weather' });
      assert.deepEqual(
        detail.logs.map((l: { spanId: string; eventName: string; body: unknown }) => [l.spanId, l.eventName, l.body]),
        [[clientId, 'gen_ai.client.inference.operation.details', { kvlist: 'yes' }]]
      );
      assert.match(detail.logs[0].attributes['gen_ai.output.messages'], /Blue\./);

      const totals = JSON.parse((await get(`${viewer.url}/api/totals`)).body);
      assert.deepEqual(totals, {
        models: [
          {
            model: 'gemini-2.5-flash-001',
            calls: 1,
            errors: 0,
            inputTokens: 8,
            outputTokens: 17,
            costUsd: 0.0000449,
          },
        ],
        users: [{ user: 'f69fb80ff96b2a21', costUsd: 0.0000449 }],
      });
    });
  }

  it('takes gzip bodies, and answers a bad body 400 and another content type 415', async () => {
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'gz' } }] },
          scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'zipped', kind: 2 }] }],
        },
      ],
    };
    const zipped = await post(`${viewer.otlpUrl}/v1/traces`, zlib.gzipSync(JSON.stringify(request)), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    assert.equal(zipped.status, 200);
    assert.equal(viewer.store.list()[0].root, 'zipped');
    assert.equal(viewer.store.list()[0].service, 'gz');
    const bad = await post(`${viewer.otlpUrl}/v1/traces`, Buffer.from([0xff, 0xff, 0xff]), {
      'content-type': 'application/x-protobuf',
    });
    assert.equal(bad.status, 400);
    assert.equal((await post(`${viewer.otlpUrl}/v1/traces`, 'x', { 'content-type': 'text/plain' })).status, 415);
    assert.equal(
      (await post(`${viewer.otlpUrl}/v1/nothing`, '{}', { 'content-type': 'application/json' })).status,
      404
    );
    assert.equal((await get(`${viewer.otlpUrl}/v1/traces`)).status, 405);
  });

  it('binds to loopback only, and the page answers only requests addressed to a loopback name', async () => {
    for (const url of [viewer.url, viewer.otlpUrl]) assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const outside = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (outside) {
      for (const url of [viewer.url, viewer.otlpUrl]) {
        const port = Number(new URL(url).port);
        const refused = await new Promise<string>((resolve) => {
          const socket = net.connect(port, outside);
          socket.on('connect', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
        });
        assert.equal(refused, 'ECONNREFUSED', `port ${port} on ${outside}`);
      }
    }
    const page = await get(`${viewer.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /nothing leaves this machine/);
    // A DNS-rebinding page elsewhere would send its own host name.
    assert.equal((await get(`${viewer.url}/api/traces`, { host: 'attacker.example' })).status, 403);
  });

  it('keeps at most --max-traces traces: the oldest go first', async () => {
    await viewer.close();
    viewer = await startViewer({ otlpPort: 0, port: 0, maxTraces: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await exportTrace(new ProtoTraces({ url: `${viewer.otlpUrl}/v1/traces` }))).traceId);
    const list = JSON.parse((await get(`${viewer.url}/api/traces`)).body);
    assert.deepEqual(list.traces.map((t: { traceId: string }) => t.traceId).sort(), ids.slice(2).sort());
    assert.equal(list.dropped.traces, 2);
    assert.equal((await get(`${viewer.url}/api/traces/${ids[0]}`)).status, 404);
  });
});

describe('viewer: nothing of it loads with the instrumentation', () => {
  it('requiring the package and its preload loads no viewer module', async () => {
    const script = `
      require(${JSON.stringify(path.join(REPO_ROOT, 'build', 'src', 'index.js'))});
      require(${JSON.stringify(path.join(REPO_ROOT, 'build', 'src', 'register.js'))});
      const loaded = Object.keys(require.cache).filter((f) => f.includes(${JSON.stringify(`${path.sep}viewer${path.sep}`)}) || f.endsWith('cli.js'));
      console.log(JSON.stringify(loaded));
      process.exit(0);`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], {
        env: childEnv({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' }),
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), []);
  });
});

/** The `view` command as a new user runs it; resolves with its page and OTLP URLs once it says them. */
function startViewCommand(args: string[]): Promise<{ child: ChildProcess; url: string; otlpUrl: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'build', 'src', 'cli.js'), 'view', ...args], {
      env: childEnv({}),
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /GenAI trace viewer: (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const otlpUrl = /Receiving OTLP\/HTTP on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url && otlpUrl) resolve({ child, url, otlpUrl });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`view exited with ${code}: ${out}`)));
  });
}

// The fixture app runs on each SDK major's own copy; one pass is enough for the command.
if (SDK_MAJOR === '3')
  describe('viewer: `opentelemetry-instrumentation-google-genai view` with a preloaded app', function () {
    this.timeout(60000);
    const gemini = withFakeGemini();
    before(() => prepareApps());

    it('shows the app traces and totals, sent with nothing but OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
      const view = await startViewCommand(['--port', '0', '--otlp-port', '0', '--max-traces', '50']);
      try {
        const run = await runApp('app.cjs', '--require', {
          FAKE_GEMINI_URL: gemini.url,
          APP_API_KEY: 'viewer-test-key',
          OTEL_SERVICE_NAME: 'fixture-app',
          OTEL_EXPORTER_OTLP_ENDPOINT: view.otlpUrl,
        });
        assert.equal(run.code, 0, run.stderr);
        assert.ok(appResult(run));
        const list = JSON.parse((await get(`${view.url}/api/traces`)).body);
        assert.equal(list.maxTraces, 50);
        assert.deepEqual(list.traces.map((t: { root: string }) => t.root).sort(), [
          'agent.run',
          'generate_content gemini-2.0-flash',
          'generate_content gemini-2.5-flash',
          'generate_content gemini-2.5-flash-lite',
          'generate_content gemini-2.5-pro',
          'generate_content gemini-missing',
        ]);
        const loop = list.traces.find((t: { root: string }) => t.root === 'agent.run');
        assert.deepEqual([loop.spans, loop.modelCalls, loop.inputTokens, loop.outputTokens], [4, 2, 16, 34]);
        assert.ok(loop.costUsd > 0);
        const totals = JSON.parse((await get(`${view.url}/api/totals`)).body);
        const flash = totals.models.find((m: { model: string }) => m.model === 'gemini-2.5-flash-001');
        assert.deepEqual([flash.calls, flash.inputTokens, flash.outputTokens], [3, 24, 51]);
        // The key never reaches the viewer.
        assert.doesNotMatch(JSON.stringify(list) + JSON.stringify(totals), /viewer-test-key/);
      } finally {
        view.child.kill('SIGTERM');
      }
    });

    it('says so when its port is taken, and exits 1', async () => {
      const busy = await startViewer({ otlpPort: 0, port: 0 });
      try {
        const port = new URL(busy.otlpUrl).port;
        const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            [path.join(REPO_ROOT, 'build', 'src', 'cli.js'), 'view', '--otlp-port', port, '--port', '0'],
            {
              env: childEnv({}),
            }
          );
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('close', (code) => resolve({ code, stderr }));
        });
        assert.equal(out.code, 1);
        assert.match(out.stderr, new RegExp(`port ${port} is in use`));
      } finally {
        await busy.close();
      }
    });
  });
