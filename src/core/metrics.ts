/*
 * The GenAI metrics of the conventions (model/gen-ai/metrics.yaml), with
 * their units and advised bucket boundaries, plus our cost counter. Created
 * from the instrumentation's meter; recorded whether or not a span is sampled.
 */
import { ValueType, type Attributes, type Histogram, type Meter, type ObservableResult } from '@opentelemetry/api';
import type { TierPrice } from '../mapping/cost.js';
import * as sc from '../semconv.js';

/** Advised for durations in seconds (operation, time to first chunk, per chunk, tool). */
const SECONDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const AGENT_SECONDS = [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6];
const CALLS = [1, 2, 4, 8, 16, 32, 64, 128];

export const METRIC_OPERATION_DURATION = 'gen_ai.client.operation.duration';
export const METRIC_TOKEN_USAGE = 'gen_ai.client.token.usage';
export const METRIC_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
export const METRIC_TIME_PER_OUTPUT_CHUNK = 'gen_ai.client.operation.time_per_output_chunk';
export const METRIC_INVOKE_AGENT_DURATION = 'gen_ai.invoke_agent.duration';
export const METRIC_INVOKE_AGENT_INFERENCE_CALLS = 'gen_ai.invoke_agent.inference_calls';
export const METRIC_INVOKE_AGENT_TOOL_CALLS = 'gen_ai.invoke_agent.tool_calls';
export const METRIC_EXECUTE_TOOL_DURATION = 'gen_ai.execute_tool.duration';
/** Ours: USD spent, by model and provider. */
export const METRIC_CLIENT_COST = 'gen_ai.client.cost';
/** Ours: candidates returned, by finish reason (the conventions' metrics have no finish reason). */
export const METRIC_CLIENT_FINISH_REASONS = 'gcp.gen_ai.client.finish_reasons';

export class GenAIMetrics {
  readonly operationDuration: Histogram;
  readonly tokenUsage: Histogram;
  readonly timeToFirstChunk: Histogram;
  readonly timePerOutputChunk: Histogram;
  readonly invokeAgentDuration: Histogram;
  readonly invokeAgentInferenceCalls: Histogram;
  readonly invokeAgentToolCalls: Histogram;
  readonly executeToolDuration: Histogram;
  /** USD per attribute set (and hashed end user), summed here and reported when the metrics are collected. */
  readonly cost: Totals;
  /** Candidates per attribute set and finish reason, reported the same way. */
  readonly finishReasons: Totals;

  /**
   * `totals`: the sums the counters report. The instrumentation keeps its own across meter provider
   * changes: a counter's value is the total since the process started, and a provider that saw the old
   * totals would read a restart from zero as a wrong difference.
   */
  constructor(meter: Meter, totals: MetricTotals = metricTotals()) {
    this.cost = totals.cost;
    this.finishReasons = totals.finishReasons;
    const histogram = (name: string, unit: string, description: string, buckets: number[], int = false) =>
      meter.createHistogram(name, {
        unit,
        description,
        valueType: int ? ValueType.INT : ValueType.DOUBLE,
        advice: { explicitBucketBoundaries: buckets },
      });
    this.operationDuration = histogram(METRIC_OPERATION_DURATION, 's', 'GenAI operation duration.', SECONDS);
    this.tokenUsage = histogram(METRIC_TOKEN_USAGE, '{token}', 'Number of input and output tokens used.', TOKENS, true);
    this.timeToFirstChunk = histogram(
      METRIC_TIME_TO_FIRST_CHUNK,
      's',
      'Time to receive the first chunk, from the request to the first chunk of the response stream.',
      SECONDS
    );
    this.timePerOutputChunk = histogram(
      METRIC_TIME_PER_OUTPUT_CHUNK,
      's',
      'Time per output chunk, for each chunk after the first, from the end of the previous chunk.',
      SECONDS
    );
    this.invokeAgentDuration = histogram(
      METRIC_INVOKE_AGENT_DURATION,
      's',
      'The end-to-end duration of a single in-process agent invocation.',
      AGENT_SECONDS
    );
    this.invokeAgentInferenceCalls = histogram(
      METRIC_INVOKE_AGENT_INFERENCE_CALLS,
      '{inference_call}',
      'The number of inference (model) calls a GenAI agent makes during a single invocation.',
      CALLS,
      true
    );
    this.invokeAgentToolCalls = histogram(
      METRIC_INVOKE_AGENT_TOOL_CALLS,
      '{tool_call}',
      'The number of tool calls a GenAI agent makes during a single invocation.',
      CALLS,
      true
    );
    this.executeToolDuration = histogram(
      METRIC_EXECUTE_TOOL_DURATION,
      's',
      'The duration of a single tool execution.',
      SECONDS
    );
    // Observable counters: a sum is the same whether added per call or
    // reported once per collection, and this way a call pays a Map update,
    // not a metric point (the metrics SDK hashes a point's attributes, some µs).
    const observed = (
      name: string,
      unit: string,
      description: string,
      valueType: ValueType,
      totals: { observe(result: ObservableResult): void }
    ) => {
      const counter = meter.createObservableCounter(name, { unit, description, valueType });
      const observe = (result: ObservableResult) => totals.observe(result);
      counter.addCallback(observe);
      return () => counter.removeCallback(observe);
    };
    const stops = [
      observed(
        METRIC_CLIENT_COST,
        'USD',
        'Cost of GenAI calls at list prices, in US dollars.',
        ValueType.DOUBLE,
        this.cost
      ),
      observed(
        METRIC_CLIENT_FINISH_REASONS,
        '{candidate}',
        'Candidates returned by GenAI calls, by finish reason.',
        ValueType.INT,
        this.finishReasons
      ),
    ];
    this.dispose = () => stops.forEach((stop) => stop());
  }

  /** Stops reporting (the meter provider changed: a new set of instruments takes over). */
  readonly dispose: () => void;
}

export interface MetricTotals {
  readonly cost: Totals;
  readonly finishReasons: Totals;
}

/**
 * The sums behind the two observable counters. Cost: by hashed end user, at most 2000 series (the
 * metrics SDK's own default cardinality limit); past it, a new user's cost goes to its attribute set
 * without a user. Finish reasons come from the server: at most 500 series, past it a new reason is
 * counted as _OTHER.
 */
export function metricTotals(): MetricTotals {
  return {
    cost: new Totals(sc.ATTR_ENDUSER_ID, 2000, ''),
    finishReasons: new Totals(sc.ATTR_GCP_GEN_AI_RESPONSE_FINISH_REASON, 500, '_OTHER'),
  };
}

/**
 * Running sums by attribute set and one more attribute (`attribute`: the end user, the finish reason),
 * for an observable counter. Past `maxSeries`, a value of that attribute not seen yet is summed under
 * `overflow` ('' for the set without the attribute).
 */
export class Totals {
  private readonly bySet = new Map<string, Map<string, TotalCell>>();
  private series = 0;

  constructor(
    private readonly attribute: string,
    private readonly maxSeries: number,
    private readonly overflow: string
  ) {}

  /**
   * Adds `amount` to the total of `attributes` with `key` as the attribute's value ('' for none).
   * `setKey` names the attribute set by its content (two equal sets must share one total: the SDK
   * keeps one value per set), computed once per set.
   */
  add(amount: number, setKey: string, attributes: Attributes, key = ''): void {
    if (TotalCell.counts(amount)) this.cell(setKey, attributes, key).value += amount;
  }

  /**
   * The running total `add` adds to: callers that add to one total call after call keep it
   * (core/telemetry.ts does, per metric attribute set) and skip the look-ups. A total, once
   * made, is never dropped; past `maxSeries` a new key gets the overflow's.
   */
  cell(setKey: string, attributes: Attributes, key = ''): TotalCell {
    let byKey = this.bySet.get(setKey);
    if (!byKey) this.bySet.set(setKey, (byKey = new Map()));
    let entry = byKey.get(key);
    if (!entry) {
      if (this.series >= this.maxSeries && key !== this.overflow) return this.cell(setKey, attributes, this.overflow);
      this.series++;
      const withKey = key === '' ? attributes : { ...attributes, [this.attribute]: key };
      byKey.set(key, (entry = new TotalCell(withKey)));
    }
    return entry;
  }

  observe(result: ObservableResult): void {
    for (const byKey of this.bySet.values()) {
      for (const { attributes, value } of byKey.values()) result.observe(value, attributes);
    }
  }
}

/** One running total of an observable counter: its attribute set and its sum. */
export class TotalCell {
  value = 0;
  constructor(readonly attributes: Attributes) {}

  /** Whether `amount` may be added: a counter only grows, and one Infinity or NaN would stay in its running sum for good. */
  static counts(amount: number): boolean {
    return amount >= 0 && amount !== Infinity;
  }
}

/**
 * What calls with one metric attribute set look up again and again, kept with the set (one per
 * set, mutable, owned by core/telemetry.ts) in one flat object, so that the next call of the set
 * reads one object instead of a chain of caches: the rates its price comes to, and the counter
 * totals the last call added to, which the next call mostly adds to again.
 */
export class SetMemo {
  /** The price table, tier and UTC day (-1: every day, the price has no schedule) the rates were worked out for. */
  table: object | undefined = undefined;
  tier = '';
  day = 0;
  /** The rates; null: the table has no price for this model and tier. */
  rates: TierPrice | null = null;
  reason = '';
  reasonCell: TotalCell | undefined = undefined;
  costTier = '';
  costUser = '';
  costCell: TotalCell | undefined = undefined;
}

/** The attribute sets of one round trip's metric points. */
export interface MetricAttributeSets {
  /** Operation, provider, request model, server, response model. */
  readonly base: Attributes;
  readonly input: Attributes;
  readonly output: Attributes;
  /** Operation, provider, request and response model: the cost and finish-reason counters' set (no server, to keep them small). */
  readonly counters: Attributes;
  /** That set's content as a string: equal sets from different clients share one total. */
  readonly countersKey: string;
  readonly memo: SetMemo;
}

/** The metric attribute sets of a call with these sampling attributes and this response model (cached by core/telemetry.ts). */
export function buildMetricAttributeSets(
  attrs: Readonly<Attributes>,
  responseModel: string | undefined
): MetricAttributeSets {
  const base: Attributes = responseModel ? { ...attrs, [sc.ATTR_GEN_AI_RESPONSE_MODEL]: responseModel } : { ...attrs };
  const counters: Attributes = {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: base[sc.ATTR_GEN_AI_OPERATION_NAME],
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: base[sc.ATTR_GEN_AI_PROVIDER_NAME],
  };
  if (base[sc.ATTR_GEN_AI_REQUEST_MODEL]) counters[sc.ATTR_GEN_AI_REQUEST_MODEL] = base[sc.ATTR_GEN_AI_REQUEST_MODEL];
  if (responseModel) counters[sc.ATTR_GEN_AI_RESPONSE_MODEL] = responseModel;
  return Object.freeze({
    base: Object.freeze(base),
    input: Object.freeze({ ...base, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_VALUE_INPUT }),
    output: Object.freeze({ ...base, [sc.ATTR_GEN_AI_TOKEN_TYPE]: sc.GEN_AI_TOKEN_TYPE_VALUE_OUTPUT }),
    counters: Object.freeze(counters),
    countersKey: JSON.stringify(Object.entries(counters).sort()),
    memo: new SetMemo(),
  });
}
