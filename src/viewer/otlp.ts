/*
 * OTLP export requests (OTLP/JSON as sent, or protobuf as otlp-proto.ts
 * decodes it) turned into what the viewer shows: spans, log records and
 * metric points, each with its service and resource. Pure: no I/O.
 *
 * The two encodings differ where OTLP/JSON says so: ids are hex strings in
 * JSON and bytes in protobuf; 64-bit integers are strings (or, from lenient
 * senders, numbers); enums are numbers.
 */

export type Attrs = Record<string, unknown>;

export interface ViewSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** SpanKind as OTLP numbers it: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (0 unspecified). */
  kind: number;
  /** Milliseconds since the epoch, to the microsecond. */
  start: number;
  end: number;
  attributes: Attrs;
  events: Array<{ time: number; name: string; attributes: Attrs }>;
  links: Array<{ traceId: string; spanId: string; attributes: Attrs }>;
  /** 0 unset, 1 ok, 2 error. */
  status: { code: number; message?: string };
  service: string;
  scope: string;
}

export interface ViewLog {
  time: number;
  traceId?: string;
  spanId?: string;
  eventName?: string;
  severity?: string;
  body?: unknown;
  attributes: Attrs;
  service: string;
}

export interface MetricPoint {
  /** The resource that sent it (its attributes, as a stable string). */
  resource: string;
  service: string;
  metric: string;
  unit: string;
  type: 'sum' | 'gauge' | 'histogram';
  /** 1 delta, 2 cumulative (0 for a gauge). */
  temporality: number;
  attributes: Attrs;
  /** Start of the point's window (ns, as a string): a cumulative series restarts with a new one. */
  startNs: string;
  /** A sum's or gauge's value; a histogram's sum. */
  value: number;
  /** A histogram's count. */
  count?: number;
}

type Json = Record<string, unknown>;
type AnyValue = Json;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** An id: hex in OTLP/JSON, bytes in protobuf; '' when absent or empty. */
export function idOf(v: unknown): string {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (typeof v !== 'string' || v === '') return '';
  // Hex as the spec says; base64 from senders that wrote bytes the protobuf-JSON way.
  if (/^[0-9a-fA-F]+$/.test(v) && (v.length === 32 || v.length === 16)) return v.toLowerCase();
  return Buffer.from(v, 'base64').toString('hex');
}

/** Nanoseconds since the epoch (a string, a number, a bigint) as milliseconds, to the microsecond. */
export function msOf(v: unknown): number {
  if (typeof v === 'number') return v / 1e6;
  if (typeof v === 'bigint') return Number(v / 1000n) / 1000;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(BigInt(v) / 1000n) / 1000;
  return 0;
}

/** An int64 (a string in OTLP/JSON) as a number. */
function int(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v !== '') return Number(v);
  return 0;
}

/** An AnyValue as a plain value: arrays, maps (kvlist) as objects, bytes as base64. */
export function valueOf(v: unknown): unknown {
  const a = obj(v) as AnyValue;
  if ('stringValue' in a) return a.stringValue;
  if ('boolValue' in a) return a.boolValue;
  if ('intValue' in a) {
    const n = int(a.intValue);
    return Number.isSafeInteger(n) ? n : String(a.intValue);
  }
  if ('doubleValue' in a) return Number(a.doubleValue);
  if ('arrayValue' in a) return arr(obj(a.arrayValue).values).map(valueOf);
  if ('kvlistValue' in a) return attributesOf(obj(a.kvlistValue).values);
  if ('bytesValue' in a) {
    const b = a.bytesValue;
    return b instanceof Uint8Array ? Buffer.from(b).toString('base64') : str(b);
  }
  return undefined;
}

export function attributesOf(list: unknown): Attrs {
  const out: Attrs = {};
  for (const kv of arr(list)) {
    const { key, value } = obj(kv);
    if (typeof key === 'string') out[key] = valueOf(value);
  }
  return out;
}

/** Attributes as a string that does not depend on their order: a key for the set. */
export function attributesKey(attrs: Attrs): string {
  return JSON.stringify(Object.entries(attrs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A resource's attributes and its service name (`unknown_service` as the SDKs say when none is set). */
function resourceOf(v: unknown): { attrs: Attrs; service: string } {
  const attrs = attributesOf(obj(v).attributes);
  const service = typeof attrs['service.name'] === 'string' ? attrs['service.name'] : 'unknown_service';
  return { attrs, service };
}

export function spansOf(request: unknown): ViewSpan[] {
  const out: ViewSpan[] = [];
  for (const rs of arr(obj(request).resourceSpans)) {
    const { service } = resourceOf(obj(rs).resource);
    for (const ss of arr(obj(rs).scopeSpans)) {
      const scope = str(obj(obj(ss).scope).name);
      for (const s of arr(obj(ss).spans)) {
        const span = obj(s);
        const traceId = idOf(span.traceId);
        const spanId = idOf(span.spanId);
        if (!traceId || !spanId) continue;
        const parent = idOf(span.parentSpanId);
        const status = obj(span.status);
        out.push({
          traceId,
          spanId,
          ...(parent ? { parentSpanId: parent } : {}),
          name: str(span.name),
          kind: int(span.kind),
          start: msOf(span.startTimeUnixNano),
          end: msOf(span.endTimeUnixNano),
          attributes: attributesOf(span.attributes),
          events: arr(span.events).map((e) => ({
            time: msOf(obj(e).timeUnixNano),
            name: str(obj(e).name),
            attributes: attributesOf(obj(e).attributes),
          })),
          links: arr(span.links).map((l) => ({
            traceId: idOf(obj(l).traceId),
            spanId: idOf(obj(l).spanId),
            attributes: attributesOf(obj(l).attributes),
          })),
          status: { code: int(status.code), ...(status.message ? { message: str(status.message) } : {}) },
          service,
          scope,
        });
      }
    }
  }
  return out;
}

export function logsOf(request: unknown): ViewLog[] {
  const out: ViewLog[] = [];
  for (const rl of arr(obj(request).resourceLogs)) {
    const { service } = resourceOf(obj(rl).resource);
    for (const sl of arr(obj(rl).scopeLogs)) {
      for (const r of arr(obj(sl).logRecords)) {
        const rec = obj(r);
        const traceId = idOf(rec.traceId);
        const spanId = idOf(rec.spanId);
        out.push({
          time: msOf(rec.timeUnixNano) || msOf(rec.observedTimeUnixNano),
          ...(traceId ? { traceId } : {}),
          ...(spanId ? { spanId } : {}),
          ...(rec.eventName ? { eventName: str(rec.eventName) } : {}),
          ...(rec.severityText ? { severity: str(rec.severityText) } : {}),
          ...(rec.body !== undefined ? { body: valueOf(rec.body) } : {}),
          attributes: attributesOf(rec.attributes),
          service,
        });
      }
    }
  }
  return out;
}

export function metricPointsOf(request: unknown): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const rm of arr(obj(request).resourceMetrics)) {
    const { service, attrs } = resourceOf(obj(rm).resource);
    const resource = attributesKey(attrs);
    for (const sm of arr(obj(rm).scopeMetrics)) {
      for (const m of arr(obj(sm).metrics)) {
        const metric = obj(m);
        const base = { resource, service, metric: str(metric.name), unit: str(metric.unit) };
        const number = (type: 'sum' | 'gauge', data: Json) => {
          for (const p of arr(data.dataPoints)) {
            const point = obj(p);
            const value = 'asDouble' in point ? Number(point.asDouble) : int(point.asInt);
            out.push({
              ...base,
              type,
              temporality: type === 'sum' ? int(data.aggregationTemporality) : 0,
              attributes: attributesOf(point.attributes),
              startNs: String(point.startTimeUnixNano ?? ''),
              value,
            });
          }
        };
        if (metric.sum) number('sum', obj(metric.sum));
        else if (metric.gauge) number('gauge', obj(metric.gauge));
        else if (metric.histogram || metric.exponentialHistogram) {
          const data = obj(metric.histogram ?? metric.exponentialHistogram);
          for (const p of arr(data.dataPoints)) {
            const point = obj(p);
            out.push({
              ...base,
              type: 'histogram',
              temporality: int(data.aggregationTemporality),
              attributes: attributesOf(point.attributes),
              startNs: String(point.startTimeUnixNano ?? ''),
              value: Number(point.sum ?? 0),
              count: int(point.count),
            });
          }
        }
      }
    }
  }
  return out;
}
