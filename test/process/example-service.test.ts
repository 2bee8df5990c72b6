/*
 * The example service (examples/service), end to end as a user runs it: the
 * Express app with the NodeSDK preloaded, its worker process, the loopback
 * Gemini-compatible server and an OTLP receiver. Asserts the exported spans
 * and their parentage across the HTTP request, the agent loop and the queue.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { hashEndUserId, DEFAULT_ENDUSER_SALT } from '../../src/mapping/enduser';
import { withFakeGemini } from '../utils/with-fake-gemini';
import { listeningUrl } from '../../examples/service/listening';
import { childEnv, collect } from '../utils/child';
import { SDK_MAJOR } from '../utils/genai';
import { REPO_ROOT } from '../utils/paths';
import { startOtlpReceiver, type ExportedSpan, type OtlpReceiver } from '../utils/otlp-receiver';

const SERVICE_DIR = path.join(REPO_ROOT, 'build', 'examples', 'service');
const OTLP = { SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

/** Waits until `ready` holds of the exported spans (the batch processor flushes every 50 ms here). */
async function spansWhen(receiver: OtlpReceiver, ready: (spans: ExportedSpan[]) => boolean): Promise<ExportedSpan[]> {
  for (let i = 0; i < 200; i++) {
    const spans = receiver.spans();
    if (ready(spans)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`spans never arrived: ${receiver.spans().map((s) => s.name)}`);
}

/** The names from `span` up to its trace's root. */
function ancestry(span: ExportedSpan, spans: ExportedSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const names: string[] = [];
  for (let s: ExportedSpan | undefined = span; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) {
    names.push(s.name);
  }
  return names;
}

// The example runs on the project's own @google/genai (3.x): once per suite run is enough.
(SDK_MAJOR === '3' ? describe : describe.skip)('the example service (Express + NodeSDK + a queue)', function () {
  this.timeout(60000);
  const gemini = withFakeGemini();
  let receiver: OtlpReceiver;
  let service: ChildProcess;
  let url: string;
  const alice = hashEndUserId('alice', DEFAULT_ENDUSER_SALT);

  before(async () => {
    receiver = await startOtlpReceiver();
    service = spawn(
      process.execPath,
      ['--require', path.join(SERVICE_DIR, 'telemetry.js'), path.join(SERVICE_DIR, 'app.js')],
      {
        cwd: REPO_ROOT,
        env: childEnv({
          PORT: '0',
          GEMINI_BASE_URL: gemini.url,
          OTEL_SERVICE_NAME: 'chat-service',
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          OTEL_BSP_SCHEDULE_DELAY: '50',
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    );
    url = await listeningUrl(service);
  });
  after(async () => {
    if (service && service.exitCode === null) {
      const exited = collect(service);
      service.kill('SIGTERM');
      await exited;
    }
    await receiver?.close();
  });

  const post = (route: string, body: unknown) =>
    fetch(`${url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', baggage: 'enduser.id=alice,enduser.role=qa' },
      body: JSON.stringify(body),
    });

  it('POST /api/chat: HTTP server span → agent.run → generate_content / execute_tool, one trace', async () => {
    const res = await post('/api/chat', { message: 'What is the weather in Paris?' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { answer: 'Hello from gemini-2.5-flash.' });

    const spans = await spansWhen(receiver, (all) => {
      const root = all.find((s) => s.name === 'POST /api/chat');
      return (
        !!root && all.filter((s) => s.traceId === root.traceId && s.name.startsWith('generate_content')).length === 2
      );
    });
    const root = spans.find((s) => s.name === 'POST /api/chat')!;
    const trace = spans.filter((s) => s.traceId === root.traceId);
    assert.equal(root.kind, OTLP.SERVER);
    assert.equal(root.parentSpanId, undefined, 'the request starts the trace');
    assert.equal(root.service, 'chat-service');

    const agent = trace.find((s) => s.name === 'agent.run')!;
    assert.deepEqual(ancestry(agent, trace), ['agent.run', 'request handler', 'POST /api/chat']);
    assert.equal(agent.attributes['gcp.gen_ai.agent.inference_calls'], 2);
    assert.equal(agent.attributes['gcp.gen_ai.agent.tool_calls'], 1);

    const children = trace
      .filter((s) => s.parentSpanId === agent.spanId)
      .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
    assert.deepEqual(
      children.map((s) => [s.name, s.kind]),
      [
        ['generate_content gemini-2.5-flash', OTLP.CLIENT],
        ['execute_tool get_weather', 1],
        ['generate_content gemini-2.5-flash', OTLP.CLIENT],
      ]
    );
    for (const call of children.filter((s) => s.name.startsWith('generate_content'))) {
      // The request's baggage: the id hashed, the role as sent.
      assert.equal(call.attributes['enduser.id'], alice);
      assert.equal(call.attributes['enduser.role'], 'qa');
      assert.deepEqual(call.attributes['gen_ai.response.finish_reasons'], ['STOP']);
      // undici's span for the HTTP request to Gemini sits under the round trip.
      const http = trace.filter((s) => s.parentSpanId === call.spanId);
      assert.deepEqual(
        http.map((s) => [s.name, s.kind, s.scope]),
        [['POST', OTLP.CLIENT, '@opentelemetry/instrumentation-undici']]
      );
    }
    const exported = receiver.received.map((r) => r.body.toString('utf8')).join('\n');
    assert.ok(!exported.includes('alice'), 'the raw end-user id is not exported');
  });

  it('POST /api/jobs: the worker process joins the trace through the queue (inject on send, extract in the worker)', async () => {
    const res = await post('/api/jobs', { message: 'Write a haiku about the sea.' });
    assert.equal(res.status, 202);
    const { id } = (await res.json()) as { id: string };
    let job: { status: string; answer?: string } = { status: 'queued' };
    for (let i = 0; i < 200 && job.status === 'queued'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as typeof job;
    }
    assert.deepEqual(job, { status: 'done', id, answer: 'Hello from gemini-2.5-flash.' });

    const spans = await spansWhen(receiver, (all) =>
      all.some((s) => s.service === 'chat-service-worker' && s.name.startsWith('generate_content'))
    );
    const call = spans.find((s) => s.service === 'chat-service-worker' && s.name.startsWith('generate_content'))!;
    const trace = spans.filter((s) => s.traceId === call.traceId);
    assert.deepEqual(ancestry(call, trace), [
      'generate_content gemini-2.5-flash',
      'process chat-jobs',
      'send chat-jobs',
      'request handler',
      'POST /api/jobs',
    ]);
    const byName = (name: string) => trace.find((s) => s.name === name)!;
    assert.deepEqual(
      [byName('send chat-jobs'), byName('process chat-jobs'), byName('POST /api/jobs')].map((s) => [s.kind, s.service]),
      [
        [OTLP.PRODUCER, 'chat-service'],
        [OTLP.CONSUMER, 'chat-service-worker'],
        [OTLP.SERVER, 'chat-service'],
      ]
    );
    assert.equal(byName('process chat-jobs').attributes['messaging.message.id'], id);
    // A stream, in the worker, for the same user: baggage crossed the queue too.
    assert.equal(call.attributes['gcp.gen_ai.stream.outcome'], 'completed');
    assert.equal(call.attributes['enduser.id'], alice);
    assert.equal(call.attributes['enduser.role'], 'qa');
  });

  it('stops cleanly on SIGTERM, worker included', async () => {
    const exited = collect(service);
    service.kill('SIGTERM');
    const run = await exited;
    assert.equal(run.code, 0, run.stderr);
  });
});

(SDK_MAJOR === '3' ? describe : describe.skip)('npm run example:service (one command)', function () {
  this.timeout(60000);

  it('starts the loopback Gemini, the service and a receiver, and prints both traces as trees', async () => {
    const run = await collect(
      spawn(process.execPath, [path.join(SERVICE_DIR, 'start.js'), '--once'], {
        cwd: REPO_ROOT,
        env: childEnv({ PORT: '0' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /POST \/api\/chat -> 200 \{"answer":"Hello from gemini-2\.5-flash\."\}/);
    assert.match(run.stdout, /"status":"done"/);
    for (const line of [
      /^POST \/api\/chat \[SERVER\]/m,
      /^ {3}└─ agent\.run \[INTERNAL\].* round_trips=2 tool_calls=1 .*role=qa/m,
      /├─ execute_tool get_weather \[INTERNAL\]/,
      /^POST \/api\/jobs \[SERVER\] \(chat-service\)/m,
      /└─ process chat-jobs \[CONSUMER\] \(chat-service-worker\)/,
      /└─ generate_content gemini-2\.5-flash \[CLIENT\] \(chat-service-worker\).* stream=completed/,
    ]) {
      assert.match(run.stdout, line);
    }
    assert.doesNotMatch(
      run.stdout,
      /^GET \/api\/jobs\/:id \[SERVER\]/m,
      'only the traces with Gemini calls are printed'
    );
  });
});
