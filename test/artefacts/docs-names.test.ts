/*
 * The names in the docs users copy from (docs/queries.md, docs/backends.md,
 * docs/collector/README.md) against what the instrumentation emits
 * (test/utils/emitted.ts): every TraceQL query, PromQL expression, Datadog
 * facet and attribute or metric name in backticks.
 */
import { emitted, spanAttributes, type Emitted } from '../utils/emitted';
import { promqlProblems, traceqlProblems } from '../utils/queries';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../utils/paths';

const DOCS = ['docs/queries.md', 'docs/backends.md', 'docs/collector/README.md'];

/** The queries and names a markdown page gives, by kind. */
function extract(markdown: string) {
  const traceql: string[] = [];
  const promql: string[] = [];
  const inline: string[] = [];
  for (const [, , body] of markdown.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
    for (const line of body.split('\n').map((l) => l.trim())) {
      if (line.startsWith('{')) traceql.push(line);
      else if (/\b(?:gen_ai|gcp_gen_ai)_\w+/.test(line) && line.includes('(')) promql.push(line);
    }
  }
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  for (const [, code] of prose.matchAll(/`([^`]+)`/g)) {
    if (/^\{ .*\}$/.test(code)) traceql.push(code);
    else inline.push(code);
  }
  return { traceql, promql, inline };
}

function nameProblems(code: string, e: Emitted): string[] {
  const attributes = spanAttributes(e);
  const spanNames = new Set(e.spans.map((s) => s.name));
  const metricNames = new Set(Object.keys(e.metrics));
  const metricAttributes = new Set(
    Object.values(e.metrics).flatMap((m) => m.points.flatMap((p) => Object.keys(p.attributes)))
  );
  const problems: string[] = [];
  // Datadog trace search: @attribute facets, resource_name:<span name>.
  for (const [, facet] of code.matchAll(/@([a-zA-Z_][\w.]*[\w])/g)) {
    if (facet !== 'duration' && !attributes.has(facet)) problems.push(`no span has ${facet} (${code})`);
  }
  for (const [, quoted, bare] of code.matchAll(/\bresource_name:(?:"([^"]+)"|(\S+))/g)) {
    const name = quoted ?? bare;
    if (![...spanNames].some((s) => s === name || s.startsWith(`${name} `))) problems.push(`no span is named ${name}`);
  }
  // Datadog metric queries: sum:<metric>{...} by {<tag>}.
  for (const [, metric, by] of code.matchAll(/\b(?:sum|avg|max|min|p\d+):([\w.]+)\{[^}]*\}(?: by \{([^}]*)\})?/g)) {
    if (!metricNames.has(metric)) problems.push(`no metric ${metric}`);
    for (const tag of (by ?? '').split(',').map((t) => t.trim())) {
      if (tag && !metricAttributes.has(tag)) problems.push(`no metric has ${tag}`);
    }
  }
  // A bare name of ours in backticks: an attribute, a metric, or a metric attribute we emit.
  if (/^(?:gen_ai|gcp\.gen_ai|enduser)\.[a-z0-9_.]*[a-z0-9_]$/.test(code)) {
    if (!attributes.has(code) && !metricNames.has(code) && !metricAttributes.has(code)) {
      problems.push(`we never emit ${code}`);
    }
  }
  return problems;
}

describe('docs: every name users copy is one we emit', function () {
  this.timeout(30000);
  let e: Emitted;
  before(async () => {
    e = await emitted();
  });

  for (const doc of DOCS) {
    it(doc, () => {
      const { traceql, promql, inline } = extract(readFileSync(path.join(REPO_ROOT, doc), 'utf8'));
      assert.ok(traceql.length + promql.length + inline.length > 0, 'the page names something');
      const problems = [
        ...traceql.flatMap((q) => traceqlProblems(q, e).map((p) => `${p} in ${q}`)),
        ...promql.flatMap((q) => promqlProblems(q, e).map((p) => `${p} in ${q}`)),
        ...inline.flatMap((code) => nameProblems(code, e)),
      ];
      assert.deepEqual(problems, []);
    });
  }

  it('the checks can fail: a misspelt facet, span name, metric or attribute is reported', () => {
    assert.notDeepEqual(nameProblems('@gen_ai.response.finish_reason:SAFETY', e), []);
    assert.notDeepEqual(nameProblems('resource_name:agent.runs', e), []);
    assert.notDeepEqual(nameProblems('sum:gen_ai.client.costs{*} by {enduser.id}', e), []);
    assert.notDeepEqual(nameProblems('sum:gen_ai.client.cost{*} by {enduser.role}', e), []);
    assert.notDeepEqual(nameProblems('gen_ai.usage.cached_tokens', e), []);
    assert.deepEqual(nameProblems('gen_ai.usage.cache_read.input_tokens', e), []);
  });
});
