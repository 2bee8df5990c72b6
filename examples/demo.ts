/*
 * `npm start`: what GeminiInstrumentation records, before you have a tracing
 * backend. Starts a Gemini-compatible server on loopback, runs a small app
 * through the instrumented @google/genai, and prints the trace as a tree.
 *
 * With GEMINI_API_KEY set, the same app talks to the real Gemini API instead
 * (GEMINI_MODEL picks the model).
 *
 * `npm start -- --view` also starts the local trace viewer (src/viewer), sends
 * the traces, metrics and events to it over OTLP, prints its address and
 * keeps it open (`--port` and `--otlp-port` choose its ports).
 */
import { parseArgs } from 'node:util';
import { context, metrics, propagation, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { logs } from '@opentelemetry/api-logs';
import { GeminiInstrumentation } from '../src';
import type { Viewer } from '../src/viewer/server';
import { defaultReply, startFakeGemini, type FakeGemini } from '../test/utils/fake-gemini-server';
import { formatTrace } from './print-trace';

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { view: { type: 'boolean' }, port: { type: 'string' }, 'otlp-port': { type: 'string' } },
  });
  // The viewer, when asked for: loaded only then, like the `view` command does.
  let viewer: Viewer | undefined;
  let viewerModule: typeof import('../src/viewer/server') | undefined;
  if (args.view) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    viewerModule = require('../src/viewer/server') as typeof import('../src/viewer/server');
    viewer = await viewerModule.startViewer({
      port: args.port === undefined ? undefined : Number(args.port),
      otlpPort: args['otlp-port'] === undefined ? undefined : Number(args['otlp-port']),
    });
  }

  // 1. OpenTelemetry, as an app's telemetry set-up would do it, before the SDK loads.
  const exporter = new InMemorySpanExporter();
  const resource = resourceFromAttributes({ 'service.name': 'genai-demo' });
  const spanProcessors: SpanProcessor[] = [new SimpleSpanProcessor(exporter)];
  let meterProvider: MeterProvider | undefined;
  let loggerProvider: LoggerProvider | undefined;
  if (viewer) {
    // What any app does to export over OTLP (or the preload does from OTEL_EXPORTER_OTLP_ENDPOINT).
    spanProcessors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${viewer.otlpUrl}/v1/traces` })));
    meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${viewer.otlpUrl}/v1/metrics` }),
          exportIntervalMillis: 5000,
        }),
      ],
    });
    metrics.setGlobalMeterProvider(meterProvider);
    loggerProvider = new LoggerProvider({
      resource,
      processors: [
        new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${viewer.otlpUrl}/v1/logs` }) }),
      ],
    });
    logs.setGlobalLoggerProvider(loggerProvider);
  }
  const provider = new BasicTracerProvider({ resource, spanProcessors });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // In the viewer, the messages too: this demo's are made up (content capture is off by default).
  new GeminiInstrumentation(viewer ? { captureMessageContent: 'SPAN_ONLY' } : {});

  // 2. The app: it only knows @google/genai.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GoogleGenAI } = require('@google/genai') as typeof import('@google/genai');
  const realKey = process.env.GEMINI_API_KEY;
  let fake: FakeGemini | undefined;
  const RESEARCH_AGENT = 'deep-research-pro-preview-12-2025';
  let polls = 0;
  if (!realKey) {
    fake = await startFakeGemini((req) => {
      // A managed agent's background run: in progress when started and at the first poll, then done.
      if (req.action === 'interactions.create' && (req.body as { agent?: unknown }).agent) {
        return { body: { id: 'int-research-1', agent: RESEARCH_AGENT, status: 'in_progress' } };
      }
      if (req.action === 'interactions.get') {
        const done = ++polls > 1;
        return { body: { id: 'int-research-1', agent: RESEARCH_AGENT, status: done ? 'completed' : 'in_progress' } };
      }
      if (req.model === 'gemini-overloaded') {
        return {
          status: 503,
          body: { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
        };
      }
      // Streams arrive word by word, 40 ms apart, like a model thinking aloud.
      return req.action === 'streamGenerateContent' ? { ...defaultReply(req), chunkDelayMs: 40 } : undefined;
    });
  }
  const ai = new GoogleGenAI({
    apiKey: realKey ?? 'demo-key',
    ...(fake ? { httpOptions: { baseUrl: fake.url } } : {}),
  });
  const model = process.env.GEMINI_MODEL ?? 'gemini-2.5-flash';
  const tracer = trace.getTracer('demo-app');

  console.log(fake ? `Gemini-compatible server on ${fake.url}\n` : 'Using the real Gemini API (GEMINI_API_KEY)\n');
  await tracer.startActiveSpan('POST /api/ask', { kind: SpanKind.SERVER }, async (request) => {
    const answer = await ai.models.generateContent({
      model,
      contents: 'Why is the sky blue? One sentence.',
      config: { temperature: 0.2, maxOutputTokens: 200 },
    });
    console.log(`generateContent -> ${JSON.stringify(answer.text)}`);
    request.end();
  });
  // A signed-in user, named in baggage as an app's middleware would: recorded hashed (user=...).
  const signedIn = propagation.setBaggage(
    context.active(),
    propagation.createBaggage({ 'enduser.id': { value: 'ada@example.com' } })
  );
  await context.with(signedIn, () =>
    tracer.startActiveSpan('POST /api/chat', { kind: SpanKind.SERVER }, async (request) => {
      const chat = ai.chats.create({ model });
      await chat.sendMessage({ message: 'Hi! Name a color.' });
      const second = await chat.sendMessage({ message: 'And another one?' });
      console.log(`chat.sendMessage x2 -> ${JSON.stringify(second.text)}`);
      request.end();
    })
  );
  await tracer.startActiveSpan('GET /api/stream', { kind: SpanKind.SERVER }, async (request) => {
    const stream = await ai.models.generateContentStream({ model, contents: 'Say hello, slowly.' });
    const words: string[] = [];
    for await (const chunk of stream) words.push(chunk.text ?? '');
    console.log(`generateContentStream -> ${words.length} chunks: ${JSON.stringify(words.join(''))}`);
    // A consumer that stops after the first chunk: the span says so (stream=cut_short).
    const early = await ai.models.generateContentStream({ model, contents: 'Tell me a long story.' });
    for await (const chunk of early) {
      console.log(`generateContentStream, first chunk only -> ${JSON.stringify(chunk.text)}`);
      break;
    }
    request.end();
  });
  await tracer.startActiveSpan('POST /api/agent', { kind: SpanKind.SERVER }, async (request) => {
    // A tool the SDK calls by itself (automatic function calling): any object with callTool().
    const weather = {
      tool: async () => ({
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Current weather in a city',
            parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } },
          },
        ],
      }),
      callTool: async (calls: Array<{ name?: string; args?: Record<string, unknown> }>) => {
        await new Promise((resolve) => setTimeout(resolve, 15)); // a weather service call
        return calls.map((c) => ({
          functionResponse: { name: c.name, response: { city: c.args?.city, sky: 'clear' } },
        }));
      },
    };
    const answer = await ai.models.generateContent({
      model,
      contents: 'What is the weather in Paris?',
      config: { tools: [weather] },
    });
    console.log(`generateContent with a tool -> ${JSON.stringify(answer.text)}`);
    request.end();
  });
  await tracer.startActiveSpan('POST /api/conversation', { kind: SpanKind.SERVER }, async (request) => {
    // The Interactions API: the server keeps the conversation; a turn names the one before it.
    const first = await ai.interactions.create({ model, input: 'Name a planet.' });
    const next = await ai.interactions.create({
      model,
      input: 'And one of its moons?',
      previous_interaction_id: first.id,
    });
    console.log(`interactions.create x2 -> ${JSON.stringify(next.output_text)}`);
    request.end();
  });
  if (fake) {
    // A managed agent run in the background, polled until done (loopback only: a real run takes minutes and is billed).
    await tracer.startActiveSpan('POST /api/research', { kind: SpanKind.SERVER }, async (request) => {
      const run = await ai.interactions.create({
        agent: RESEARCH_AGENT,
        input: 'The history of the telescope.',
        background: true,
      });
      let status = run.status;
      while (status !== 'completed') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = (await ai.interactions.get(run.id)).status;
      }
      console.log(`interactions.create (agent, background) + get until done -> ${status}`);
      request.end();
    });
    await tracer.startActiveSpan('POST /api/ask (busy model)', { kind: SpanKind.SERVER }, async (request) => {
      await ai.models
        .generateContent({ model: 'gemini-overloaded', contents: 'Hello?' })
        .catch((err: Error & { status?: number }) => console.log(`generateContent -> ${err.name} ${err.status}`));
      request.end();
    });
  }

  console.log('\nThe trace, as a backend such as Jaeger would show it:\n');
  console.log(formatTrace(exporter.getFinishedSpans()));
  if (!viewer) {
    console.log(SEND_IT_FOR_REAL);
    await fake?.close();
    await provider.shutdown();
    return;
  }
  // Everything into the viewer before saying where to look.
  await Promise.all([provider.forceFlush(), meterProvider?.forceFlush(), loggerProvider?.forceFlush()]);
  await fake?.close();
  console.log(`\n${viewerModule!.banner(viewer, viewerModule!.DEFAULT_MAX_TRACES)}`);
  console.log(`\nOpen ${viewer.url} to see this demo's traces.`);
  const stop = () => {
    void Promise.all([provider.shutdown(), meterProvider?.shutdown(), loggerProvider?.shutdown()])
      .then(() => viewer!.close())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** How to see the same trace in a real backend: the preload and the standard OTLP variables. */
const SEND_IT_FOR_REAL = `
Send the same trace to a real backend (Jaeger, Grafana Tempo, Datadog, any OTLP endpoint) from your own app, with no
code change:

  OTEL_SERVICE_NAME=my-app \\
  OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 \\
  node --import opentelemetry-instrumentation-google-genai/register app.mjs

(--require for a CommonJS app.) For Jaeger on your machine: docker run -p 16686:16686 -p 4318:4318
jaegertracing/all-in-one, then open http://localhost:16686.

No backend yet? See this demo in your browser: npm start -- --view
Or your own app: npx opentelemetry-instrumentation-google-genai view, and the preload above.`;

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
