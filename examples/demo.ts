/*
 * `npm start`: what GeminiInstrumentation records, before you have a tracing
 * backend. Starts a Gemini-compatible server on loopback, runs a small app
 * through the instrumented @google/genai, and prints the trace as a tree.
 *
 * With GEMINI_API_KEY set, the same app talks to the real Gemini API instead
 * (GEMINI_MODEL picks the model).
 */
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GeminiInstrumentation } from '../src';
import { defaultReply, startFakeGemini, type FakeGemini } from '../test/utils/fake-gemini-server';
import { formatTrace } from './print-trace';

async function main(): Promise<void> {
  // 1. OpenTelemetry, as an app's telemetry set-up would do it, before the SDK loads.
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  new GeminiInstrumentation();

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
  await tracer.startActiveSpan('POST /api/chat', { kind: SpanKind.SERVER }, async (request) => {
    const chat = ai.chats.create({ model });
    await chat.sendMessage({ message: 'Hi! Name a color.' });
    const second = await chat.sendMessage({ message: 'And another one?' });
    console.log(`chat.sendMessage x2 -> ${JSON.stringify(second.text)}`);
    request.end();
  });
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
  console.log(SEND_IT_FOR_REAL);
  await fake?.close();
  await provider.shutdown();
}

/** How to see the same trace in a real backend: the preload and the standard OTLP variables. */
const SEND_IT_FOR_REAL = `
Send the same trace to a real backend (Jaeger, Grafana Tempo, Datadog, any OTLP endpoint) from your own app, with no
code change:

  OTEL_SERVICE_NAME=my-app \\
  OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 \\
  node --import opentelemetry-instrumentation-google-genai/register app.mjs

(--require for a CommonJS app.) For Jaeger on your machine: docker run -p 16686:16686 -p 4318:4318
jaegertracing/all-in-one, then open http://localhost:16686.`;

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
