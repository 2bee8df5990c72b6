/*
 * The worker: takes chat jobs off the queue (IPC from the service) and
 * answers each with a streamed Gemini call. Started by the service with the
 * same telemetry preload; its spans join the trace of the request that
 * queued the job (see queue.ts).
 */
import { geminiClient, MODEL } from './gemini';
import { consume, type Message } from './queue';

export interface Job {
  prompt: string;
}

export interface JobResult {
  id: string;
  answer?: string;
  error?: string;
}

const ai = geminiClient();

process.on('message', (message: Message<Job>) => {
  consume('chat-jobs', message, async ({ prompt }) => {
    const stream = await ai.models.generateContentStream({ model: MODEL, contents: prompt });
    let answer = '';
    for await (const chunk of stream) answer += chunk.text ?? '';
    return answer;
  }).then(
    (answer) => process.send?.({ id: message.id, answer } satisfies JobResult),
    (err: unknown) => process.send?.({ id: message.id, error: String(err) } satisfies JobResult)
  );
});

// The service went away: stop too (the telemetry's SIGTERM handler flushes first).
process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
