// Writes dashboards/gemini-genai.json, the Grafana dashboard on our metrics, from the panels below:
// `node scripts/dashboard.mjs` after editing them. `--print` writes it to stdout instead (the test compares
// the two, so the committed JSON never drifts from this source).
//
// Metric and label names are the Prometheus names of what the instrumentation emits (OTLP metrics
// translated with suffixes: `gen_ai.client.operation.duration` in `s` becomes
// `gen_ai_client_operation_duration_seconds`, attribute `gen_ai.request.model` becomes label
// `gen_ai_request_model`). Each panel links to the matching traces in Tempo (TraceQL).
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboards', 'gemini-genai.json');
const PROM = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
const TEMPO = { type: 'tempo', uid: '${DS_TEMPO}' };
const MODEL = 'gen_ai_request_model=~"$model"';

/** A Grafana Explore URL running `traceql` in Tempo over the dashboard's time range. */
function explore(traceql) {
  const panes = {
    traces: {
      datasource: '${DS_TEMPO}',
      queries: [{ refId: 'A', datasource: TEMPO, queryType: 'traceql', query: traceql, limit: 50 }],
      range: { from: '${__from}', to: '${__to}' },
    },
  };
  // Placeholders stay readable: Grafana replaces them before the link is followed (and on import, for ${DS_TEMPO}).
  const encoded = encodeURIComponent(JSON.stringify(panes)).replace(/%24%7B([A-Za-z_.:]+)%7D/g, '${$1}');
  return `/explore?schemaVersion=1&orgId=1&panes=${encoded}`;
}

let nextId = 1;
function panel({
  title,
  description,
  type = 'timeseries',
  w = 12,
  h = 8,
  targets,
  traceql,
  unit,
  options,
  fieldLinks,
}) {
  const id = nextId++;
  const x = ((id - 1) % 2) * 12;
  const y = Math.floor((id - 1) / 2) * 8;
  return {
    id,
    type,
    title,
    description,
    datasource: PROM,
    gridPos: { x, y, w, h },
    targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource: PROM, ...t })),
    fieldConfig: {
      defaults: { ...(unit ? { unit } : {}), ...(fieldLinks ? { links: fieldLinks } : {}) },
      overrides: [],
    },
    options: options ?? { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] } },
    links: [{ title: 'Drill into traces', url: explore(traceql) }],
  };
}

const panels = [
  panel({
    title: 'Latency P95 / P99 by model',
    description: 'gen_ai.client.operation.duration: every generate_content round trip, streams to their last chunk.',
    unit: 's',
    targets: [
      {
        expr: `histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate(gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="generate_content", ${MODEL}}[$__rate_interval])))`,
        legendFormat: 'P95 {{gen_ai_request_model}}',
      },
      {
        expr: `histogram_quantile(0.99, sum by (le, gen_ai_request_model) (rate(gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="generate_content", ${MODEL}}[$__rate_interval])))`,
        legendFormat: 'P99 {{gen_ai_request_model}}',
      },
    ],
    traceql: '{ span.gen_ai.operation.name = "generate_content" && duration > 5s }',
  }),
  panel({
    title: 'Tokens per hour by model',
    description: 'gen_ai.client.token.usage, input and output (thinking tokens count as output).',
    type: 'barchart',
    unit: 'short',
    targets: [
      {
        expr: `sum by (gen_ai_request_model, gen_ai_token_type) (increase(gen_ai_client_token_usage_sum{${MODEL}}[1h]))`,
        legendFormat: '{{gen_ai_request_model}} {{gen_ai_token_type}}',
        interval: '1h',
      },
    ],
    traceql: '{ span.gen_ai.operation.name = "generate_content" && span.gen_ai.usage.output_tokens > 4096 }',
    options: { legend: { displayMode: 'list', placement: 'bottom' }, stacking: 'normal', xTickLabelSpacing: 100 },
  }),
  panel({
    title: 'Finish reasons (share of candidates)',
    description:
      'gcp.gen_ai.client.finish_reasons: STOP is a normal end; SAFETY was filtered; MAX_TOKENS was cut at the token limit.',
    unit: 'percentunit',
    targets: [
      {
        expr: `sum by (gcp_gen_ai_response_finish_reason) (rate(gcp_gen_ai_client_finish_reasons_total{${MODEL}}[$__rate_interval])) / ignoring (gcp_gen_ai_response_finish_reason) group_left sum(rate(gcp_gen_ai_client_finish_reasons_total{${MODEL}}[$__rate_interval]))`,
        legendFormat: '{{gcp_gen_ai_response_finish_reason}}',
      },
    ],
    traceql: '{ span.gen_ai.response.finish_reasons = "SAFETY" || span.gen_ai.response.finish_reasons = "MAX_TOKENS" }',
    options: { legend: { displayMode: 'table', placement: 'right', calcs: ['mean'] }, stacking: { mode: 'percent' } },
  }),
  panel({
    title: 'Time to first chunk (streams)',
    description: 'gen_ai.client.operation.time_to_first_chunk: the wait the user feels before text appears.',
    type: 'heatmap',
    targets: [
      {
        expr: `sum by (le) (increase(gen_ai_client_operation_time_to_first_chunk_seconds_bucket{${MODEL}}[$__rate_interval]))`,
        format: 'heatmap',
        legendFormat: '{{le}}',
      },
    ],
    traceql: '{ span.gen_ai.request.stream = true && span.gen_ai.response.time_to_first_chunk > 2 }',
    options: { calculate: false, yAxis: { unit: 's' }, cellGap: 1, color: { scheme: 'Oranges', mode: 'scheme' } },
  }),
  panel({
    title: 'Cost per model (USD per hour)',
    description: 'gen_ai.client.cost at list prices (see the README, "Cost").',
    type: 'barchart',
    unit: 'currencyUSD',
    targets: [
      {
        expr: `sum by (gen_ai_request_model) (increase(gen_ai_client_cost_USD_total{${MODEL}}[1h]))`,
        legendFormat: '{{gen_ai_request_model}}',
        interval: '1h',
      },
    ],
    traceql: '{ span.gen_ai.cost.usd > 0.05 }',
    options: { legend: { displayMode: 'list', placement: 'bottom' }, stacking: 'normal', xTickLabelSpacing: 100 },
  }),
  panel({
    title: 'Top 10 users by cost (hashed enduser.id, last 24 h)',
    description:
      "gen_ai.client.cost per hashed end user (HMAC of the id: the same user has the same hash in every process). Click a bar for that user's traces.",
    type: 'bargauge',
    unit: 'currencyUSD',
    targets: [
      {
        expr: `topk(10, sum by (enduser_id) (increase(gen_ai_client_cost_USD_total{enduser_id!="", ${MODEL}}[24h])))`,
        legendFormat: '{{enduser_id}}',
        instant: true,
      },
    ],
    traceql: '{ span.enduser.id != nil && span.gen_ai.cost.usd > 0.01 }',
    fieldLinks: [{ title: "This user's traces", url: explore('{ span.enduser.id = "${__field.labels.enduser_id}" }') }],
    options: { orientation: 'horizontal', displayMode: 'gradient', reduceOptions: { calcs: ['lastNotNull'] } },
  }),
  panel({
    title: 'Failures by error.type',
    description: "Failed round trips: 429 is quota, 503 an overloaded model, AbortError the app's own timeout.",
    unit: 'reqps',
    targets: [
      {
        expr: `sum by (error_type, gen_ai_request_model) (rate(gen_ai_client_operation_duration_seconds_count{error_type!="", ${MODEL}}[$__rate_interval]))`,
        legendFormat: '{{error_type}} {{gen_ai_request_model}}',
      },
    ],
    traceql: '{ span.gen_ai.operation.name = "generate_content" && status = error }',
  }),
  panel({
    title: 'Function-calling loops: round trips per run (P95)',
    description: 'gen_ai.invoke_agent.inference_calls: a loop that needs more round trips than usual is running away.',
    unit: 'short',
    targets: [
      {
        expr: 'histogram_quantile(0.95, sum by (le, gen_ai_agent_name) (rate(gen_ai_invoke_agent_inference_calls_bucket[$__rate_interval])))',
        legendFormat: 'P95 {{gen_ai_agent_name}}',
      },
    ],
    traceql: '{ name = "agent.run" && span.gcp.gen_ai.agent.inference_calls > 3 }',
  }),
];

const dashboard = {
  __inputs: [
    {
      name: 'DS_PROMETHEUS',
      label: 'Prometheus',
      type: 'datasource',
      pluginId: 'prometheus',
      pluginName: 'Prometheus',
    },
    { name: 'DS_TEMPO', label: 'Tempo', type: 'datasource', pluginId: 'tempo', pluginName: 'Tempo' },
  ],
  __requires: [
    { type: 'grafana', id: 'grafana', name: 'Grafana', version: '11.0.0' },
    { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
    { type: 'datasource', id: 'tempo', name: 'Tempo', version: '1.0.0' },
  ],
  title: 'Gemini (GenAI) — opentelemetry-instrumentation-google-genai',
  uid: 'gemini-genai-otel',
  description: 'Latency, tokens, finish reasons, time to first chunk and cost of @google/genai calls.',
  tags: ['gen_ai', 'gemini', 'opentelemetry'],
  timezone: 'browser',
  schemaVersion: 39,
  version: 1,
  editable: true,
  refresh: '1m',
  time: { from: 'now-6h', to: 'now' },
  templating: {
    list: [
      {
        name: 'model',
        label: 'Model',
        type: 'query',
        datasource: PROM,
        query: {
          query: 'label_values(gen_ai_client_operation_duration_seconds_count, gen_ai_request_model)',
          refId: 'model',
        },
        definition: 'label_values(gen_ai_client_operation_duration_seconds_count, gen_ai_request_model)',
        refresh: 2,
        multi: true,
        includeAll: true,
        allValue: '.+',
        current: { text: 'All', value: '$__all' },
      },
    ],
  },
  annotations: { list: [] },
  panels,
};

const json = `${JSON.stringify(dashboard, null, 2)}\n`;
if (process.argv.includes('--print')) process.stdout.write(json);
else writeFileSync(OUT, json);
