/*
 * `npm run example:service`: the example service in one command. Starts a
 * Gemini-compatible server on loopback (unless GEMINI_API_KEY is set), an
 * OTLP receiver that prints each trace as a tree (unless
 * OTEL_EXPORTER_OTLP_ENDPOINT points at your own backend), and the service
 * with its telemetry preloaded; sends it two requests, then keeps serving
 * until Ctrl-C. `--once` stops after the two requests.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { defaultReply, startFakeGemini } from '../../test/utils/fake-gemini-server';
import { startOtlpReceiver, type ExportedSpan, type OtlpReceiver } from '../../test/utils/otlp-receiver';
import { formatSpans } from '../print-trace';
import { listeningUrl } from './listening';

const BAGGAGE = 'enduser.id=alice,enduser.role=qa';

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', baggage: BAGGAGE },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function jobAnswer(url: string, id: string): Promise<unknown> {
  for (;;) {
    const job = (await (await fetch(`${url}/api/jobs/${id}`)).json()) as { status: string };
    if (job.status !== 'queued') return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Prints each trace with a Gemini call once it stops growing (the job-status polls are left out). */
function printSettledTraces(receiver: OtlpReceiver, printed: Set<string>, lastCounts: Map<string, number>): void {
  const byTrace = new Map<string, ExportedSpan[]>();
  for (const span of receiver.spans()) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  for (const [traceId, spans] of byTrace) {
    if (printed.has(traceId) || !spans.some((s) => s.attributes['gen_ai.operation.name'])) continue;
    if (lastCounts.get(traceId) !== spans.length) {
      lastCounts.set(traceId, spans.length);
      continue;
    }
    printed.add(traceId);
    console.log(`\nTrace ${traceId}:\n`);
    console.log(
      formatSpans(
        spans.map((s) => ({
          name: s.name,
          kind: (s.kind - 1) as SpanKind, // OTLP counts from UNSPECIFIED = 0
          spanId: s.spanId,
          parentSpanId: s.parentSpanId,
          startNs: s.startTimeUnixNano,
          durationMs: Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6,
          attributes: s.attributes as never,
          error: s.status.code === 2,
          service: s.service,
        }))
      )
    );
  }
}

async function main(): Promise<void> {
  const once = process.argv.includes('--once');
  const fake = process.env.GEMINI_API_KEY
    ? undefined
    : await startFakeGemini((req) =>
        req.action === 'streamGenerateContent' ? { ...defaultReply(req), chunkDelayMs: 30 } : undefined
      );
  const ownBackend = process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const receiver = ownBackend ? undefined : await startOtlpReceiver();
  const service = spawn(
    process.execPath,
    ['--require', path.join(__dirname, 'telemetry.js'), path.join(__dirname, 'app.js')],
    {
      env: {
        ...process.env,
        OTEL_SERVICE_NAME: process.env.OTEL_SERVICE_NAME ?? 'chat-service',
        PORT: process.env.PORT ?? '3000',
        ...(fake ? { GEMINI_BASE_URL: fake.url } : {}),
        ...(receiver
          ? {
              OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
              OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
              OTEL_METRICS_EXPORTER: 'none',
              OTEL_LOGS_EXPORTER: 'none',
              OTEL_BSP_SCHEDULE_DELAY: '200',
            }
          : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    }
  );
  const stop = async () => {
    // Ctrl-C reaches the service too (same process group): it may have gone already.
    if (service.exitCode === null && service.signalCode === null) {
      const exited = new Promise((resolve) => service.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    await fake?.close();
    await receiver?.close();
  };
  try {
    console.log(fake ? `Gemini-compatible server on ${fake.url}` : 'Using the real Gemini API (GEMINI_API_KEY)');
    const url = await listeningUrl(service, (d) => process.stdout.write(d));

    const chat = await post(`${url}/api/chat`, { message: 'What is the weather in Paris?' });
    console.log(`POST /api/chat -> ${chat.status} ${JSON.stringify(chat.json)}`);
    const job = await post(`${url}/api/jobs`, { message: 'Write a haiku about the sea.' });
    console.log(`POST /api/jobs -> ${job.status} ${JSON.stringify(job.json)}`);
    console.log(`GET /api/jobs/${String(job.json.id)} -> ${JSON.stringify(await jobAnswer(url, String(job.json.id)))}`);

    const printed = new Set<string>();
    const counts = new Map<string, number>();
    if (receiver) {
      // Both traces, once nothing more arrives for them.
      for (let i = 0; i < 100 && printed.size < 2; i++) {
        await sleep(300);
        printSettledTraces(receiver, printed, counts);
      }
    } else {
      console.log(`\nThe traces went to ${ownBackend}.`);
    }
    if (once) return;
    console.log(`
The service keeps running. Try:

  curl -s -X POST ${url}/api/chat -H 'content-type: application/json' \\
    -H 'baggage: ${BAGGAGE}' -d '{"message": "What is the weather in Rome?"}'

Ctrl-C to stop.`);
    const timer = receiver && setInterval(() => printSettledTraces(receiver, printed, counts), 500);
    await new Promise((resolve) => process.once('SIGINT', resolve));
    if (timer) clearInterval(timer);
  } finally {
    await stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
