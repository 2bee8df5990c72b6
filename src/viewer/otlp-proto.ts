/*
 * OTLP/HTTP protobuf bodies, decoded by protobufjs (already in every install:
 * @google/genai depends on it). What we give it is the schema, as protobufjs
 * JSON descriptors: the messages of opentelemetry-proto v1 the viewer reads,
 * with their field numbers. protobufjs skips the fields not listed here, so a
 * newer exporter's additions decode as before.
 *
 * Each decoder returns the request in the shape OTLP/JSON gives it (camelCase
 * names, 64-bit integers as strings, enums as numbers), except that ids stay
 * bytes: otlp.ts reads both.
 */
import { Root, type Type, type IConversionOptions } from 'protobufjs/light';

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;

const f = (type: string, id: number): { type: string; id: number } => ({ type, id });
const many = (type: string, id: number): { type: string; id: number; rule: 'repeated' } => ({
  type,
  id,
  rule: 'repeated',
});

/** A message with `fields`, and oneofs (member lists) where the proto has them. */
const message = (fields: Fields, oneofs?: Record<string, string[]>) =>
  oneofs
    ? { fields, oneofs: Object.fromEntries(Object.entries(oneofs).map(([k, v]) => [k, { oneof: v }])) }
    : { fields };

const COMMON = {
  AnyValue: message(
    {
      stringValue: f('string', 1),
      boolValue: f('bool', 2),
      intValue: f('int64', 3),
      doubleValue: f('double', 4),
      arrayValue: f('ArrayValue', 5),
      kvlistValue: f('KeyValueList', 6),
      bytesValue: f('bytes', 7),
    },
    { value: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] }
  ),
  ArrayValue: message({ values: many('AnyValue', 1) }),
  KeyValueList: message({ values: many('KeyValue', 1) }),
  KeyValue: message({ key: f('string', 1), value: f('AnyValue', 2) }),
  InstrumentationScope: message({
    name: f('string', 1),
    version: f('string', 2),
    attributes: many('KeyValue', 3),
  }),
  Resource: message({ attributes: many('KeyValue', 1) }),
};

const TRACES = {
  ExportTraceServiceRequest: message({ resourceSpans: many('ResourceSpans', 1) }),
  ResourceSpans: message({ resource: f('Resource', 1), scopeSpans: many('ScopeSpans', 2), schemaUrl: f('string', 3) }),
  ScopeSpans: message({ scope: f('InstrumentationScope', 1), spans: many('Span', 2), schemaUrl: f('string', 3) }),
  Span: message({
    traceId: f('bytes', 1),
    spanId: f('bytes', 2),
    traceState: f('string', 3),
    parentSpanId: f('bytes', 4),
    name: f('string', 5),
    kind: f('int32', 6),
    startTimeUnixNano: f('fixed64', 7),
    endTimeUnixNano: f('fixed64', 8),
    attributes: many('KeyValue', 9),
    droppedAttributesCount: f('uint32', 10),
    events: many('SpanEvent', 11),
    droppedEventsCount: f('uint32', 12),
    links: many('SpanLink', 13),
    droppedLinksCount: f('uint32', 14),
    status: f('Status', 15),
    flags: f('fixed32', 16),
  }),
  SpanEvent: message({
    timeUnixNano: f('fixed64', 1),
    name: f('string', 2),
    attributes: many('KeyValue', 3),
  }),
  SpanLink: message({
    traceId: f('bytes', 1),
    spanId: f('bytes', 2),
    traceState: f('string', 3),
    attributes: many('KeyValue', 4),
  }),
  Status: message({ message: f('string', 2), code: f('int32', 3) }),
};

const METRICS = {
  ExportMetricsServiceRequest: message({ resourceMetrics: many('ResourceMetrics', 1) }),
  ResourceMetrics: message({
    resource: f('Resource', 1),
    scopeMetrics: many('ScopeMetrics', 2),
    schemaUrl: f('string', 3),
  }),
  ScopeMetrics: message({ scope: f('InstrumentationScope', 1), metrics: many('Metric', 2), schemaUrl: f('string', 3) }),
  Metric: message(
    {
      name: f('string', 1),
      description: f('string', 2),
      unit: f('string', 3),
      gauge: f('Gauge', 5),
      sum: f('Sum', 7),
      histogram: f('Histogram', 9),
      exponentialHistogram: f('ExponentialHistogram', 10),
    },
    { data: ['gauge', 'sum', 'histogram', 'exponentialHistogram'] }
  ),
  Gauge: message({ dataPoints: many('NumberDataPoint', 1) }),
  Sum: message({
    dataPoints: many('NumberDataPoint', 1),
    aggregationTemporality: f('int32', 2),
    isMonotonic: f('bool', 3),
  }),
  Histogram: message({ dataPoints: many('HistogramDataPoint', 1), aggregationTemporality: f('int32', 2) }),
  ExponentialHistogram: message({
    dataPoints: many('ExponentialHistogramDataPoint', 1),
    aggregationTemporality: f('int32', 2),
  }),
  NumberDataPoint: message(
    {
      attributes: many('KeyValue', 7),
      startTimeUnixNano: f('fixed64', 2),
      timeUnixNano: f('fixed64', 3),
      asDouble: f('double', 4),
      asInt: f('sfixed64', 6),
    },
    { value: ['asDouble', 'asInt'] }
  ),
  HistogramDataPoint: message({
    attributes: many('KeyValue', 9),
    startTimeUnixNano: f('fixed64', 2),
    timeUnixNano: f('fixed64', 3),
    count: f('fixed64', 4),
    sum: f('double', 5),
    bucketCounts: many('fixed64', 6),
    explicitBounds: many('double', 7),
    min: f('double', 11),
    max: f('double', 12),
  }),
  ExponentialHistogramDataPoint: message({
    attributes: many('KeyValue', 1),
    startTimeUnixNano: f('fixed64', 2),
    timeUnixNano: f('fixed64', 3),
    count: f('fixed64', 4),
    sum: f('double', 5),
    min: f('double', 12),
    max: f('double', 13),
  }),
};

const LOGS = {
  ExportLogsServiceRequest: message({ resourceLogs: many('ResourceLogs', 1) }),
  ResourceLogs: message({ resource: f('Resource', 1), scopeLogs: many('ScopeLogs', 2), schemaUrl: f('string', 3) }),
  ScopeLogs: message({
    scope: f('InstrumentationScope', 1),
    logRecords: many('LogRecord', 2),
    schemaUrl: f('string', 3),
  }),
  LogRecord: message({
    timeUnixNano: f('fixed64', 1),
    severityNumber: f('int32', 2),
    severityText: f('string', 3),
    body: f('AnyValue', 5),
    attributes: many('KeyValue', 6),
    flags: f('fixed32', 8),
    traceId: f('bytes', 9),
    spanId: f('bytes', 10),
    observedTimeUnixNano: f('fixed64', 11),
    eventName: f('string', 12),
  }),
};

const root = Root.fromJSON({ nested: { otlp: { nested: { ...COMMON, ...TRACES, ...METRICS, ...LOGS } } } });

/** As OTLP/JSON has them, but bytes (ids) left as bytes; no defaults, so an absent field stays absent. */
const AS_JSON: IConversionOptions = { longs: String, enums: Number, defaults: false };

function decoder(name: string): (body: Uint8Array) => Record<string, unknown> {
  const type: Type = root.lookupType(`otlp.${name}`);
  return (body) => type.toObject(type.decode(body), AS_JSON);
}

export const decodeTraces = decoder('ExportTraceServiceRequest');
export const decodeMetrics = decoder('ExportMetricsServiceRequest');
export const decodeLogs = decoder('ExportLogsServiceRequest');
