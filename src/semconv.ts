/*
 * Attribute names and values from the GenAI semantic conventions
 * (semantic-conventions-genai, model/gen-ai/registry.yaml).
 *
 * The incubating entry of @opentelemetry/semantic-conventions lags the GenAI
 * spec and must not be loaded at run time, so the names we emit live here and
 * nowhere else. Names the conventions do not define are ours, under
 * `gcp.gen_ai.*` (two historical exceptions noted below).
 */

// Operation and provider.
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';

export const GEN_AI_OPERATION_NAME_VALUE_GENERATE_CONTENT = 'generate_content';
export const GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS = 'embeddings';
// Operations the conventions have no value for (their list is open): ours, named for the SDK method.
export const OPERATION_GENERATE_IMAGES = 'generate_images';
export const OPERATION_EDIT_IMAGE = 'edit_image';
export const OPERATION_UPSCALE_IMAGE = 'upscale_image';
export const OPERATION_RECONTEXT_IMAGE = 'recontext_image';
export const OPERATION_SEGMENT_IMAGE = 'segment_image';
export const OPERATION_GENERATE_VIDEOS = 'generate_videos';
export const OPERATION_COUNT_TOKENS = 'count_tokens';
export const OPERATION_COMPUTE_TOKENS = 'compute_tokens';
export const OPERATION_CREATE_CACHE = 'create_cache';
export const OPERATION_GET_OPERATION = 'get_operation';
export const OPERATION_LIVE_SESSION = 'live_session';
export const OPERATION_LIVE_MUSIC_SESSION = 'live_music_session';
export const OPERATION_CREATE_BATCH = 'create_batch';
export const OPERATION_CREATE_TUNING_JOB = 'create_tuning_job';
export const OPERATION_UPLOAD_FILE_SEARCH_DOCUMENT = 'upload_file_search_document';
export const OPERATION_IMPORT_FILE_SEARCH_DOCUMENT = 'import_file_search_document';
export const OPERATION_UPDATE_CACHE = 'update_cache';
export const OPERATION_DELETE_CACHE = 'delete_cache';
export const GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT = 'invoke_agent';
export const GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL = 'execute_tool';
export const GEN_AI_OPERATION_NAME_VALUE_FETCH_RESPONSE = 'fetch_response';
export const GEN_AI_OPERATION_NAME_VALUE_CREATE_AGENT = 'create_agent';

export const GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI = 'gcp.gemini';
export const GEN_AI_PROVIDER_NAME_VALUE_GCP_VERTEX_AI = 'gcp.vertex_ai';

// Request.
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
/** `thinkingConfig.thinkingLevel`, as sent (`LOW`, `HIGH`, ...). */
export const ATTR_GEN_AI_REQUEST_REASONING_LEVEL = 'gen_ai.request.reasoning.level';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';

export const GEN_AI_OUTPUT_TYPE_VALUE_TEXT = 'text';
export const GEN_AI_OUTPUT_TYPE_VALUE_JSON = 'json';
export const GEN_AI_OUTPUT_TYPE_VALUE_IMAGE = 'image';
export const GEN_AI_OUTPUT_TYPE_VALUE_SPEECH = 'speech';

// Response.
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_STATUS = 'gen_ai.response.status';
export const ATTR_GEN_AI_REQUEST_PREVIOUS_RESPONSE_ID = 'gen_ai.request.previous_response.id';
export const ATTR_GEN_AI_REQUEST_STREAM_CURSOR = 'gen_ai.request.stream_cursor';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
/** Not in the conventions; kept under this name because users already query it. */
export const ATTR_GEN_AI_RESPONSE_CHUNK_COUNT = 'gen_ai.response.chunk_count';

// Usage.
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';
// Not in the conventions: ours, under gcp.gen_ai.*.
export const ATTR_GCP_GEN_AI_RESPONSE_EMBEDDING_COUNT = 'gcp.gen_ai.response.embedding_count';
export const ATTR_GCP_GEN_AI_REQUEST_IMAGE_COUNT = 'gcp.gen_ai.request.image_count';
export const ATTR_GCP_GEN_AI_RESPONSE_IMAGE_COUNT = 'gcp.gen_ai.response.image_count';
/** The Interactions API's `background: true`: the call returns at once, the work goes on (polled with interactions.get). */
export const ATTR_GCP_GEN_AI_REQUEST_BACKGROUND = 'gcp.gen_ai.request.background';
/** `triggers.run`: the trigger, and the execution the run started. */
export const ATTR_GCP_GEN_AI_TRIGGER_ID = 'gcp.gen_ai.trigger.id';
export const ATTR_GCP_GEN_AI_TRIGGER_EXECUTION_ID = 'gcp.gen_ai.trigger.execution_id';
/** `decisions.create`: the questions asked, and those answered. */
export const ATTR_GCP_GEN_AI_DECISION_QUESTION_COUNT = 'gcp.gen_ai.decision.question_count';
export const ATTR_GCP_GEN_AI_DECISION_ANSWER_COUNT = 'gcp.gen_ai.decision.answer_count';
export const ATTR_GCP_GEN_AI_RESPONSE_FILTERED_IMAGE_COUNT = 'gcp.gen_ai.response.filtered_image_count';
export const ATTR_GCP_GEN_AI_REQUEST_VIDEO_COUNT = 'gcp.gen_ai.request.video_count';
export const ATTR_GCP_GEN_AI_RESPONSE_MASK_COUNT = 'gcp.gen_ai.response.mask_count';
export const ATTR_GCP_GEN_AI_OPERATION_ID = 'gcp.gen_ai.operation.id';
/** Batches: the job's name, its state when created, and how many requests it holds (when the app sent them inline). */
export const ATTR_GCP_GEN_AI_BATCH_ID = 'gcp.gen_ai.batch.id';
export const ATTR_GCP_GEN_AI_BATCH_STATE = 'gcp.gen_ai.batch.state';
export const ATTR_GCP_GEN_AI_BATCH_REQUEST_COUNT = 'gcp.gen_ai.batch.request_count';
/** Tuning: the job (or the tuned model it makes), its state when created, and the examples sent inline. */
export const ATTR_GCP_GEN_AI_TUNING_JOB = 'gcp.gen_ai.tuning.job';
export const ATTR_GCP_GEN_AI_TUNING_STATE = 'gcp.gen_ai.tuning.state';
export const ATTR_GCP_GEN_AI_TUNING_EXAMPLE_COUNT = 'gcp.gen_ai.tuning.example_count';
/** File search: the store, the document indexed, and its size in bytes (never its bytes). */
export const ATTR_GCP_GEN_AI_FILE_SEARCH_STORE = 'gcp.gen_ai.file_search.store';
export const ATTR_GCP_GEN_AI_FILE_SEARCH_DOCUMENT = 'gcp.gen_ai.file_search.document';
export const ATTR_GCP_GEN_AI_FILE_SEARCH_SIZE_BYTES = 'gcp.gen_ai.file_search.size_bytes';
export const ATTR_GCP_GEN_AI_OPERATION_DONE = 'gcp.gen_ai.operation.done';
export const ATTR_GCP_GEN_AI_RESPONSE_TOTAL_TOKENS = 'gcp.gen_ai.response.total_tokens';
export const GCP_GEN_AI_OUTPUT_TYPE_VALUE_VIDEO = 'video';
export const ATTR_GCP_GEN_AI_CACHE_NAME = 'gcp.gen_ai.cache.name';
export const EVENT_LIVE_TURN = 'gcp.gen_ai.live.turn';
export const EVENT_LIVE_TOOL_CALL = 'gcp.gen_ai.live.tool_call';
export const EVENT_LIVE_TOOL_RESPONSE = 'gcp.gen_ai.live.tool_response';
export const EVENT_LIVE_GO_AWAY = 'gcp.gen_ai.live.go_away';
export const ATTR_GCP_GEN_AI_LIVE_TURN = 'gcp.gen_ai.live.turn';
export const ATTR_GCP_GEN_AI_LIVE_TURNS = 'gcp.gen_ai.live.turns';
export const ATTR_GCP_GEN_AI_LIVE_TOOL_CALLS = 'gcp.gen_ai.live.tool_calls';
export const ATTR_GCP_GEN_AI_LIVE_FUNCTION_NAMES = 'gcp.gen_ai.live.function_names';
export const ATTR_GCP_GEN_AI_LIVE_CLOSE_CODE = 'gcp.gen_ai.live.close_code';
export const ATTR_GCP_GEN_AI_CACHE_TOKEN_COUNT = 'gcp.gen_ai.cache.token_count';
export const ATTR_GCP_GEN_AI_CACHE_EXPIRE_TIME = 'gcp.gen_ai.cache.expire_time';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/**
 * Per-modality token counts (conventions after our copy: ../shared/notes/semconv-changes.md, #440):
 * `gen_ai.usage.{text,image,audio}.input_tokens`, `.output_tokens`, `.cache_read.input_tokens`.
 * Gemini also reports VIDEO and DOCUMENT, which have no attribute there: those go under `gcp.gen_ai.usage.*`.
 */
export const USAGE_MODALITIES_IN_CONVENTIONS = ['text', 'image', 'audio'] as const;
export const usageByModality = (
  modality: string,
  kind: 'input_tokens' | 'output_tokens' | 'cache_read.input_tokens'
) =>
  (USAGE_MODALITIES_IN_CONVENTIONS as readonly string[]).includes(modality)
    ? `gen_ai.usage.${modality}.${kind}`
    : `gcp.gen_ai.usage.${modality}.${kind}`;

// Content (recorded only when content capture is on).
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_TOOL_DEFINITIONS = 'gen_ai.tool.definitions';

/** The log event carrying an inference's details and content (content capture on events only). */
export const EVENT_INFERENCE_OPERATION_DETAILS = 'gen_ai.client.inference.operation.details';

// Agents and tools.
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_GEN_AI_AGENT_ID = 'gen_ai.agent.id';
export const ATTR_GEN_AI_AGENT_DESCRIPTION = 'gen_ai.agent.description';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_TOOL_DESCRIPTION = 'gen_ai.tool.description';
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const GEN_AI_TOOL_TYPE_VALUE_FUNCTION = 'function';

/**
 * The span of a function-calling loop (operation `invoke_agent`). The
 * conventions let a system name its agent spans; ours is `agent.run`, the same
 * whether or not an agent name is configured, so one query finds every loop.
 */
export const AGENT_RUN_SPAN_NAME = 'agent.run';

// Token type, on gen_ai.client.token.usage.
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const GEN_AI_TOKEN_TYPE_VALUE_INPUT = 'input';
export const GEN_AI_TOKEN_TYPE_VALUE_OUTPUT = 'output';

/** Not in the conventions; kept under this name because users already query it. USD at list prices. */
export const ATTR_GEN_AI_COST_USD = 'gen_ai.cost.usd';

// End user (general conventions).
export const ATTR_ENDUSER_ID = 'enduser.id';
export const ATTR_ENDUSER_ROLE = 'enduser.role';

// General (stable) conventions used by the GenAI spans.
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const EVENT_EXCEPTION = 'exception';
export const ATTR_EXCEPTION_TYPE = 'exception.type';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';
export const ATTR_EXCEPTION_STACKTRACE = 'exception.stacktrace';
export const ERROR_TYPE_VALUE_OTHER = '_OTHER';

// Ours: what Gemini reports that the conventions have no name for.
/** One finish reason, on our finish-reason counter (the span's `gen_ai.response.finish_reasons` is an array). */
export const ATTR_GCP_GEN_AI_RESPONSE_FINISH_REASON = 'gcp.gen_ai.response.finish_reason';
/** `promptFeedback.blockReason`: the prompt itself was blocked, no candidate came back. */
export const ATTR_GCP_GEN_AI_PROMPT_BLOCK_REASON = 'gcp.gen_ai.response.prompt_block_reason';
/** `usageMetadata.toolUsePromptTokenCount`: also counted in `gen_ai.usage.input_tokens`. */
export const ATTR_GCP_GEN_AI_USAGE_TOOL_USE_PROMPT_TOKENS = 'gcp.gen_ai.usage.tool_use_prompt_tokens';
/**
 * The service tier asked for (`config.serviceTier`: `standard`, `flex`, `priority`) and the one that
 * served the call (the Gemini API's `usageMetadata.serviceTier`, or Vertex AI's `trafficType` as
 * `standard`, `flex`, `priority`, `off_peak`, `provisioned_throughput`). Cost is priced at the
 * response's tier, else the request's, else `standard`.
 */
export const ATTR_GCP_GEN_AI_REQUEST_SERVICE_TIER = 'gcp.gen_ai.request.service_tier';
export const ATTR_GCP_GEN_AI_RESPONSE_SERVICE_TIER = 'gcp.gen_ai.response.service_tier';
/** On the cost counter: the tier the cost was priced at. */
export const ATTR_GCP_GEN_AI_SERVICE_TIER = 'gcp.gen_ai.service_tier';
/** `thinkingConfig.thinkingBudget` (tokens; -1 automatic, 0 off). */
export const ATTR_GCP_GEN_AI_REQUEST_THINKING_BUDGET = 'gcp.gen_ai.request.thinking_budget';
/** The server-side tools the request enables (`google_search`, `url_context`, `code_execution`, ...): names only. */
export const ATTR_GCP_GEN_AI_REQUEST_SERVER_TOOLS = 'gcp.gen_ai.request.server_tools';
/** How many web searches grounding ran (`groundingMetadata.webSearchQueries`), over the candidates. */
export const ATTR_GCP_GEN_AI_RESPONSE_WEB_SEARCH_QUERIES = 'gcp.gen_ai.response.web_search_queries';
/** How many grounding sources the candidates cite (`groundingMetadata.groundingChunks`). */
export const ATTR_GCP_GEN_AI_RESPONSE_GROUNDING_CHUNKS = 'gcp.gen_ai.response.grounding_chunks';
/** The URL context tool's retrieval status of each URL, in order (`URL_RETRIEVAL_STATUS_SUCCESS`, ...). */
export const ATTR_GCP_GEN_AI_RESPONSE_URL_RETRIEVAL_STATUSES = 'gcp.gen_ai.response.url_retrieval_statuses';
/**
 * 3.x automatic continuation: the hop of a continued generation (0 for the round trip that
 * returned the first continuation token). Each hop after the first links to the one before.
 */
export const ATTR_GCP_GEN_AI_CONTINUATION_INDEX = 'gcp.gen_ai.continuation.index';
/** The finish reason of a round trip that continues: not a finish, so not reported as one. */
export const FINISH_REASON_CONTINUATION = 'CONTINUATION';
/** The conventions' value at a position where a finish reason was expected and never came. */
export const FINISH_REASON_VALUE_ERROR = 'error';
/**
 * How a stream span ended: `completed` (drained), `cut_short` (the consumer
 * stopped early: break, return), `failed` (the stream threw), `abandoned`
 * (never read to the end: idle too long, or the SDK shut down first).
 */
export const ATTR_GCP_GEN_AI_STREAM_OUTCOME = 'gcp.gen_ai.stream.outcome';
export const STREAM_OUTCOME_COMPLETED = 'completed';
export const STREAM_OUTCOME_CUT_SHORT = 'cut_short';
export const STREAM_OUTCOME_FAILED = 'failed';
export const STREAM_OUTCOME_ABANDONED = 'abandoned';

// Span events of a stream.
/** At the first chunk. */
export const EVENT_FIRST_TOKEN = 'first_token';
/** Every `chunkProgressInterval` chunks, with the count so far. */
export const EVENT_CHUNK_PROGRESS = 'chunk_progress';
export const ATTR_EVENT_CHUNKS = 'chunks';

// Totals of a function-calling loop, on agent.run.
/** Model round trips the loop made. */
export const ATTR_GCP_GEN_AI_AGENT_INFERENCE_CALLS = 'gcp.gen_ai.agent.inference_calls';
/** Function calls executed (execute_tool spans), or answered by the app in a manual run. */
export const ATTR_GCP_GEN_AI_AGENT_TOOL_CALLS = 'gcp.gen_ai.agent.tool_calls';
/** True when `maximumRemoteCalls` stopped the loop: the SDK returns the last function-call response silently. */
export const ATTR_GCP_GEN_AI_AGENT_MAX_REMOTE_CALLS_REACHED = 'gcp.gen_ai.agent.max_remote_calls_reached';
/** The end user's plan or tier, from baggage (`enduser.plan` by default). */
export const ATTR_GCP_GEN_AI_ENDUSER_PLAN = 'gcp.gen_ai.enduser.plan';
