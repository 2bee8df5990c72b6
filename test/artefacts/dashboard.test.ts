/*
 * dashboards/gemini-genai.json against what the instrumentation emits: every
 * metric, label and label value its PromQL queries, and every name its
 * TraceQL drill-down links use, exist in the workload's output
 * (test/utils/emitted.ts); the panels the issue asks for are there; and the
 * JSON is what scripts/dashboard.mjs generates.
 */
import { emitted, prometheusSeries, type Emitted } from '../utils/emitted';
import { promqlProblems, traceqlProblems } from '../utils/queries';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../utils/paths';

interface Target {
  expr: string;
}
interface Link {
  title: string;
  url: string;
}
interface Panel {
  title: string;
  type: string;
  targets: Target[];
  links?: Link[];
  fieldConfig: { defaults: { links?: Link[] } };
}

const FILE = path.join(REPO_ROOT, 'dashboards', 'gemini-genai.json');
const json = readFileSync(FILE, 'utf8');
const dashboard = JSON.parse(json) as {
  panels: Panel[];
  templating: { list: Array<{ name: string; definition: string }> };
};

/** The TraceQL query of an Explore link. */
function traceqlOf(url: string): string {
  const panes = JSON.parse(decodeURIComponent(new URL(url, 'http://grafana').searchParams.get('panes')!)) as Record<
    string,
    { queries: Array<{ queryType: string; query: string }> }
  >;
  const query = Object.values(panes)[0].queries[0];
  assert.equal(query.queryType, 'traceql');
  return query.query;
}

describe('dashboards: the Grafana dashboard queries what we emit', function () {
  this.timeout(30000);
  let e: Emitted;
  before(async () => {
    e = await emitted();
  });

  it('is what scripts/dashboard.mjs generates', () => {
    const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'dashboard.mjs'), '--print'], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(json, run.stdout, 'run `node scripts/dashboard.mjs` after editing it');
  });

  it('has the panels: P95/P99 latency, tokens per hour, finish reasons, time to first chunk, cost per model and per user', () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const wanted of [
      /P95 \/ P99/,
      /Tokens per hour/,
      /Finish reasons/,
      /Time to first chunk/,
      /Cost per model/,
      /users by cost/,
    ]) {
      assert.ok(
        titles.some((t) => wanted.test(t)),
        `a panel like ${wanted}`
      );
    }
  });

  for (const panel of dashboard.panels) {
    it(`${panel.title}: its PromQL and its "drill into traces" TraceQL use names we emit`, () => {
      assert.ok(panel.targets.length > 0);
      const problems = panel.targets.flatMap((t) => promqlProblems(t.expr, e));
      const links = [...(panel.links ?? []), ...(panel.fieldConfig.defaults.links ?? [])];
      assert.ok(
        links.some((l) => l.title === 'Drill into traces'),
        'a drill-down link'
      );
      for (const link of links) problems.push(...traceqlProblems(traceqlOf(link.url), e));
      assert.deepEqual(problems, []);
    });
  }

  it('the model variable lists a label of an emitted series', () => {
    const model = dashboard.templating.list.find((v) => v.name === 'model')!;
    const [, series, label] = /^label_values\((\w+), (\w+)\)$/.exec(model.definition)!;
    assert.ok(prometheusSeries(e).get(series)?.labels.has(label), model.definition);
  });

  it('the checks can fail: a misspelt metric, label, value or attribute is reported', () => {
    assert.notDeepEqual(promqlProblems('sum(rate(gen_ai_client_operation_duration_bucket[5m]))', e), []);
    assert.notDeepEqual(
      promqlProblems('sum by (model) (rate(gen_ai_client_operation_duration_seconds_count[5m]))', e),
      []
    );
    assert.notDeepEqual(
      promqlProblems('rate(gcp_gen_ai_client_finish_reasons_total{gcp_gen_ai_response_finish_reason="LENGTH"}[5m])', e),
      []
    );
    assert.notDeepEqual(traceqlProblems('{ span.gen_ai.response.finish_reason = "SAFETY" }', e), []);
    assert.notDeepEqual(traceqlProblems('{ span.gen_ai.response.finish_reasons = "length" }', e), []);
    assert.notDeepEqual(traceqlProblems('{ name = "agent_run" }', e), []);
    assert.notDeepEqual(traceqlProblems('{ span.gen_ai.cost.usd = true }', e), []);
  });

  it("queries are parsed with the backends' grammars: one Prometheus or Tempo would reject is reported", () => {
    const duration = 'gen_ai_client_operation_duration_seconds_count';
    assert.deepEqual(promqlProblems(`sum by (gen_ai_request_model) (rate(${duration}[5m]))`, e), []);
    assert.deepEqual(promqlProblems(`sum(rate(${duration}[5m])`, e), [`syntax error at 60: …`]);
    assert.deepEqual(promqlProblems(`rate(${duration}{gen_ai_request_model="x"[5m])`, e).length > 0, true);
    // A label is checked on the series it applies to, not on every series of the expression.
    assert.deepEqual(
      promqlProblems(
        `sum by (gen_ai_token_type) (rate(gen_ai_client_token_usage_sum[5m])) / ignoring(gen_ai_token_type) group_left sum(rate(${duration}[5m]))`,
        e
      ),
      []
    );
    assert.deepEqual(promqlProblems(`sum by (gen_ai_token_type) (rate(${duration}[5m]))`, e), [
      `${duration} has no label gen_ai_token_type`,
    ]);
    assert.deepEqual(
      traceqlProblems('{ span.gen_ai.operation.name = "generate_content" } | select(span.gen_ai.request.model)', e),
      []
    );
    assert.deepEqual(traceqlProblems('{ span.gen_ai.usage.input_tokens > }', e).length > 0, true);
    assert.deepEqual(traceqlProblems('{ span.gen_ai.usage.input_tokens > 10 } | by(span.gen_ai.nope)', e), [
      'no span has gen_ai.nope',
    ]);
  });
});
