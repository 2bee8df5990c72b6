/*
 * Manual function-calling loops: the app (or a framework such as Google's
 * ADK) runs the functions itself and sends `functionResponse` parts back in a
 * later round trip. No span is invented for that, but the round trip that
 * answers gets a link to the one that asked.
 *
 * Matching uses what survives the caller's hands: the call id when it is
 * unchanged, else the function name within the trace, with the arguments the
 * request echoes back (the model turn before the answers) to tell apart calls
 * of one name, and then the order they were asked in. Callers do rewrite ids:
 * @google/adk 2.0 gives id-less calls an `adk-…` id, in place on the SDK's
 * response objects, and strips it again before the next request.
 *
 * The map is small and bounded: the oldest entries go first, and when a
 * request answers any call of a round trip, that round trip's other calls go
 * too (a model turn is answered whole; what is left out is never answered).
 */
import type { Link, SpanContext } from '@opentelemetry/api';
import type { FunctionCallLike } from '../internal-types.js';
import type { AnsweredCall } from '../mapping/attributes.js';

export const MAX_PENDING_CALLS = 1024;

/** One function call asked for and not answered yet; fields read when asked, as callers mutate the SDK's objects. */
interface Pending {
  readonly asker: SpanContext;
  readonly id: string | undefined;
  readonly name: string | undefined;
  readonly args: unknown;
}

export class FunctionCallLinks {
  /** Every pending call, oldest first. */
  private readonly all = new Set<Pending>();
  private readonly byId = new Map<string, Pending>();
  /** Per trace, in the order asked. */
  private readonly byTrace = new Map<string, Pending[]>();

  constructor(private readonly max = MAX_PENDING_CALLS) {}

  get size(): number {
    return this.all.size;
  }

  /** The round trip `asker` asked for these function calls. */
  asked(asker: SpanContext, calls: readonly FunctionCallLike[]): void {
    for (const call of calls) {
      const id = typeof call.id === 'string' && call.id ? call.id : undefined;
      const name = typeof call.name === 'string' && call.name ? call.name : undefined;
      if (!id && !name) continue;
      const entry: Pending = { asker, id, name, args: call.args };
      if (id) {
        const previous = this.byId.get(id);
        if (previous) this.remove(previous);
        this.byId.set(id, entry);
      }
      this.all.add(entry);
      let inTrace = this.byTrace.get(asker.traceId);
      if (!inTrace) this.byTrace.set(asker.traceId, (inTrace = []));
      inTrace.push(entry);
      if (this.all.size > this.max) this.remove(this.all.values().next().value as Pending);
    }
  }

  /** Links to the round trips that asked for the calls answered now (in trace `traceId`), consumed. */
  answered(traceId: string | undefined, answers: readonly AnsweredCall[]): Link[] | undefined {
    if (answers.length === 0 || this.all.size === 0) return undefined;
    let links: Link[] | undefined;
    let askers: Set<string> | undefined;
    for (const answer of answers) {
      const entry = (answer.id ? this.byId.get(answer.id) : undefined) ?? this.byName(traceId, answer);
      if (!entry) continue;
      this.remove(entry);
      const spanId = entry.asker.spanId;
      (askers ??= new Set()).add(spanId);
      if (!links?.some((l) => l.context.spanId === spanId)) (links ??= []).push({ context: entry.asker });
    }
    // The turns answered now are done: their calls left unanswered never will be.
    if (askers && traceId) {
      for (const entry of [...(this.byTrace.get(traceId) ?? [])]) {
        if (askers.has(entry.asker.spanId)) this.remove(entry);
      }
    }
    return links;
  }

  /** The oldest pending call of that name in the trace, preferring one whose arguments the request echoes. */
  private byName(traceId: string | undefined, answer: AnsweredCall): Pending | undefined {
    if (!traceId || !answer.name) return undefined;
    const inTrace = this.byTrace.get(traceId);
    if (!inTrace) return undefined;
    let first: Pending | undefined;
    for (const entry of inTrace) {
      if (entry.name !== answer.name) continue;
      if (answer.args === undefined || sameValue(entry.args, answer.args)) return entry;
      first ??= entry;
    }
    return first;
  }

  private remove(entry: Pending): void {
    this.all.delete(entry);
    if (entry.id && this.byId.get(entry.id) === entry) this.byId.delete(entry.id);
    const inTrace = this.byTrace.get(entry.asker.traceId);
    if (!inTrace) return;
    const i = inTrace.indexOf(entry);
    if (i >= 0) inTrace.splice(i, 1);
    if (inTrace.length === 0) this.byTrace.delete(entry.asker.traceId);
  }
}

/** Structural equality of JSON-like values (function-call arguments), without serializing them. */
function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 16 || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

/**
 * 3.x automatic continuation (`generateContentWithContinuation`): one call,
 * several round trips, each after the first resuming from the token the one
 * before it stopped at. Each hop is its own request, billed apart, so each
 * keeps its own span, usage and cost; a hop links to the one before it and
 * carries its index. Keyed by token, bounded, oldest first out.
 */
export class ContinuationHops {
  private readonly byToken = new Map<string, { span: SpanContext; index: number }>();

  constructor(private readonly max = 256) {}

  /** The hop that stopped at `token` (or last resumed from it), if we saw it. */
  previous(token: string): { span: SpanContext; index: number } | undefined {
    return this.byToken.get(token);
  }

  /** A hop resumed from `token`: a retry from the same token follows this one. */
  resumed(token: string, span: SpanContext, index: number): void {
    if (this.byToken.has(token)) this.set(token, span, index);
  }

  /** A hop stopped at `token`; the token it resumed from is spent. */
  checkpoint(token: string, span: SpanContext, index: number, resumedFrom?: string): void {
    if (resumedFrom !== undefined && resumedFrom !== token) this.byToken.delete(resumedFrom);
    this.set(token, span, index);
  }

  private set(token: string, span: SpanContext, index: number): void {
    this.byToken.delete(token);
    this.byToken.set(token, { span, index });
    if (this.byToken.size > this.max) this.byToken.delete(this.byToken.keys().next().value as string);
  }
}
