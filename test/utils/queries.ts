/*
 * Checks of queries we ship (dashboard, cookbooks) against what the
 * instrumentation emitted: PromQL on the Prometheus names of our metrics,
 * TraceQL on our spans. Each query is parsed with its backend's own grammar
 * (@prometheus-io/lezer-promql, the grammar of Prometheus's query editor;
 * @grafana/lezer-traceql, Grafana's for Tempo), so a query that the backend
 * would reject fails here too; then every name it uses must be one we emit.
 * Each returns the problems found, empty when none.
 */
import type { SyntaxNode, Tree } from '@lezer/common';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { prometheusSeries, spanAttributes, type Emitted } from './emitted';

/** Where the grammar found no valid parse, as "at <offset>: <text>". */
function syntaxErrors(tree: Tree, query: string): string[] {
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: …${query.slice(node.from, node.from + 20)}`);
    },
  });
  return errors;
}

function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const cursor = node.cursor();
  const end = node.to;
  do {
    if (cursor.name === name) found.push(cursor.node);
  } while (cursor.next() && cursor.from < end);
  return found;
}

/** Grafana's interval variables stand for a duration; the other variables sit inside strings. */
const GRAFANA_DURATION = /\$(?:__rate_interval|__interval|__range)\b/g;

/** What a PromQL expression uses, read from its syntax tree: each selector's series and its matchers, and the labels it groups or matches on. */
export function promql(expr: string) {
  const source = expr.replace(GRAFANA_DURATION, '5m');
  const tree = promqlParser.parse(source);
  const text = (n: SyntaxNode) => source.slice(n.from, n.to);
  const selectors = descendants(tree.topNode, 'VectorSelector').map((selector) => ({
    series: selector.getChild('Identifier') ? text(selector.getChild('Identifier')!) : undefined,
    matchers: descendants(selector, 'UnquotedLabelMatcher').map((m) => {
      const value = m.getChild('StringLiteral');
      return [
        text(m.getChild('LabelName')!),
        text(m.getChild('MatchOp')!),
        value ? (JSON.parse(text(value)) as string) : '',
      ] as [string, string, string];
    }),
  }));
  // by/without name labels of every series aggregated; on/ignoring, of the series on one side at least.
  const grouping: Array<{ labels: string[]; series: string[]; every: boolean }> = [];
  for (const clause of [
    ...descendants(tree.topNode, 'AggregateModifier'),
    ...descendants(tree.topNode, 'MatchingModifierClause'),
  ]) {
    const scope = clause.parent!;
    grouping.push({
      every: clause.name === 'AggregateModifier',
      labels: descendants(clause, 'LabelName').map(text),
      series: descendants(scope, 'VectorSelector').flatMap((s) =>
        s.getChild('Identifier') ? [text(s.getChild('Identifier')!)] : []
      ),
    });
  }
  return { errors: syntaxErrors(tree, source), selectors, grouping };
}

export function promqlProblems(expr: string, e: Emitted): string[] {
  const known = prometheusSeries(e);
  const { errors, selectors, grouping } = promql(expr);
  const problems = [...errors];
  const ours = selectors.filter((s) => s.series && /^(?:gen_ai|gcp_gen_ai)_/.test(s.series));
  if (ours.length === 0) problems.push(`no metric of ours in ${expr}`);
  for (const { series, matchers } of ours) {
    const found = known.get(series!);
    if (!found) {
      problems.push(`no series ${series} (we emit ${[...known.keys()].join(', ')})`);
      continue;
    }
    for (const [label, op, value] of matchers) {
      if (!found.labels.has(label)) problems.push(`${series} has no label ${label}`);
      // An equality names a value we emit; regexes and inequalities against variables or "" are checked by name only.
      else if (op === '=' && !value.includes('$') && !found.labels.get(label)!.has(value)) {
        problems.push(`${series}{${label}} is never "${value}"`);
      }
    }
  }
  for (const { labels, series, every } of grouping) {
    const found = series.flatMap((s) => (known.has(s) ? [[s, known.get(s)!.labels] as const] : []));
    for (const label of labels) {
      const lacking = found.filter(([, has]) => !has.has(label));
      if (every || lacking.length === found.length)
        for (const [s] of lacking) problems.push(`${s} has no label ${label}`);
    }
  }
  return [...new Set(problems)];
}

/**
 * What a TraceQL query asks of our spans that they do not have, read from
 * its syntax tree: each `span.<attribute>` (compared, selected or grouped by)
 * must be emitted, an `=` on a string must name an emitted value, a number
 * or boolean comparison must compare an attribute of that type, and
 * `name = "..."` must name an emitted span. Placeholders (`${...}`) in a
 * string stand for any value.
 */
export function traceqlProblems(query: string, e: Emitted): string[] {
  const attributes = spanAttributes(e);
  const names = new Set(e.spans.map((s) => s.name));
  const tree = traceqlParser.parse(query);
  const text = (n: SyntaxNode) => query.slice(n.from, n.to);
  const problems = syntaxErrors(tree, query);
  const spanAttribute = (field: SyntaxNode | null) =>
    field?.name === 'AttributeField' && field.getChild('Span') ? text(field.getChild('Identifier')!) : undefined;

  const used = descendants(tree.topNode, 'AttributeField').flatMap((f) => spanAttribute(f) ?? []);
  for (const key of new Set(used)) if (!attributes.has(key)) problems.push(`no span has ${key}`);
  let conditions = 0;
  for (const comparison of descendants(tree.topNode, 'FieldExpression')) {
    const op = comparison.getChild('FieldOp');
    const [left, right] = comparison.getChildren('FieldExpression');
    const literal = right?.getChild('Static');
    if (!op || !left || !literal) continue;
    const value = text(literal);
    const subject = left.firstChild;
    if (subject?.name === 'IntrinsicField' && text(subject) === 'name') {
      conditions++;
      if (text(op) === '=' && value.startsWith('"') && !names.has(JSON.parse(value))) {
        problems.push(`no span is named ${value}`);
      }
      continue;
    }
    const key = spanAttribute(subject);
    if (!key) continue;
    conditions++;
    const seen = [...(attributes.get(key) ?? [])];
    if (seen.length === 0 || value === 'nil') continue;
    if (literal.getChild('String')) {
      const s = JSON.parse(value) as string;
      if (text(op) === '=' && !s.includes('${') && !seen.includes(s)) problems.push(`${key} is never "${s}"`);
      else if (!seen.some((v) => typeof v === 'string')) problems.push(`${key} is not a string`);
    } else if (value === 'true' || value === 'false') {
      if (!seen.some((v) => typeof v === 'boolean')) problems.push(`${key} is not a boolean`);
    } else if (!seen.some((v) => typeof v === 'number')) {
      problems.push(`${key} is not a number`);
    }
  }
  if (conditions === 0 && used.length === 0) problems.push(`nothing of ours in ${query}`);
  return problems;
}
