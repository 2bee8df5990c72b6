/*
 * Telemetry: what the instrumentation records with, owned by the instance.
 * The tracer and meter (they follow the providers the instrumentation is
 * given), the instruments and the counters' totals, the open streams, the
 * pending function calls of manual loops, the log events, and the caches
 * that keep the hot path cheap (sampling and metric attribute sets, price
 * look-ups, end-user hashes). The mapping modules stay pure because their
 * caches live here.
 */
import { performance } from 'node:perf_hooks';
import {
  diag,
  trace,
  type Attributes,
  type Context,
  type Meter,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { modelVersionOf, samplingAttributes, spanName } from '../mapping/attributes.js';
import {
  costOf,
  priceFor,
  ratesAt,
  SERVICE_TIER_STANDARD,
  type ModelPrice,
  type PriceTable,
  type TierPrice,
} from '../mapping/cost.js';
import { endUserAttributes, type HashMemo } from '../mapping/enduser.js';
import type { ApiClientLike, GenerateContentResponseLike } from '../internal-types.js';
import * as sc from '../semconv.js';
import { ContinuationHops, FunctionCallLinks } from './links.js';
import {
  buildMetricAttributeSets,
  GenAIMetrics,
  metricTotals,
  TotalCell,
  type MetricAttributeSets,
} from './metrics.js';
import type { Settings } from './settings.js';
import { OpenStreams } from './stream.js';

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';

/** The part of the logs API's Logger we use (typed here so no logs API types are a dependency). */
interface EventLogger {
  emit(record: { eventName: string; attributes: Attributes; context: Context }): void;
}

/** Where the instrumentation's tracer, meter and logger come from: the base class, which follows provider changes. */
export interface TelemetrySource {
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly logger: unknown;
  /** The tracer provider given with setTracerProvider(), if any (else the global one is used). */
  readonly tracerProvider: TracerProvider | undefined;
}

/** What every call of one client, operation and model shares. */
export interface CallSite {
  /** Operation, provider, request model, server address and port (frozen). */
  readonly attrs: Readonly<Attributes>;
  /** `{operation} {model}`. */
  readonly spanName: string;
  /** The client's base URL when this was built: a change builds it again. */
  readonly baseUrl: string | undefined;
}

type ShutdownableProvider = TracerProvider & { shutdown?: () => Promise<void>; getDelegate?: () => TracerProvider };
type Price = ReturnType<typeof priceFor>;

export class Telemetry {
  readonly links = new FunctionCallLinks();
  readonly continuations = new ContinuationHops();
  readonly streams = new OpenStreams();
  /** Open Live API sessions (the SDK's session objects), for the events of their later calls. */
  readonly liveSessions = new WeakMap<object, { toolResponse(params: unknown): void }>();
  /** What the counters report: kept here, so they outlive a meter provider change. */
  private readonly totals = metricTotals();
  private instruments?: GenAIMetrics;
  private readonly watchedProviders = new WeakSet<object>();
  /** Per API client: operation → model → its call site (sampling attributes frozen, shared by every call and metric set built on them). */
  private readonly sampling = new WeakMap<object, Map<string, Map<string, CallSite>>>();
  private lastSite?: { apiClient: object; operation: string; model: string | undefined; site: CallSite };
  /** Per sampling attribute set: response model → metric attribute sets. */
  private readonly metricSets = new WeakMap<Readonly<Attributes>, Map<string, MetricAttributeSets>>();
  private lastSets?: { attrs: Readonly<Attributes>; model: string | undefined; sets: MetricAttributeSets };
  private readonly hashes: HashMemo = new Map();
  private readonly tierSets = new WeakMap<MetricAttributeSets, Map<string, { attributes: Attributes; key: string }>>();
  /** The price per model pair, for calls without metric sets (the others keep theirs in their set's memo). */
  private prices?: { table: PriceTable; found: Map<string, Price> };
  private unpricedWarned?: Set<string>;
  /** Per model price: the rates last worked out, for a tier, client kind and day. */
  private readonly rates = new WeakMap<
    ModelPrice,
    { tier: string; day: number; vertexAi: boolean; rates: TierPrice | undefined }
  >();

  constructor(private readonly source: TelemetrySource) {}

  get tracer(): Tracer {
    return this.source.tracer;
  }

  /** The instruments, made on first use from the current meter. */
  get metrics(): GenAIMetrics {
    return (this.instruments ??= new GenAIMetrics(this.source.meter, this.totals));
  }

  /** The meter provider changed: instruments are made again on next use; the totals carry over. */
  meterChanged(): void {
    this.instruments?.dispose();
    this.instruments = undefined;
  }

  /** Operation, provider, request model, server: built once per client, operation and model. */
  samplingAttributes(
    operation: string,
    apiClient: ApiClientLike | undefined,
    model: string | undefined
  ): Readonly<Attributes> {
    return this.callSite(operation, apiClient, model).attrs;
  }

  /** A call's sampling attributes and span name (`{operation} {model}`), built once per client, operation and model. */
  callSite(operation: string, apiClient: ApiClientLike | undefined, model: string | undefined): CallSite {
    if (!apiClient || typeof apiClient !== 'object') {
      return {
        attrs: samplingAttributes(operation, apiClient, model),
        spanName: spanName(operation, model),
        baseUrl: '',
      };
    }
    const baseUrl = apiClient.getBaseUrl?.();
    // Most apps call one model on one client: the last answer first, before three look-ups.
    const last = this.lastSite;
    if (
      last !== undefined &&
      last.apiClient === apiClient &&
      last.operation === operation &&
      last.model === model &&
      last.site.baseUrl === baseUrl
    ) {
      return last.site;
    }
    let byOperation = this.sampling.get(apiClient);
    if (!byOperation) this.sampling.set(apiClient, (byOperation = new Map()));
    let byModel = byOperation.get(operation);
    if (!byModel) byOperation.set(operation, (byModel = new Map()));
    // Keyed by the strings as they come: no key to build per call.
    const key = typeof model === 'string' ? model : '';
    let site = byModel.get(key);
    if (!site || site.baseUrl !== baseUrl) {
      site = {
        attrs: Object.freeze(samplingAttributes(operation, apiClient, model)),
        spanName: spanName(operation, model),
        baseUrl,
      };
      // Bounded: model names come from the app.
      if (byModel.size < 256) byModel.set(key, site);
    }
    this.lastSite = { apiClient, operation, model, site };
    return site;
  }

  /** The metric attribute sets of a call: built once per (sampling attributes, response model). */
  metricAttributes(attrs: Readonly<Attributes>, responseModel: string | undefined): MetricAttributeSets {
    // Most apps call one model: the last answer first, before two look-ups.
    const last = this.lastSets;
    if (last !== undefined && last.attrs === attrs && last.model === responseModel) return last.sets;
    let byModel = this.metricSets.get(attrs);
    if (!byModel) this.metricSets.set(attrs, (byModel = new Map()));
    const key = responseModel ?? '';
    let sets = byModel.get(key);
    if (!sets) {
      sets = buildMetricAttributeSets(attrs, responseModel);
      // Bounded: response models come from the server.
      if (byModel.size < 64) byModel.set(key, sets);
    }
    this.lastSets = { attrs, model: responseModel, sets };
    return sets;
  }

  /** The cost counter's attribute set for these metric sets priced at `tier` (built once per set and tier). */
  private costCounters(sets: MetricAttributeSets, tier: string): { attributes: Attributes; key: string } {
    let byTier = this.tierSets.get(sets);
    if (!byTier) this.tierSets.set(sets, (byTier = new Map()));
    let found = byTier.get(tier);
    if (!found) {
      const attributes = Object.freeze({ ...sets.counters, [sc.ATTR_GCP_GEN_AI_SERVICE_TIER]: tier });
      found = { attributes, key: `${sets.countersKey}|${tier}` };
      // Bounded: tiers come from responses.
      if (byTier.size < 16) byTier.set(tier, found);
    }
    return found;
  }

  /** Counts one candidate's finish reason for a call with these metric sets (the finish-reason counter). */
  countFinishReason(sets: MetricAttributeSets, reason: string): void {
    const memo = sets.memo;
    if (memo.reasonCell === undefined || memo.reason !== reason) {
      memo.reasonCell = this.totals.finishReasons.cell(sets.countersKey, sets.counters, reason);
      memo.reason = reason;
    }
    memo.reasonCell.value += 1;
  }

  /** Adds a call's cost for these metric sets at `tier`, for a hashed end user ('' for none) (the cost counter). */
  addCost(sets: MetricAttributeSets, tier: string, user: string, cost: number): void {
    if (!TotalCell.counts(cost)) return;
    const memo = sets.memo;
    if (memo.costCell === undefined || memo.costTier !== tier || memo.costUser !== user) {
      const counters = this.costCounters(sets, tier);
      memo.costCell = this.totals.cost.cell(counters.key, counters.attributes, user);
      memo.costTier = tier;
      memo.costUser = user;
    }
    memo.costCell.value += cost;
  }

  /** Who the call made in `ctx` is for (enduser.id hashed, role, plan). */
  endUser(ctx: Context, settings: Settings): Attributes {
    return endUserAttributes(ctx, settings.endUser, this.hashes);
  }

  /**
   * USD for this usage at the model's list price on this service tier at
   * the call's time; undefined for an unknown model or a tier the table has
   * no price for (reported once per model and tier). `startedAt`
   * (performance.now()): when the call started, else now; the wall clock is
   * read only for a price with scheduled changes.
   */
  costOf(
    response: GenerateContentResponseLike | undefined,
    requestModel: string | undefined,
    vertexAi: boolean,
    settings: Settings,
    tier: string = SERVICE_TIER_STANDARD,
    startedAt?: number,
    /** The call's metric sets (built per request and response model): its rates are worked out once per set. */
    sets?: MetricAttributeSets
  ): number | undefined {
    const table = settings.prices;
    const memo = sets?.memo;
    let rates: TierPrice | null | undefined;
    if (memo && memo.table === table && memo.tier === tier && (memo.day < 0 || memo.day === utcDay(startedAt))) {
      rates = memo.rates;
    } else {
      const found = this.priceOf(table, modelVersionOf(response), requestModel, vertexAi);
      const scheduled = found?.price.scheduled !== undefined;
      const day = scheduled ? utcDay(startedAt) : -1;
      rates = (found && this.ratesOf(found.price, vertexAi, tier, day)) ?? null;
      if (memo) {
        memo.table = table;
        memo.tier = tier;
        memo.day = day;
        memo.rates = rates;
      }
      if (!rates) this.unpriced(found?.key ?? modelVersionOf(response) ?? requestModel, !!found, tier, vertexAi);
    }
    return rates ? costOf(response?.usageMetadata, rates) : undefined;
  }

  /** Never a guess: no cost, and one word about it per model and tier. */
  private unpriced(model: string | undefined, known: boolean, tier: string, vertexAi: boolean): void {
    const name = model ?? '(no model)';
    const warned = (this.unpricedWarned ??= new Set());
    const key = `${name}|${tier}|${vertexAi}`;
    if (warned.has(key) || warned.size >= 100) return;
    warned.add(key);
    diag.warn(
      `${LOG_PREFIX} no price for model ${name}${known ? ` at the ${tier} tier` : ''}${vertexAi ? ' on Vertex AI' : ''}; ` +
        'its calls get no gen_ai.cost.usd (add it with the prices option)'
    );
  }

  /** A model's rates for a tier on a UTC day (-1: a price without scheduled changes), worked out again only when those change. */
  private ratesOf(price: ModelPrice, vertexAi: boolean, tier: string, day: number): TierPrice | undefined {
    if (!price.scheduled && !price.serviceTiers && !price.vertexAi && tier === SERVICE_TIER_STANDARD) return price;
    // The last answer per model: calls of one model mostly share tier and day.
    const last = this.rates.get(price);
    if (last && last.tier === tier && last.day === day && last.vertexAi === vertexAi) return last.rates;
    // Prices change at 00:00 UTC: any time of the day is the day's price.
    const rates = ratesAt(price, { tier, at: day < 0 ? Date.now() : day * DAY_MS, vertexAi });
    this.rates.set(price, { tier, day, vertexAi, rates });
    return rates;
  }

  /** The price for this model pair, looked up once per pair (alias and suffix rules are costly) in the settings' table. */
  private priceOf(
    table: PriceTable,
    responseModel: string | undefined,
    requestModel: string | undefined,
    vertexAi: boolean
  ): Price {
    if (this.prices?.table !== table) this.prices = { table, found: new Map() };
    const found = this.prices.found;
    const key = `${vertexAi ? 'v' : 'g'}|${responseModel ?? ''}|${requestModel ?? ''}`;
    let price = found.get(key);
    if (price === undefined && !found.has(key)) {
      price = priceFor(table, responseModel, requestModel, vertexAi);
      // Bounded: model names come from responses.
      if (found.size < 1000) found.set(key, price);
    }
    return price;
  }

  /** A log event through the logs API (the instrumentation's logger), in `ctx` so it carries the span's ids. */
  emitEvent(eventName: string, attributes: Attributes, ctx: Context): void {
    try {
      (this.source.logger as EventLogger).emit({ eventName, attributes, context: ctx });
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not emit an event`, err);
    }
  }

  /**
   * A stream nobody finishes must still be exported: when the tracer provider
   * shuts down (NodeSDK.shutdown(), our preload on exit or SIGTERM), end the
   * spans of open streams first, as abandoned, so its processors export them.
   * We wrap that provider's own `shutdown` once; it still runs and its promise
   * is returned as it is. Called when a stream starts.
   */
  watchShutdown(): void {
    let provider = (this.source.tracerProvider ?? trace.getTracerProvider()) as ShutdownableProvider;
    if (typeof provider.getDelegate === 'function') provider = provider.getDelegate() as ShutdownableProvider;
    if (this.watchedProviders.has(provider) || typeof provider.shutdown !== 'function') return;
    this.watchedProviders.add(provider);
    const streams = this.streams;
    const shutdown = provider.shutdown;
    provider.shutdown = function (this: unknown, ...args: unknown[]) {
      streams.abandonAll();
      return shutdown.apply(this, args as []);
    };
  }
}

const DAY_MS = 86_400_000;

/** The UTC day (days since the epoch) of a call that started at `startedAt` (performance.now()), else of now; to within the wall clock's millisecond. */
function utcDay(startedAt: number | undefined): number {
  const now = Date.now();
  return Math.floor((startedAt === undefined ? now : now - (performance.now() - startedAt)) / DAY_MS);
}

/** Whether these sampling attributes are of a Vertex AI client. */
export function isVertexAi(attrs: Readonly<Attributes>): boolean {
  return attrs[sc.ATTR_GEN_AI_PROVIDER_NAME] === sc.GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI;
}
