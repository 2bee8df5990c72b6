/*
 * A small Express service that uses @google/genai, run with the telemetry
 * preloaded: `node --require ./telemetry.js app.js`.
 *
 *   POST /api/chat {message}  answers with Gemini and a tool the SDK calls by
 *                             itself: HTTP span → agent.run → generate_content
 *                             and execute_tool spans.
 *   POST /api/jobs {message}  queues the question for the worker process
 *                             (202 + id); the worker's Gemini call lands in
 *                             the same trace (queue.ts).
 *   GET  /api/jobs/:id        the worker's answer, once there is one.
 *
 * Who the user is comes with the request, in W3C baggage
 * (`baggage: enduser.id=alice,enduser.role=qa`): the instrumentation hashes the
 * id and records the role; the queue carries both to the worker.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import express from 'express';
import { geminiClient, MODEL, weatherTool } from './gemini';
import { publish, type Message } from './queue';
import type { Job, JobResult } from './worker';

const ai = geminiClient();
// The worker inherits this process's flags (--require ./telemetry.js), so it is traced too.
const worker = fork(path.join(__dirname, 'worker.js'), {
  env: { ...process.env, OTEL_SERVICE_NAME: `${process.env.OTEL_SERVICE_NAME ?? 'chat-service'}-worker` },
});
const results = new Map<string, JobResult | undefined>();
worker.on('message', (result: JobResult) => results.set(result.id, result));

const app = express();
app.use(express.json());

function messageOf(body: unknown): string | undefined {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message ? message : undefined;
}

app.post('/api/chat', async (req, res) => {
  const message = messageOf(req.body);
  if (!message) {
    res.status(400).json({ error: 'expected {"message": "..."}' });
    return;
  }
  // A rejection here becomes a 500 (Express 5 handles async handlers), and the spans say why.
  const response = await ai.models.generateContent({
    model: MODEL,
    contents: message,
    config: { tools: [weatherTool] },
  });
  res.json({ answer: response.text });
});

app.post('/api/jobs', (req, res) => {
  const message = messageOf(req.body);
  if (!message) {
    res.status(400).json({ error: 'expected {"message": "..."}' });
    return;
  }
  const id = randomUUID();
  results.set(id, undefined);
  publish((m: Message<Job>) => worker.send(m), 'chat-jobs', id, { prompt: message });
  res.status(202).json({ id });
});

app.get('/api/jobs/:id', (req, res) => {
  if (!results.has(req.params.id)) {
    res.status(404).json({ error: 'no such job' });
    return;
  }
  const result = results.get(req.params.id);
  res.json(result ? { status: result.error ? 'failed' : 'done', ...result } : { status: 'queued' });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`chat service listening on http://127.0.0.1:${port}`);
});

process.once('SIGTERM', () => {
  server.close();
  worker.kill('SIGTERM');
});
