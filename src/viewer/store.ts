/*
 * What the viewer keeps, in memory only: the last `maxTraces` traces (the one
 * updated longest ago goes first), the log records that belong to them, and
 * running totals per model and per (hashed) user from the metrics.
 */
import { attributesKey, type Attrs, type MetricPoint, type ViewLog, type ViewSpan } from './otlp.js';

const TOKEN_USAGE = 'gen_ai.client.token.usage';
const DURATION = 'gen_ai.client.operation.duration';
/** Ours (README, Semantic Conventions): USD at list prices, with enduser.id when the call had one. */
const COST = 'gen_ai.client.cost';
const CLIENT = 3;
const ERROR = 2;

export interface TraceSummary {
  traceId: string;
  /** The root span's name (the earliest span's when the root has not arrived). */
  root: string;
  service: string;
  start: number;
  durationMs: number;
  spans: number;
  /** CLIENT spans of a GenAI operation: the model round trips, agent runs and the like. */
  modelCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  errors: number;
  models: string[];
}

export interface TraceDetail {
  summary: TraceSummary;
  /** By start time. */
  spans: ViewSpan[];
  logs: ViewLog[];
}

export interface Totals {
  models: Array<{
    model: string;
    calls: number;
    errors: number;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
  }>;
  users: Array<{ user: string; costUsd: number }>;
}

interface Trace {
  spans: Map<string, ViewSpan>;
  logs: ViewLog[];
  summary?: TraceSummary;
}

export interface StoreOptions {
  maxTraces?: number;
  /** Spans kept per trace; a trace's later spans beyond it are dropped. */
  maxSpansPerTrace?: number;
  /** Metric series kept. */
  maxSeries?: number;
}

/** Whether a span is a GenAI operation a client made (counted as a model call). */
export const isModelCall = (s: ViewSpan): boolean =>
  s.kind === CLIENT && typeof s.attributes['gen_ai.operation.name'] === 'string';

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export class ViewerStore {
  readonly maxTraces: number;
  private readonly maxSpans: number;
  private readonly maxSeries: number;
  /** In order of last update: the first is evicted first. */
  private readonly traces = new Map<string, Trace>();
  /** Per metric series: the latest cumulative point, or the sum of delta points. */
  private readonly series = new Map<string, MetricPoint>();
  private listeners = new Set<() => void>();
  /** Bumped on every change; the page asks again when it moves. */
  version = 0;
  dropped = { traces: 0, spans: 0 };

  constructor(options: StoreOptions = {}) {
    this.maxTraces = Math.max(1, options.maxTraces ?? 200);
    this.maxSpans = Math.max(1, options.maxSpansPerTrace ?? 10_000);
    this.maxSeries = Math.max(1, options.maxSeries ?? 10_000);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  addSpans(spans: ViewSpan[]): void {
    for (const span of spans) {
      const trace = this.touch(span.traceId);
      if (trace.spans.size >= this.maxSpans && !trace.spans.has(span.spanId)) {
        this.dropped.spans++;
        continue;
      }
      trace.spans.set(span.spanId, span);
      trace.summary = undefined;
    }
    if (spans.length > 0) this.changed();
  }

  addLogs(logs: ViewLog[]): void {
    let added = false;
    for (const log of logs) {
      // A record outside any trace has no place on the page.
      if (!log.traceId) continue;
      const trace = this.touch(log.traceId);
      if (trace.logs.length < this.maxSpans) trace.logs.push(log);
      added = true;
    }
    if (added) this.changed();
  }

  addMetrics(points: MetricPoint[]): void {
    let added = false;
    for (const p of points) {
      if (p.metric !== TOKEN_USAGE && p.metric !== DURATION && p.metric !== COST) continue;
      const attrs = attributesKey(p.attributes);
      // A cumulative series is one per start time (a restarted app starts another); delta points add up.
      const key = `${p.resource}|${p.metric}|${attrs}|${p.temporality === 1 ? '' : p.startNs}`;
      const known = this.series.get(key);
      if (known && p.temporality === 1) {
        known.value += p.value;
        if (p.count !== undefined) known.count = (known.count ?? 0) + p.count;
      } else if (known || this.series.size < this.maxSeries) {
        this.series.set(key, { ...p });
      }
      added = true;
    }
    if (added) this.changed();
  }

  /** Newest first, traces with at least one span. */
  list(): TraceSummary[] {
    const out: TraceSummary[] = [];
    for (const [id, trace] of this.traces) if (trace.spans.size > 0) out.push(this.summaryOf(id, trace));
    return out.sort((a, b) => b.start - a.start);
  }

  get(traceId: string): TraceDetail | undefined {
    const trace = this.traces.get(traceId);
    if (!trace || trace.spans.size === 0) return undefined;
    return {
      summary: this.summaryOf(traceId, trace),
      spans: [...trace.spans.values()].sort((a, b) => a.start - b.start),
      logs: [...trace.logs].sort((a, b) => a.time - b.time),
    };
  }

  get size(): number {
    return this.traces.size;
  }

  totals(): Totals {
    const models = new Map<string, Totals['models'][number]>();
    const users = new Map<string, number>();
    const model = (a: Attrs) => {
      const name = String(a['gen_ai.response.model'] ?? a['gen_ai.request.model'] ?? '(no model)');
      let row = models.get(name);
      if (!row) {
        row = { model: name, calls: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
        models.set(name, row);
      }
      return row;
    };
    for (const p of this.series.values()) {
      const a = p.attributes;
      if (p.metric === DURATION) {
        const row = model(a);
        row.calls += p.count ?? 0;
        if (a['error.type'] !== undefined) row.errors += p.count ?? 0;
      } else if (p.metric === TOKEN_USAGE) {
        const row = model(a);
        if (a['gen_ai.token.type'] === 'input') row.inputTokens += p.value;
        else if (a['gen_ai.token.type'] === 'output') row.outputTokens += p.value;
      } else if (p.metric === COST) {
        model(a).costUsd += p.value;
        const user = typeof a['enduser.id'] === 'string' ? a['enduser.id'] : '(no user)';
        users.set(user, (users.get(user) ?? 0) + p.value);
      }
    }
    return {
      models: [...models.values()].sort((a, b) => b.costUsd - a.costUsd || b.calls - a.calls),
      users: [...users].map(([user, costUsd]) => ({ user, costUsd })).sort((a, b) => b.costUsd - a.costUsd),
    };
  }

  private touch(traceId: string): Trace {
    let trace = this.traces.get(traceId);
    if (trace) {
      // Most recently updated last: eviction takes from the front.
      this.traces.delete(traceId);
    } else {
      trace = { spans: new Map(), logs: [] };
      while (this.traces.size >= this.maxTraces) {
        const oldest = this.traces.keys().next().value as string;
        this.traces.delete(oldest);
        this.dropped.traces++;
      }
    }
    this.traces.set(traceId, trace);
    return trace;
  }

  private summaryOf(traceId: string, trace: Trace): TraceSummary {
    if (trace.summary) return trace.summary;
    let root: ViewSpan | undefined;
    let first: ViewSpan | undefined;
    let start = Infinity;
    let end = -Infinity;
    let modelCalls = 0;
    let inputTokens = 0;
    let outputTokens = 0;
    let costUsd = 0;
    let errors = 0;
    const models = new Set<string>();
    for (const s of trace.spans.values()) {
      if (!s.parentSpanId || !trace.spans.has(s.parentSpanId)) {
        // A true root (no parent) before an orphan whose parent has not arrived; then the earliest.
        if (!root || (!!root.parentSpanId === !!s.parentSpanId ? s.start < root.start : !s.parentSpanId)) root = s;
      }
      if (!first || s.start < first.start) first = s;
      start = Math.min(start, s.start);
      end = Math.max(end, s.end);
      if (s.status.code === ERROR) errors++;
      if (!isModelCall(s)) continue;
      modelCalls++;
      inputTokens += num(s.attributes['gen_ai.usage.input_tokens']);
      outputTokens += num(s.attributes['gen_ai.usage.output_tokens']);
      costUsd += num(s.attributes['gen_ai.cost.usd']);
      const m = s.attributes['gen_ai.response.model'] ?? s.attributes['gen_ai.request.model'];
      if (typeof m === 'string') models.add(m);
    }
    const top = root ?? first!;
    trace.summary = {
      traceId,
      root: top.name,
      service: top.service,
      start,
      durationMs: Math.max(0, end - start),
      spans: trace.spans.size,
      modelCalls,
      inputTokens,
      outputTokens,
      costUsd,
      errors,
      models: [...models].sort(),
    };
    return trace.summary;
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
