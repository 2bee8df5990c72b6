/*
 * A loopback OTLP/HTTP receiver, for the service example and the child-process
 * tests: keeps every
 * export request as it arrived (path, content type, raw body) and decodes
 * the JSON ones (`http/json`) into flat spans.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

export interface ExportedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  links: Array<{ traceId: string; spanId: string }>;
  scope: string;
  /** `service.name` of the resource that sent it. */
  service?: string;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
}

export interface OtlpReceiver {
  url: string;
  received: Received[];
  spans(): ExportedSpan[];
  /** The resource attributes of every trace export. */
  resources(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};

function value(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  return undefined;
}

function attributes(list: Array<{ key: string; value: AnyValue }> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value: v } of list ?? []) out[key] = value(v);
  return out;
}

/** A receiver; `mode: 'hang'` accepts requests and never answers (a stuck backend). */
export function startOtlpReceiver(mode: 'ok' | 'hang' = 'ok'): Promise<OtlpReceiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      received.push({
        path: req.url ?? '/',
        contentType: String(req.headers['content-type'] ?? ''),
        body: Buffer.concat(parts),
      });
      if (mode === 'hang') return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        received,
        spans() {
          const spans: ExportedSpan[] = [];
          for (const r of received) {
            if (r.path !== '/v1/traces' || !r.contentType.includes('json')) continue;
            const doc = JSON.parse(r.body.toString('utf8'));
            for (const rs of doc.resourceSpans ?? []) {
              const service = attributes(rs.resource?.attributes)['service.name'];
              for (const ss of rs.scopeSpans ?? []) {
                for (const s of ss.spans ?? []) {
                  spans.push({
                    name: s.name,
                    kind: s.kind,
                    traceId: s.traceId,
                    spanId: s.spanId,
                    parentSpanId: s.parentSpanId || undefined,
                    attributes: attributes(s.attributes),
                    status: s.status ?? {},
                    events: (s.events ?? []).map((e: { name: string; attributes?: [] }) => ({
                      name: e.name,
                      attributes: attributes(e.attributes),
                    })),
                    links: (s.links ?? []).map((l: { traceId: string; spanId: string }) => ({
                      traceId: l.traceId,
                      spanId: l.spanId,
                    })),
                    scope: ss.scope?.name,
                    service: typeof service === 'string' ? service : undefined,
                    startTimeUnixNano: BigInt(s.startTimeUnixNano ?? 0),
                    endTimeUnixNano: BigInt(s.endTimeUnixNano ?? 0),
                  });
                }
              }
            }
          }
          return spans;
        },
        resources() {
          return received
            .filter((r) => r.path === '/v1/traces' && r.contentType.includes('json'))
            .flatMap((r) => JSON.parse(r.body.toString('utf8')).resourceSpans ?? [])
            .map((rs: { resource?: { attributes?: [] } }) => attributes(rs.resource?.attributes));
        },
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
