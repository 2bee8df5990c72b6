/*
 * Prints finished spans as the indented tree a trace viewer would draw, with
 * durations and the attributes people look at first.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

const KEY_ATTRIBUTES: Array<[string, string]> = [
  ['gen_ai.provider.name', 'provider'],
  ['gen_ai.request.model', 'model'],
  ['gen_ai.response.model', 'response.model'],
  ['gen_ai.usage.input_tokens', 'in'],
  ['gen_ai.usage.output_tokens', 'out'],
  ['gen_ai.usage.reasoning.output_tokens', 'reasoning'],
  ['gen_ai.response.finish_reasons', 'finish'],
  ['gen_ai.response.chunk_count', 'chunks'],
  ['gen_ai.response.time_to_first_chunk', 'ttfc'],
  ['gcp.gen_ai.stream.outcome', 'stream'],
  ['gcp.gen_ai.agent.inference_calls', 'round_trips'],
  ['gcp.gen_ai.agent.tool_calls', 'tool_calls'],
  ['gcp.gen_ai.agent.max_remote_calls_reached', 'max_calls_reached'],
  ['gcp.gen_ai.response.prompt_block_reason', 'blocked'],
  ['error.type', 'error.type'],
  ['gen_ai.cost.usd', 'cost'],
];

function durationMs(span: ReadableSpan): number {
  const [s, ns] = span.duration;
  return s * 1e3 + ns / 1e6;
}

function describe(span: ReadableSpan): string {
  const parts: string[] = [];
  for (const [key, label] of KEY_ATTRIBUTES) {
    const value = span.attributes[key];
    if (value === undefined) continue;
    if (key === 'gen_ai.response.time_to_first_chunk') parts.push(`${label}=${(Number(value) * 1000).toFixed(0)}ms`);
    else if (key === 'gen_ai.cost.usd') parts.push(`${label}=$${Number(value).toFixed(6)}`);
    else parts.push(`${label}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  }
  if (span.status.code === SpanStatusCode.ERROR) parts.push('status=ERROR');
  return parts.join(' ');
}

/** The spans of each trace as a tree, children in start order. */
export function formatTrace(spans: readonly ReadableSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  const children = new Map<string | undefined, ReadableSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent && ids.has(parent) ? parent : undefined;
    children.set(key, [...(children.get(key) ?? []), span]);
  }
  const byStart = (a: ReadableSpan, b: ReadableSpan) =>
    a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1];
  const lines: string[] = [];
  const walk = (span: ReadableSpan, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? '' : last ? '└─ ' : '├─ ';
    const kind = SpanKind[span.kind];
    const head = `${prefix}${branch}${span.name} [${kind}]`;
    lines.push(`${head.padEnd(60)} ${durationMs(span).toFixed(1).padStart(8)} ms  ${describe(span)}`.trimEnd());
    const kids = [...(children.get(span.spanContext().spanId) ?? [])].sort(byStart);
    const nextPrefix = root ? '' : prefix + (last ? '   ' : '│  ');
    kids.forEach((kid, i) => walk(kid, nextPrefix, i === kids.length - 1, false));
  };
  const roots = [...(children.get(undefined) ?? [])].sort(byStart);
  for (const root of roots) walk(root, '', true, true);
  return lines.join('\n');
}
