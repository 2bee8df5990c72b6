/*
 * Checks of queries we ship (dashboard, cookbooks) against what the
 * instrumentation emitted: PromQL on the Prometheus names of our metrics,
 * TraceQL on our spans. Each returns the problems found, empty when none.
 */
import { prometheusSeries, spanAttributes, type Emitted } from './emitted';

/** What a PromQL expression uses: series names, label names, and `label="value"` matchers. */
export function promql(expr: string) {
  const labels = new Set<string>();
  const matchers: Array<[string, string, string]> = [];
  let rest = expr.replace(/\b(?:by|without|ignoring|on|group_left|group_right)\s*\(([^)]*)\)/g, (_, list: string) => {
    for (const l of list.split(',').map((s) => s.trim())) if (l) labels.add(l);
    return ' ';
  });
  rest = rest.replace(/\{([^}]*)\}/g, (_, body: string) => {
    for (const [, label, op, value] of body.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      labels.add(label);
      matchers.push([label, op, value]);
    }
    return ' ';
  });
  const series = [...rest.matchAll(/\b((?:gen_ai|gcp_gen_ai)_[a-zA-Z0-9_]+)\b/g)].map((m) => m[1]);
  return { series, labels, matchers };
}

export function promqlProblems(expr: string, e: Emitted): string[] {
  const known = prometheusSeries(e);
  const { series, labels, matchers } = promql(expr);
  const problems: string[] = [];
  if (series.length === 0) problems.push(`no metric of ours in ${expr}`);
  for (const s of series) {
    const found = known.get(s);
    if (!found) {
      problems.push(`no series ${s} (we emit ${[...known.keys()].join(', ')})`);
      continue;
    }
    for (const label of labels) if (!found.labels.has(label)) problems.push(`${s} has no label ${label}`);
    for (const [label, op, value] of matchers) {
      // An equality names a value we emit; regexes and inequalities against variables or "" are checked by name only.
      if (op === '=' && !value.includes('$') && !found.labels.get(label)?.has(value)) {
        problems.push(`${s}{${label}} is never "${value}"`);
      }
    }
  }
  return problems;
}

/**
 * What a TraceQL query asks of our spans that they do not have: each
 * `span.<attribute>` must be emitted, an `=` on a string must name an emitted
 * value, a number or boolean comparison must compare an attribute of that
 * type, and `name = "..."` must name an emitted span. Placeholders
 * (`${...}`) stand for any value.
 */
export function traceqlProblems(query: string, e: Emitted): string[] {
  const attributes = spanAttributes(e);
  const names = new Set(e.spans.map((s) => s.name));
  const problems: string[] = [];
  const condition = /\b(span\.[a-zA-Z0-9_.]+|name)\s*(=~|!~|!=|>=|<=|=|>|<)\s*("[^"]*"|nil|true|false|-?[\d.]+[a-z]*)/g;
  let found = 0;
  for (const [, subject, op, literal] of query.matchAll(condition)) {
    found++;
    if (subject === 'name') {
      if (op === '=' && !names.has(JSON.parse(literal))) problems.push(`no span is named ${literal}`);
      continue;
    }
    const key = subject.slice('span.'.length);
    const values = attributes.get(key);
    if (!values) {
      problems.push(`no span has ${key}`);
      continue;
    }
    if (literal === 'nil') continue;
    const seen = [...values];
    if (literal.startsWith('"')) {
      const value = JSON.parse(literal) as string;
      if (op === '=' && !value.includes('${') && !seen.includes(value)) problems.push(`${key} is never "${value}"`);
      else if (!seen.some((v) => typeof v === 'string')) problems.push(`${key} is not a string`);
    } else if (literal === 'true' || literal === 'false') {
      if (!seen.some((v) => typeof v === 'boolean')) problems.push(`${key} is not a boolean`);
    } else if (!seen.some((v) => typeof v === 'number')) {
      problems.push(`${key} is not a number`);
    }
  }
  // Every span.<attribute> in the query, compared or not (e.g. in a select() or a by()).
  for (const [, key] of query.matchAll(/\bspan\.([a-zA-Z0-9_.]*[a-zA-Z0-9_])/g)) {
    if (!attributes.has(key) && !problems.includes(`no span has ${key}`)) problems.push(`no span has ${key}`);
  }
  if (found === 0 && !/\bspan\./.test(query)) problems.push(`nothing of ours in ${query}`);
  return problems;
}
