/*
 * Manual function-calling loops: the app runs the functions itself and sends
 * `functionResponse` parts back in a later round trip. No span is invented
 * for that, but the round trip that answers gets a link to the one that
 * asked. Calls are matched by id when the model gave one, else by name
 * within the same trace. The map is small and bounded: the oldest entries go
 * first, and an entry goes as soon as it is answered.
 */
import type { Link, SpanContext } from '@opentelemetry/api';
import type { FunctionCallLike } from './internal-types.js';

export const MAX_PENDING_CALLS = 1024;

function key(traceId: string | undefined, call: FunctionCallLike): string | undefined {
  if (typeof call.id === 'string' && call.id) return `id:${call.id}`;
  if (traceId && typeof call.name === 'string' && call.name) return `name:${traceId}:${call.name}`;
  return undefined;
}

export class FunctionCallLinks {
  private readonly pending = new Map<string, SpanContext>();

  constructor(private readonly max = MAX_PENDING_CALLS) {}

  get size(): number {
    return this.pending.size;
  }

  /** The round trip `asker` asked for these function calls. */
  asked(asker: SpanContext, calls: readonly FunctionCallLike[]): void {
    for (const call of calls) {
      const k = key(asker.traceId, call);
      if (!k) continue;
      this.pending.delete(k);
      this.pending.set(k, asker);
      if (this.pending.size > this.max) this.pending.delete(this.pending.keys().next().value as string);
    }
  }

  /** Links to the round trips that asked for the calls answered now (in trace `traceId`), consumed. */
  answered(traceId: string | undefined, answers: readonly FunctionCallLike[]): Link[] | undefined {
    if (answers.length === 0 || this.pending.size === 0) return undefined;
    let links: Link[] | undefined;
    for (const answer of answers) {
      // By id first; an answer without a matching id may still match by name.
      const candidates = [
        answer.id ? `id:${answer.id}` : undefined,
        traceId && answer.name ? `name:${traceId}:${answer.name}` : undefined,
      ];
      const k = candidates.find((c) => c !== undefined && this.pending.has(c));
      if (!k) continue;
      const asker = this.pending.get(k)!;
      this.pending.delete(k);
      if (!links?.some((l) => l.context.spanId === asker.spanId)) (links ??= []).push({ context: asker });
    }
    return links;
  }
}
