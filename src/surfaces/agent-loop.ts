/*
 * The agent-loop surface: when the SDK runs the function-calling loop itself
 * (automatic function calling: a callable tool in `config.tools`, AFC not
 * disabled), `models.generateContent` / `generateContentStream` (and chats,
 * which call them) get an `agent.run` span; each round trip inside is a
 * `generate_content` child (generate-content.ts) and each function call the
 * SDK hands to a tool an `execute_tool` child (the tool's `callTool`, wrapped
 * here). Both methods are instance fields the `Models` constructor assigns,
 * hence `hook: 'field'`.
 */
import { performance } from 'node:perf_hooks';
import { context, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { automaticFunctionCalling, errorType, providerName } from '../mapping/attributes.js';
import { boundedJson } from '../mapping/capture.js';
import type { FunctionCallLike, GenerateContentParametersLike, ModelsLike, PartLike } from '../internal-types.js';
import { activeAgentRun, AgentRun } from '../core/agent-run.js';
import { endSpan, endSpanWithError } from '../core/record.js';
import type { Telemetry } from '../core/telemetry.js';
import { quietly, runTraced, type TracedCall } from '../core/traced-call.js';
import * as sc from '../semconv.js';
import type { Instrumented, Surface } from './surface.js';

function loopSurface(method: 'generateContent' | 'generateContentStream', stream: boolean): Surface {
  return {
    owner: 'Models',
    method,
    hook: 'field',
    operation: sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
    start: (at, self, args) => startLoop(at, self as ModelsLike, args[0] as GenerateContentParametersLike, stream),
  };
}

export const agentLoop = loopSurface('generateContent', false);
export const agentLoopStream = loopSurface('generateContentStream', true);

/** The loop's traced call, or undefined when the SDK will not run a loop (it decides as `shouldDisableAfc` does). */
function startLoop(
  at: Instrumented,
  models: ModelsLike,
  params: GenerateContentParametersLike | undefined,
  stream: boolean
): TracedCall | undefined {
  if (!automaticFunctionCalling(params)) return undefined;
  const { telemetry, settings } = at;
  const model = typeof params?.model === 'string' ? params.model : undefined;
  const attributes: Attributes = {
    [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
    [sc.ATTR_GEN_AI_PROVIDER_NAME]: providerName(models?.apiClient),
  };
  if (model) attributes[sc.ATTR_GEN_AI_REQUEST_MODEL] = model;
  if (settings.agentName) attributes[sc.ATTR_GEN_AI_AGENT_NAME] = settings.agentName;
  Object.assign(attributes, telemetry.endUser(context.active(), settings));
  const span = telemetry.tracer.startSpan(sc.AGENT_RUN_SPAN_NAME, { kind: SpanKind.INTERNAL, attributes });
  const run = new AgentRun(span, true, settings.agentName, telemetry.metrics, model, params?.config?.tools);
  const call = run.traced();
  if (span.isRecording()) traceCallableTools(params?.config?.tools, at);
  if (!stream) return call;
  telemetry.watchShutdown();
  // The loop of a stream runs lazily, inside the app's iteration: bind the
  // iteration to the run, and end the run when the stream ends.
  return {
    ...call,
    handOver: (iterator) =>
      telemetry.streams.wrap(
        iterator,
        call.context,
        { chunk: () => undefined, end: (outcome, error, lastChunkAt) => run.end(error, outcome, lastChunkAt) },
        settings.stream.idleTimeoutMs
      ),
  };
}

const TRACED = Symbol.for('opentelemetry-instrumentation-google-genai/traced-callTool');

/**
 * Wraps `callTool` of each callable tool, once per tool object, in place: the
 * SDK tells MCP tools apart by class, so the objects themselves must stay.
 * The wrapper calls the original with the same `this` and arguments and
 * returns its promise; outside a run of ours it does nothing else.
 */
function traceCallableTools(tools: unknown[] | undefined, at: Instrumented): void {
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
      return runTraced(
        () => startToolCalls(at, run, this, args),
        () => original.apply(this, args),
        'execute_tool'
      );
    };
    Object.defineProperty(traced, TRACED, { value: true });
    quietly("trace a tool's callTool", () =>
      Object.defineProperty(tool, 'callTool', { value: traced, writable: true, configurable: true, enumerable: false })
    );
  }
}

/** One execute_tool span per function call this tool handles, sharing the invocation's time. */
function startToolCalls(at: Instrumented, run: AgentRun, tool: unknown, args: unknown[]): TracedCall {
  const { telemetry } = at;
  const limit = at.settings.toolContentLimit;
  const spans: Array<{ span: Span; call: FunctionCallLike }> = [];
  const parent = context.active();
  // The calls of one invocation share its time: one start, one end.
  const startTime = Date.now();
  const startedAt = performance.now();
  try {
    const calls = (Array.isArray(args[0]) ? args[0] : []) as FunctionCallLike[];
    const declared = run.functionsOf(tool);
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
      const span = telemetry.tracer.startSpan(
        name ? `${sc.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL} ${name}` : sc.GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
        { kind: SpanKind.INTERNAL, attributes, startTime },
        parent
      );
      spans.push({ span, call });
      run.toolCallStarted();
    }
  } catch (err) {
    // Started spans must still end: as if the tool ran alone.
    for (const { span } of spans) span.end();
    throw err;
  }
  const endAll = (error: unknown, parts?: unknown) => {
    const endTime = Date.now();
    for (const { span, call } of spans) {
      const result = error === undefined && limit !== undefined ? resultFor(call, parts, limit) : undefined;
      endToolSpan(telemetry, run, call, span, startedAt, endTime, error, result);
    }
  };
  return {
    // A tool that runs one call runs in its span's context, so its own work nests under it.
    context: spans.length === 1 ? trace.setSpan(parent, spans[0].span) : parent,
    failed: (error) => endAll(error),
    succeeded: (parts) => endAll(undefined, parts),
  };
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
  telemetry: Telemetry,
  run: AgentRun,
  call: FunctionCallLike,
  span: Span,
  startedAt: number,
  endTime: number,
  error?: unknown,
  result?: string
): void {
  quietly('record a tool duration', () => {
    const attrs: Attributes = {
      [sc.ATTR_GEN_AI_TOOL_TYPE]: sc.GEN_AI_TOOL_TYPE_VALUE_FUNCTION,
    };
    if (typeof call?.name === 'string') attrs[sc.ATTR_GEN_AI_TOOL_NAME] = call.name;
    if (run.agentName) attrs[sc.ATTR_GEN_AI_AGENT_NAME] = run.agentName;
    if (error !== undefined) attrs[sc.ATTR_ERROR_TYPE] = errorType(error);
    telemetry.metrics.executeToolDuration.record((performance.now() - startedAt) / 1000, attrs);
  });
  if (error !== undefined) {
    endSpanWithError(span, error, undefined, endTime);
    return;
  }
  const attrs = result === undefined ? undefined : { [sc.ATTR_GEN_AI_TOOL_CALL_RESULT]: result };
  endSpan(span, attrs, endTime);
}
