/*
 * The GenAI metrics of the conventions (model/gen-ai/metrics.yaml), with
 * their units and advised bucket boundaries, plus our cost counter. Created
 * from the instrumentation's meter; recorded whether or not a span is sampled.
 */
import { ValueType, type Attributes, type Histogram, type Meter, type ObservableResult } from '@opentelemetry/api';

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
  /** USD per attribute set, summed here and reported when the metrics are collected. */
  readonly cost: CostTotals;
  /** Candidates per attribute set and finish reason, reported the same way. */
  readonly finishReasons: FinishReasonTotals;

  /**
   * `previous`: the instruments these replace (the meter provider changed). Their totals carry over: a
   * counter's value is the total since the process started, and a provider that saw the old totals
   * would read a restart from zero as a wrong difference.
   */
  constructor(meter: Meter, previous?: GenAIMetrics) {
    this.cost = previous?.cost ?? new CostTotals();
    this.finishReasons = previous?.finishReasons ?? new FinishReasonTotals();
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

/** Bound on distinct (attribute set, end user) totals kept: the metrics SDK's own default cardinality limit. */
const MAX_COST_SERIES = 2000;

/** Cumulative USD by attribute set (and hashed end user), for the observable cost counter. */
export class CostTotals {
  private readonly bySet = new Map<string, Map<string, { attributes: Attributes; usd: number }>>();
  private series = 0;

  /**
   * Adds `usd` to the total of `attributes` and `user`, when one is known.
   * `setKey` names the attribute set by its content (two equal sets must
   * share one total: the SDK keeps one value per set), computed once per set.
   */
  add(usd: number, setKey: string, attributes: Attributes, userKey?: string, userAttribute?: string): void {
    let byUser = this.bySet.get(setKey);
    if (!byUser) this.bySet.set(setKey, (byUser = new Map()));
    const key = userKey ?? '';
    const entry = byUser.get(key);
    if (entry) {
      entry.usd += usd;
      return;
    }
    // Past the bound, new series are folded into their attribute set without the user.
    if (this.series >= MAX_COST_SERIES && key !== '') {
      this.add(usd, setKey, attributes);
      return;
    }
    this.series++;
    const withUser = key !== '' && userAttribute ? { ...attributes, [userAttribute]: key } : attributes;
    byUser.set(key, { attributes: withUser, usd });
  }

  observe(result: ObservableResult): void {
    for (const byUser of this.bySet.values()) {
      for (const { attributes, usd } of byUser.values()) result.observe(usd, attributes);
    }
  }
}

/** Bound on distinct (attribute set, finish reason) counts: finish reasons come from the server. */
const MAX_REASON_SERIES = 500;

/** Candidates by attribute set and finish reason, for the observable finish-reason counter. */
export class FinishReasonTotals {
  private readonly bySet = new Map<string, Map<string, { attributes: Attributes; count: number }>>();
  private series = 0;

  /** Counts one candidate that ended with `reason`; `setKey` names `attributes` by content (see CostTotals). */
  add(setKey: string, attributes: Attributes, reason: string, attribute: string): void {
    let byReason = this.bySet.get(setKey);
    if (!byReason) this.bySet.set(setKey, (byReason = new Map()));
    let entry = byReason.get(reason);
    if (!entry) {
      // Past the bound, a reason not seen yet is counted as _OTHER.
      const key = this.series >= MAX_REASON_SERIES ? '_OTHER' : reason;
      entry = byReason.get(key);
      if (!entry) {
        this.series++;
        byReason.set(key, (entry = { attributes: { ...attributes, [attribute]: key }, count: 0 }));
      }
    }
    entry.count++;
  }

  observe(result: ObservableResult): void {
    for (const byReason of this.bySet.values()) {
      for (const { attributes, count } of byReason.values()) result.observe(count, attributes);
    }
  }
}
