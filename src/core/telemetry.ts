/*
 * Telemetry: what the instrumentation records with, owned by the instance.
 * The tracer and meter (they follow the providers the instrumentation is
 * given), the instruments and the counters' totals, the open streams, the
 * pending function calls of manual loops, the log events, and the caches
 * that keep the hot path cheap (sampling and metric attribute sets, price
 * look-ups, end-user hashes). The mapping modules stay pure because their
 * caches live here.
 */
import {
  diag,
  trace,
  type Attributes,
  type Context,
  type Meter,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { modelVersionOf, samplingAttributes } from '../mapping/attributes.js';
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
  /** Per API client: operation → model → its sampling attributes (frozen, shared by every call and metric set built on them). */
  private readonly sampling = new WeakMap<
    object,
    Map<string, Map<string, { baseUrl: string | undefined; attrs: Readonly<Attributes> }>>
  >();
  /** Per sampling attribute set: response model → metric attribute sets. */
  private readonly metricSets = new WeakMap<Readonly<Attributes>, Map<string, MetricAttributeSets>>();
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
    if (!apiClient || typeof apiClient !== 'object') return samplingAttributes(operation, apiClient, model);
    let byOperation = this.sampling.get(apiClient);
    if (!byOperation) this.sampling.set(apiClient, (byOperation = new Map()));
    let byModel = byOperation.get(operation);
    if (!byModel) byOperation.set(operation, (byModel = new Map()));
    // Keyed by the strings as they come: no key to build per call.
    const key = typeof model === 'string' ? model : '';
    const baseUrl = apiClient.getBaseUrl?.();
    const cached = byModel.get(key);
    if (cached && cached.baseUrl === baseUrl) return cached.attrs;
    const attrs = Object.freeze(samplingAttributes(operation, apiClient, model));
    // Bounded: model names come from the app.
    if (byModel.size < 256) byModel.set(key, { baseUrl, attrs });
    return attrs;
  }

  /** The metric attribute sets of a call: built once per (sampling attributes, response model). */
  metricAttributes(attrs: Readonly<Attributes>, responseModel: string | undefined): MetricAttributeSets {
    let byModel = this.metricSets.get(attrs);
    if (!byModel) this.metricSets.set(attrs, (byModel = new Map()));
    const key = responseModel ?? '';
    let sets = byModel.get(key);
    if (!sets) {
      sets = buildMetricAttributeSets(attrs, responseModel);
      // Bounded: response models come from the server.
      if (byModel.size < 64) byModel.set(key, sets);
    }
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
    const last = sets.memo.reason;
    if (last && last.reason === reason) {
      last.cell.value += 1;
      return;
    }
    const cell = this.totals.finishReasons.cell(sets.countersKey, sets.counters, reason);
    sets.memo.reason = { reason, cell };
    cell.value += 1;
  }

  /** Adds a call's cost for these metric sets at `tier`, for a hashed end user ('' for none) (the cost counter). */
  addCost(sets: MetricAttributeSets, tier: string, user: string, cost: number): void {
    if (!TotalCell.counts(cost)) return;
    const last = sets.memo.cost;
    if (last && last.tier === tier && last.user === user) {
      last.cell.value += cost;
      return;
    }
    const counters = this.costCounters(sets, tier);
    const cell = this.totals.cost.cell(counters.key, counters.attributes, user);
    sets.memo.cost = { tier, user, cell };
    cell.value += cost;
  }

  /** Who the call made in `ctx` is for (enduser.id hashed, role, plan). */
  endUser(ctx: Context, settings: Settings): Attributes {
    return endUserAttributes(ctx, settings.endUser, this.hashes);
  }

  /**
   * USD for this usage at the model's list price on this service tier at
   * time `at` (ms since the epoch); undefined for an unknown model or a tier
   * the table has no price for (reported once per model and tier).
   */
  costOf(
    response: GenerateContentResponseLike | undefined,
    requestModel: string | undefined,
    vertexAi: boolean,
    settings: Settings,
    tier: string = SERVICE_TIER_STANDARD,
    at: number = Date.now(),
    /** The call's metric sets (built per request and response model): the price is looked up once per set. */
    sets?: MetricAttributeSets
  ): number | undefined {
    const table = settings.prices;
    let found: Price;
    const memo = sets?.memo.price;
    if (memo && memo.table === table) found = memo.price as Price;
    else {
      found = this.priceOf(table, modelVersionOf(response), requestModel, vertexAi);
      if (sets) sets.memo.price = { table, price: found };
    }
    const rates = found && this.ratesOf(found.price, vertexAi, tier, at);
    if (!rates) {
      // Never a guess: no cost, and one word about it per model and tier.
      const name = found?.key ?? modelVersionOf(response) ?? requestModel ?? '(no model)';
      const warned = (this.unpricedWarned ??= new Set());
      const key = `${name}|${tier}|${vertexAi}`;
      if (!warned.has(key) && warned.size < 100) {
        warned.add(key);
        diag.warn(
          `${LOG_PREFIX} no price for model ${name}${found ? ` at the ${tier} tier` : ''}${vertexAi ? ' on Vertex AI' : ''}; ` +
            'its calls get no gen_ai.cost.usd (add it with the prices option)'
        );
      }
      return undefined;
    }
    return costOf(response?.usageMetadata, rates);
  }

  /** A model's rates for a tier on a UTC day (prices change at 00:00 UTC), worked out again only when those change. */
  private ratesOf(price: ModelPrice, vertexAi: boolean, tier: string, at: number): TierPrice | undefined {
    if (!price.scheduled && !price.serviceTiers && !price.vertexAi && tier === SERVICE_TIER_STANDARD) return price;
    const day = Math.floor(at / 86_400_000);
    // The last answer per model: calls of one model mostly share tier and day.
    const last = this.rates.get(price);
    if (last && last.tier === tier && last.day === day && last.vertexAi === vertexAi) return last.rates;
    const rates = ratesAt(price, { tier, at, vertexAi });
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

/** Whether these sampling attributes are of a Vertex AI client. */
export function isVertexAi(attrs: Readonly<Attributes>): boolean {
  return attrs[sc.ATTR_GEN_AI_PROVIDER_NAME] === sc.GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI;
}
