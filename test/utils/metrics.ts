/*
 * An in-memory metric reader on the real metrics SDK, with delta temporality
 * so each collect() returns what was recorded since the last one.
 */
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { instrumentation } from './otel';
import type { Attributes, ObservableResult } from '@opentelemetry/api';

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export const metricReader = new TestReader();
export const meterProvider = new MeterProvider({ readers: [metricReader] });
instrumentation.setMeterProvider(meterProvider);

export interface Point {
  attributes: Record<string, unknown>;
  value: number | { count: number; sum?: number; boundaries: number[] };
}

/** Every metric collected since the last call, by name: its unit and points. */
export async function collectMetrics(): Promise<Record<string, { unit: string; points: Point[] }>> {
  const { resourceMetrics } = await metricReader.collect();
  const out: Record<string, { unit: string; points: Point[] }> = {};
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const points = (metric.dataPoints as Array<DataPoint<number | Histogram>>).map((p) => ({
        attributes: { ...p.attributes },
        value:
          typeof p.value === 'number'
            ? p.value
            : { count: p.value.count, sum: p.value.sum, boundaries: p.value.buckets.boundaries },
      }));
      // The cost and finish-reason counters are observable: they report every series at each
      // collection, and with delta temporality a series with nothing added since the last one comes
      // as 0. Those say nothing. Cost deltas are differences of running sums: compared to 12
      // decimals (see usd()).
      const name = metric.descriptor.name;
      const said =
        name === 'gen_ai.client.cost'
          ? points.filter((p) => p.value !== 0).map((p) => ({ ...p, value: usd(p.value as number) }))
          : name === 'gcp.gen_ai.client.finish_reasons'
            ? points.filter((p) => p.value !== 0)
            : points;
      if (said.length) out[metric.descriptor.name] = { unit: metric.descriptor.unit, points: said };
    }
  }
  return out;
}

/** A USD amount to 12 decimals (a millionth of a micro-dollar): how cost points are compared. */
export function usd(value: number): number {
  return Number(value.toFixed(12));
}

/**
 * The cost counter's running total (what it reports at each collection) for one attribute set, exactly.
 * Its series carry no server, so a test takes the difference across its call.
 */
export function costTotal(attributes: Attributes): number {
  let total = 0;
  // The cost counter carries the tier a cost was priced at; Standard unless the test says.
  const key = JSON.stringify(Object.entries({ 'gcp.gen_ai.service_tier': 'standard', ...attributes }).sort());
  instrumentation.telemetry.metrics.cost.observe({
    observe: (value: number, seen?: Attributes) => {
      if (JSON.stringify(Object.entries(seen ?? {}).sort()) === key) total += value;
    },
  } as ObservableResult);
  return total;
}
