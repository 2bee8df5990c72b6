/*
 * Prints finished spans as the indented tree a trace viewer would draw, with
 * durations and the attributes people look at first.
 */
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

const KEY_ATTRIBUTES: Array<[string, string]> = [
  ['gen_ai.provider.name', 'provider'],
  ['gen_ai.request.model', 'model'],
  ['gen_ai.agent.name', 'agent'],
  ['gen_ai.response.model', 'response.model'],
  ['gen_ai.usage.input_tokens', 'in'],
  ['gen_ai.usage.output_tokens', 'out'],
  ['gen_ai.usage.reasoning.output_tokens', 'reasoning'],
  ['gen_ai.response.finish_reasons', 'finish'],
  ['gen_ai.response.chunk_count', 'chunks'],
  ['gen_ai.response.time_to_first_chunk', 'ttfc'],
  ['gcp.gen_ai.stream.outcome', 'stream'],
  ['gen_ai.response.status', 'response.status'],
  ['gcp.gen_ai.agent.inference_calls', 'round_trips'],
  ['gcp.gen_ai.agent.tool_calls', 'tool_calls'],
  ['gcp.gen_ai.agent.max_remote_calls_reached', 'max_calls_reached'],
  ['gcp.gen_ai.response.prompt_block_reason', 'blocked'],
  ['enduser.id', 'user'],
  ['enduser.role', 'role'],
  ['error.type', 'error.type'],
  ['gen_ai.cost.usd', 'cost'],
];

/** What the tree needs of a span: from the SDK (`ReadableSpan`) or from an OTLP export. */
export interface TreeSpan {
  name: string;
  kind: SpanKind;
  spanId: string;
  parentSpanId?: string;
  startNs: bigint;
  durationMs: number;
  attributes: Attributes;
  error: boolean;
  /** Shown after the name when spans come from several services. */
  service?: string;
}

function describe(span: TreeSpan): string {
  const parts: string[] = [];
  for (const [key, label] of KEY_ATTRIBUTES) {
    const value = span.attributes[key];
    if (value === undefined) continue;
    if (key === 'gen_ai.response.time_to_first_chunk') parts.push(`${label}=${(Number(value) * 1000).toFixed(0)}ms`);
    else if (key === 'gen_ai.cost.usd') parts.push(`${label}=$${Number(value).toFixed(6)}`);
    else parts.push(`${label}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  }
  if (span.error) parts.push('status=ERROR');
  return parts.join(' ');
}

function fromReadable(span: ReadableSpan): TreeSpan {
  const [s, ns] = span.duration;
  return {
    name: span.name,
    kind: span.kind,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    startNs: BigInt(span.startTime[0]) * 1_000_000_000n + BigInt(span.startTime[1]),
    durationMs: s * 1e3 + ns / 1e6,
    attributes: span.attributes,
    error: span.status.code === SpanStatusCode.ERROR,
  };
}

/** The spans of each trace as a tree, children in start order. */
export function formatTrace(spans: readonly ReadableSpan[]): string {
  return formatSpans(spans.map(fromReadable));
}

/** The same tree from any spans; `[service]` follows a name when the spans come from more than one service. */
export function formatSpans(spans: readonly TreeSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const services = new Set(spans.map((s) => s.service));
  const children = new Map<string | undefined, TreeSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId;
    const key = parent && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const byStart = (a: TreeSpan, b: TreeSpan) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0);
  const lines: string[] = [];
  const walk = (span: TreeSpan, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? '' : last ? '└─ ' : '├─ ';
    const service = services.size > 1 && span.service ? ` (${span.service})` : '';
    const head = `${prefix}${branch}${span.name} [${SpanKind[span.kind]}]${service}`;
    lines.push(`${head.padEnd(60)} ${span.durationMs.toFixed(1).padStart(8)} ms  ${describe(span)}`.trimEnd());
    const kids = [...(children.get(span.spanId) ?? [])].sort(byStart);
    const nextPrefix = root ? '' : prefix + (last ? '   ' : '│  ');
    kids.forEach((kid, i) => walk(kid, nextPrefix, i === kids.length - 1, false));
  };
  const roots = [...(children.get(undefined) ?? [])].sort(byStart);
  for (const root of roots) walk(root, '', true, true);
  return lines.join('\n');
}
