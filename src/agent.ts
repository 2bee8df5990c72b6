/*
 * Function-calling loops. When the SDK runs the loop itself (automatic
 * function calling: a callable tool in `config.tools`), the call gets an
 * `agent.run` span; each model round trip inside it is a `generate_content`
 * child (patch.ts) and each function call the SDK hands to a tool an
 * `execute_tool` child (the tool's `callTool`, wrapped here). `agent.run`
 * ends with the loop's totals: usage summed over round trips, counts, and
 * whether `maximumRemoteCalls` cut the loop off.
 *
 * The run travels in the OpenTelemetry context, so round trips and tools
 * find it wherever the SDK calls them from, including inside a stream's
 * iteration (the stream is bound to the run's context).
 */
import {
  context,
  createContextKey,
  diag,
  metrics,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { declaredFunctions, errorType, providerName, usageTotals, type UsageTotals } from './attributes.js';
import { GenAIMetrics } from './metrics.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.js';
import { boundedJson } from './config.js';
import type {
  FunctionCallLike,
  GenerateContentParametersLike,
  ModelsLike,
  PartLike,
  UsageMetadataLike,
} from './internal-types.js';
import { endSpanWithError, endSpanWithResponse } from './record.js';
import { isThenable } from './thenable.js';
import * as sc from './semconv.js';

const AGENT_RUN_KEY = createContextKey('opentelemetry-instrumentation-google-genai agent run');
const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';

/** One function-calling loop: its span and what its round trips and tools add up to. */
export class AgentRun {
  /** Model round trips so far. */
  inferenceCalls = 0;
  /** Tool calls so far (execute_tool spans, or in a manual run the function responses the app sent back). */
  toolCalls = 0;
  private lastRoundFunctionCalls = 0;
  private readonly usage: Required<Omit<UsageTotals, 'toolUse'>> & { seen: boolean } = {
    input: 0,
    output: 0,
    reasoning: 0,
    cached: 0,
    seen: false,
  };
  private functions?: Map<object, Map<string, string | undefined>>;
  private ended = false;
  private cost = 0;
  private unpriced = false;
  private readonly startedAt = performance.now();

  constructor(
    readonly span: Span,
    /** True when the SDK runs the loop (AFC); false for a run the app opened with withAgentRun(). */
    readonly automatic: boolean,
    readonly agentName: string | undefined,
    private readonly metrics: GenAIMetrics,
    private readonly requestModel?: string,
    private readonly userTools?: unknown[]
  ) {}

  /** A round trip starts inside this run. */
  roundStarted(params: GenerateContentParametersLike | undefined, answered: number): void {
    this.inferenceCalls++;
    if (!this.automatic) this.toolCalls += answered;
    if (this.automatic && !this.functions && this.userTools) {
      this.functions = declaredFunctions(this.userTools, params?.config?.tools);
    }
  }

  /** A round trip inside this run ended with this usage and this many function calls asked for. */
  roundEnded(usage: UsageMetadataLike | undefined, functionCalls: number, cost: number | undefined): void {
    if (cost === undefined) this.unpriced = true;
    else this.cost += cost;
    const t = usageTotals(usage);
    if (t.input !== undefined || t.output !== undefined) this.usage.seen = true;
    this.usage.input += t.input ?? 0;
    this.usage.output += t.output ?? 0;
    this.usage.reasoning += t.reasoning ?? 0;
    this.usage.cached += t.cached ?? 0;
    this.lastRoundFunctionCalls = functionCalls;
  }

  toolCallStarted(): void {
    this.toolCalls++;
  }

  /** The functions `tool` declared, name to description, if the SDK told us. */
  functionsOf(tool: unknown): Map<string, string | undefined> | undefined {
    return tool !== null && typeof tool === 'object' ? this.functions?.get(tool) : undefined;
  }

  /**
   * The SDK stops at `maximumRemoteCalls` without a word: the loop ended on a
   * round trip that asked for function calls, and no round trip sent their
   * results back (unary: the tools may have run, their results are dropped;
   * streaming: they are not run).
   */
  get maxRemoteCallsReached(): boolean {
    return this.lastRoundFunctionCalls > 0;
  }

  /** Ends the run: ok (with the stream outcome, for streams) or failed. */
  /** `endedAt` (performance.now()): a completed stream's loop ends at its last chunk. */
  end(error?: unknown, outcome?: string, endedAt?: number): void {
    if (this.ended) return;
    this.ended = true;
    const attrs: Attributes = {
      [sc.ATTR_GCP_GEN_AI_AGENT_INFERENCE_CALLS]: this.inferenceCalls,
      [sc.ATTR_GCP_GEN_AI_AGENT_TOOL_CALLS]: this.toolCalls,
    };
    if (this.usage.seen) {
      attrs[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = this.usage.input;
      attrs[sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = this.usage.output;
      if (this.usage.reasoning) attrs[sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = this.usage.reasoning;
      if (this.usage.cached) attrs[sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = this.usage.cached;
    }
    // The loop's cost, when every round trip had one: never a partial sum.
    if (this.inferenceCalls > 0 && !this.unpriced) attrs[sc.ATTR_GEN_AI_COST_USD] = this.cost;
    if (outcome !== undefined) attrs[sc.ATTR_GCP_GEN_AI_STREAM_OUTCOME] = outcome;
    const completed = error === undefined && (outcome === undefined || outcome === sc.STREAM_OUTCOME_COMPLETED);
    if (this.automatic && completed)
      attrs[sc.ATTR_GCP_GEN_AI_AGENT_MAX_REMOTE_CALLS_REACHED] = this.maxRemoteCallsReached;
    const failed = error !== undefined || outcome === sc.STREAM_OUTCOME_FAILED;
    try {
      const agentAttrs: Attributes = {};
      if (this.agentName) agentAttrs[sc.ATTR_GEN_AI_AGENT_NAME] = this.agentName;
      const durationAttrs: Attributes = { ...agentAttrs };
      if (this.requestModel) durationAttrs[sc.ATTR_GEN_AI_REQUEST_MODEL] = this.requestModel;
      if (failed) durationAttrs[sc.ATTR_ERROR_TYPE] = errorType(error);
      this.metrics.invokeAgentDuration.record(((endedAt ?? performance.now()) - this.startedAt) / 1000, durationAttrs);
      this.metrics.invokeAgentInferenceCalls.record(this.inferenceCalls, agentAttrs);
      this.metrics.invokeAgentToolCalls.record(this.toolCalls, agentAttrs);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not record agent metrics`, err);
    }
    if (failed) endSpanWithError(this.span, error, attrs, endedAt);
    else endSpanWithResponse(this.span, undefined, attrs, endedAt);
  }
}

export function activeAgentRun(ctx: Context = context.active()): AgentRun | undefined {
  return ctx.getValue(AGENT_RUN_KEY) as AgentRun | undefined;
}

/** The context of a run: its span active, and the run itself for round trips and tools to find. */
export function agentRunContext(run: AgentRun, parent: Context = context.active()): Context {
  return trace.setSpan(parent, run.span).setValue(AGENT_RUN_KEY, run);
}

/** Starts the `agent.run` span (INTERNAL, invoke_agent) of a loop the SDK runs for `generateContent(params)`. */
export function startAgentRun(
  tracer: Tracer,
  metrics: GenAIMetrics,
  models: ModelsLike | undefined,
  params: GenerateContentParametersLike | undefined,
  agentName: string | undefined,
  user: Attributes = {}
): AgentRun {
  const model = typeof params?.model === 'string' ? params.model : undefined;
  const attributes: Attributes = {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: providerName(models?.apiClient),
  };
  if (model) attributes[sc.ATTR_GEN_AI_REQUEST_MODEL] = model;
  if (agentName) attributes[sc.ATTR_GEN_AI_AGENT_NAME] = agentName;
  Object.assign(attributes, user);
  const span = tracer.startSpan(sc.AGENT_RUN_SPAN_NAME, { kind: SpanKind.INTERNAL, attributes });
  return new AgentRun(span, true, agentName, metrics, model, params?.config?.tools);
}

export interface ToolTracing {
  readonly tracer: Tracer;
  readonly metrics: GenAIMetrics;
  /** Max length of recorded arguments and results; undefined: do not record them. */
  contentLimit(): number | undefined;
}

const TRACED = Symbol.for('opentelemetry-instrumentation-google-genai/traced-callTool');

/**
 * Wraps `callTool` of each callable tool, once per tool object, in place: the
 * SDK tells MCP tools apart by class, so the objects themselves must stay.
 * The wrapper calls the original with the same `this` and arguments and
 * returns its promise; outside a run of ours it does nothing else.
 */
export function traceCallableTools(tools: unknown[] | undefined, tracing: ToolTracing): void {
  if (!Array.isArray(tools)) return;
  for (const tool of tools) {
    if (tool === null || typeof tool !== 'object') continue;
    const original = (tool as { callTool?: unknown }).callTool as ((...a: unknown[]) => unknown) & {
      [TRACED]?: boolean;
    };
    if (typeof original !== 'function' || original[TRACED]) continue;
    const traced = function callTool(this: unknown, ...args: unknown[]): unknown {
      const run = activeAgentRun();
      if (!run || !run.automatic) return original.apply(this, args);
      return callToolTraced(tracing, run, this, original, args);
    };
    Object.defineProperty(traced, TRACED, { value: true });
    try {
      Object.defineProperty(tool, 'callTool', { value: traced, writable: true, configurable: true, enumerable: false });
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not trace a tool's callTool`, err);
    }
  }
}

/** One execute_tool span per function call this tool handles, sharing the invocation's time. */
function callToolTraced(
  tracing: ToolTracing,
  run: AgentRun,
  tool: unknown,
  original: (...a: unknown[]) => unknown,
  args: unknown[]
): unknown {
  let spans: Array<{ span: Span; call: FunctionCallLike }> = [];
  const parent = context.active();
  // The calls of one invocation share its time: one start, one end.
  const startTime = Date.now();
  const startedAt = performance.now();
  try {
    const calls = (Array.isArray(args[0]) ? args[0] : []) as FunctionCallLike[];
    const declared = run.functionsOf(tool);
    const limit = tracing.contentLimit();
    for (const call of calls) {
      const name = typeof call?.name === 'string' ? call.name : undefined;
      // Each callable tool is handed every call of a round trip; it runs the ones it declares.
      if (declared && (!name || !declared.has(name))) continue;
      const attributes: Attributes = {
        [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
        [sc.ATTR_GEN_AI_TOOL_TYPE]: sc.GEN_AI_TOOL_TYPE_VALUE_FUNCTION,
      };
      if (name) attributes[sc.ATTR_GEN_AI_TOOL_NAME] = name;
      if (typeof call.id === 'string' && call.id) attributes[sc.ATTR_GEN_AI_TOOL_CALL_ID] = call.id;
      const description = name ? declared?.get(name) : undefined;
      if (description) attributes[sc.ATTR_GEN_AI_TOOL_DESCRIPTION] = description;
      if (run.agentName) attributes[sc.ATTR_GEN_AI_AGENT_NAME] = run.agentName;
      if (limit !== undefined && call.args !== undefined) {
        const json = boundedJson(call.args, limit);
        if (json !== undefined) attributes[sc.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = json;
      }
      const span = tracing.tracer.startSpan(
        name ? `${sc.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL} ${name}` : sc.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
        { kind: SpanKind.INTERNAL, attributes, startTime },
        parent
      );
      spans.push({ span, call });
      run.toolCallStarted();
    }
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not start execute_tool spans`, err);
    for (const { span } of spans) span.end();
    spans = [];
  }
  // A tool that runs one call runs in its span's context, so its own work nests under it.
  const ctx = spans.length === 1 ? trace.setSpan(parent, spans[0].span) : parent;
  let result: unknown;
  try {
    result = context.with(ctx, () => original.apply(tool, args));
  } catch (err) {
    const endTime = Date.now();
    for (const { span, call } of spans) endToolSpan(tracing, run, call, span, startedAt, endTime, err);
    throw err;
  }
  if (isThenable(result)) {
    result.then(
      (parts) => {
        const endTime = Date.now();
        const limit = tracing.contentLimit();
        for (const { span, call } of spans) {
          const recorded = limit === undefined ? undefined : resultFor(call, parts, limit);
          endToolSpan(tracing, run, call, span, startedAt, endTime, undefined, recorded);
        }
      },
      (err: unknown) => {
        const endTime = Date.now();
        for (const { span, call } of spans) endToolSpan(tracing, run, call, span, startedAt, endTime, err);
      }
    );
  } else {
    const endTime = Date.now();
    for (const { span, call } of spans) endToolSpan(tracing, run, call, span, startedAt, endTime);
  }
  return result;
}

/** The recorded result of `call`: the response of the part that answers it (by id, else by name). */
function resultFor(call: FunctionCallLike, parts: unknown, limit: number): string | undefined {
  if (!Array.isArray(parts)) return undefined;
  const answers = (parts as PartLike[]).map((p) => p?.functionResponse).filter((fr) => fr && typeof fr === 'object');
  const answer =
    (call.id ? answers.find((fr) => fr!.id === call.id) : undefined) ?? answers.find((fr) => fr!.name === call.name);
  return answer?.response === undefined ? undefined : boundedJson(answer.response, limit);
}

/** Ends one execute_tool span and records its duration (`gen_ai.execute_tool.duration`). */
function endToolSpan(
  tracing: ToolTracing,
  run: AgentRun,
  call: FunctionCallLike,
  span: Span,
  startedAt: number,
  endTime: number,
  error?: unknown,
  result?: string
): void {
  try {
    const attrs: Attributes = {
      [sc.ATTR_GEN_AI_TOOL_TYPE]: sc.GEN_AI_TOOL_TYPE_VALUE_FUNCTION,
    };
    if (typeof call?.name === 'string') attrs[sc.ATTR_GEN_AI_TOOL_NAME] = call.name;
    if (run.agentName) attrs[sc.ATTR_GEN_AI_AGENT_NAME] = run.agentName;
    if (error !== undefined) attrs[sc.ATTR_ERROR_TYPE] = errorType(error);
    tracing.metrics.executeToolDuration.record((performance.now() - startedAt) / 1000, attrs);
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not record a tool duration`, err);
  }
  if (error !== undefined) {
    endSpanWithError(span, error, undefined, endTime);
    return;
  }
  const attrs = result === undefined ? undefined : { [sc.ATTR_GEN_AI_TOOL_CALL_RESULT]: result };
  endSpanWithResponse(span, undefined, attrs, endTime);
}

/**
 * Runs `fn` inside an `agent.run` span, for apps that run their own
 * function-calling loop: every Gemini round trip made inside becomes its
 * child, and the span ends with the loop's totals (round trips, function
 * responses sent back, usage summed). Returns what `fn` returns; an error
 * thrown by `fn` marks the span and is rethrown as it is.
 *
 *   const answer = await withAgentRun('support-bot', () => runMyLoop(question));
 */
export function withAgentRun<T>(name: string | undefined, fn: () => T): T {
  let run: AgentRun;
  try {
    const t = trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);
    const attributes: Attributes = { [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT };
    if (name) attributes[sc.ATTR_GEN_AI_AGENT_NAME] = name;
    const span = t.startSpan(sc.AGENT_RUN_SPAN_NAME, { kind: SpanKind.INTERNAL, attributes });
    run = new AgentRun(span, false, name, globalMetrics());
  } catch (err) {
    diag.warn(`${LOG_PREFIX} could not start agent.run`, err);
    return fn();
  }
  let result: T;
  try {
    result = context.with(agentRunContext(run), fn);
  } catch (err) {
    run.end(err);
    throw err;
  }
  if (isThenable(result)) {
    result.then(
      () => run.end(),
      (err: unknown) => run.end(err)
    );
  } else {
    run.end();
  }
  return result;
}

let sharedMetrics: { meter: unknown; metrics: GenAIMetrics } | undefined;
/** Metrics through the global meter provider, for runs opened with withAgentRun(). */
function globalMetrics(): GenAIMetrics {
  const meter = metrics.getMeter(PACKAGE_NAME, PACKAGE_VERSION);
  if (sharedMetrics?.meter !== meter) sharedMetrics = { meter, metrics: new GenAIMetrics(meter) };
  return sharedMetrics.metrics;
}
