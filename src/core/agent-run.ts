/*
 * An agent run: the `agent.run` span of a function-calling loop and what its
 * round trips and tools add up to (usage summed, counts, whether
 * `maximumRemoteCalls` cut the loop off), for the loops the SDK runs
 * (surfaces/agent-loop.ts) and the ones the app runs inside withAgentRun().
 *
 * The run travels in the OpenTelemetry context, so round trips and tools
 * find it wherever the SDK calls them from, including inside a stream's
 * iteration (the stream is bound to the run's context).
 */
import {
  context,
  createContextKey,
  metrics,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { declaredFunctions, usageTotals, type UsageTotals } from '../mapping/attributes.js';
import { GenAIMetrics } from './metrics.js';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import type { GenerateContentParametersLike, UsageMetadataLike } from '../internal-types.js';
import { CallSpan, quietly, runTraced, type TracedCall } from './traced-call.js';
import * as sc from '../semconv.js';

const AGENT_RUN_KEY = createContextKey('opentelemetry-instrumentation-google-genai agent run');

/** One function-calling loop: its span and what its round trips and tools add up to. */
export class AgentRun {
  /** Model round trips so far. */
  inferenceCalls = 0;
  /** Tool calls so far (execute_tool spans, or in a manual run the function responses the app sent back). */
  toolCalls = 0;
  private lastRoundFunctionCalls = 0;
  // No cache counts: the conventions took them off the internal agent span (semconv-genai #469).
  private readonly usage: Required<Omit<UsageTotals, 'toolUse' | 'cached'>> & { seen: boolean } = {
    input: 0,
    output: 0,
    reasoning: 0,
    seen: false,
  };
  private functions?: Map<object, Map<string, string | undefined>>;
  private cost = 0;
  private unpriced = false;
  private readonly call: CallSpan;

  constructor(
    readonly span: Span,
    /** True when the SDK runs the loop (AFC); false for a run the app opened with withAgentRun(). */
    readonly automatic: boolean,
    readonly agentName: string | undefined,
    private readonly metrics: GenAIMetrics,
    private readonly requestModel?: string,
    private readonly userTools?: unknown[]
  ) {
    this.call = new CallSpan(span);
  }

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
    if (this.call.isEnded) return;
    const attrs: Attributes = {
      [sc.ATTR_GCP_GEN_AI_AGENT_INFERENCE_CALLS]: this.inferenceCalls,
      [sc.ATTR_GCP_GEN_AI_AGENT_TOOL_CALLS]: this.toolCalls,
    };
    if (this.usage.seen) {
      attrs[sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS] = this.usage.input;
      attrs[sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = this.usage.output;
      if (this.usage.reasoning) attrs[sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = this.usage.reasoning;
    }
    // The loop's cost, when every round trip had one: never a partial sum.
    if (this.inferenceCalls > 0 && !this.unpriced) attrs[sc.ATTR_GEN_AI_COST_USD] = this.cost;
    if (outcome !== undefined) attrs[sc.ATTR_GCP_GEN_AI_STREAM_OUTCOME] = outcome;
    const completed = error === undefined && (outcome === undefined || outcome === sc.STREAM_OUTCOME_COMPLETED);
    if (this.automatic && completed)
      attrs[sc.ATTR_GCP_GEN_AI_AGENT_MAX_REMOTE_CALLS_REACHED] = this.maxRemoteCallsReached;
    const agentAttrs: Attributes = {};
    if (this.agentName) agentAttrs[sc.ATTR_GEN_AI_AGENT_NAME] = this.agentName;
    const durationAttrs: Attributes = { ...agentAttrs };
    if (this.requestModel) durationAttrs[sc.ATTR_GEN_AI_REQUEST_MODEL] = this.requestModel;
    quietly('record agent metrics', () => {
      this.metrics.invokeAgentInferenceCalls.record(this.inferenceCalls, agentAttrs);
      this.metrics.invokeAgentToolCalls.record(this.toolCalls, agentAttrs);
    });
    this.call.finish({
      error,
      failed: error !== undefined || outcome === sc.STREAM_OUTCOME_FAILED,
      attributes: attrs,
      endedAt,
      duration: { histogram: this.metrics.invokeAgentDuration, attributes: durationAttrs },
    });
  }

  /** This run as a traced call: the SDK's method (or the app's loop) runs in its context and ends it. */
  traced(): TracedCall {
    return {
      context: agentRunContext(this),
      failed: (error) => this.end(error),
      succeeded: () => this.end(),
    };
  }
}

export function activeAgentRun(ctx: Context = context.active()): AgentRun | undefined {
  return ctx.getValue(AGENT_RUN_KEY) as AgentRun | undefined;
}

/** The context of a run: its span active, and the run itself for round trips and tools to find. */
export function agentRunContext(run: AgentRun, parent: Context = context.active()): Context {
  return trace.setSpan(parent, run.span).setValue(AGENT_RUN_KEY, run);
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
  return runTraced(
    () => {
      const t = trace.getTracer(PACKAGE_NAME, PACKAGE_VERSION);
      const attributes: Attributes = { [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT };
      if (name) attributes[sc.ATTR_GEN_AI_AGENT_NAME] = name;
      const span = t.startSpan(sc.AGENT_RUN_SPAN_NAME, { kind: SpanKind.INTERNAL, attributes });
      return new AgentRun(span, false, name, globalMetrics()).traced();
    },
    fn,
    'agent.run'
  );
}

// Process-wide by necessity: withAgentRun() is a plain function the app calls, tied to no instrumentation
// instance, so it records through the global meter provider, and its instruments are made once per meter.
let sharedMetrics: { meter: unknown; metrics: GenAIMetrics } | undefined;
/** Metrics through the global meter provider, for runs opened with withAgentRun(). */
function globalMetrics(): GenAIMetrics {
  const meter = metrics.getMeter(PACKAGE_NAME, PACKAGE_VERSION);
  if (sharedMetrics?.meter !== meter) sharedMetrics = { meter, metrics: new GenAIMetrics(meter) };
  return sharedMetrics.metrics;
}
