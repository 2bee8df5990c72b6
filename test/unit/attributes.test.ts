/*
 * The pure mapping from SDK objects to attributes, on plain objects: no
 * OpenTelemetry SDK, no HTTP.
 */
import * as assert from 'node:assert/strict';
import {
  answeredCallsOf,
  continues,
  errorType,
  finishReasons,
  outputType,
  providerName,
  requestAttributes,
  requestServiceTier,
  responseAttributes,
  responseServiceTier,
  samplingAttributes,
  serverFromBaseUrl,
  serverToolsOf,
  spanName,
  usageAttributes,
} from '../../src/mapping/attributes';
import { finishReason as contentFinishReason } from '../../src/mapping/content';

describe('attributes (pure mapping)', () => {
  it('provider: Vertex AI or the Gemini API', () => {
    assert.equal(providerName({ isVertexAI: () => true }), 'gcp.vertex_ai');
    assert.equal(providerName({ isVertexAI: () => false }), 'gcp.gemini');
    assert.equal(providerName(undefined), 'gcp.gemini');
  });

  it('server address and port from the base URL, with scheme defaults', () => {
    assert.deepEqual(serverFromBaseUrl('https://generativelanguage.googleapis.com/'), {
      address: 'generativelanguage.googleapis.com',
      port: 443,
    });
    assert.deepEqual(serverFromBaseUrl('http://localhost/'), { address: 'localhost', port: 80 });
    assert.deepEqual(serverFromBaseUrl('http://[::1]:8080'), { address: '::1', port: 8080 });
    assert.deepEqual(serverFromBaseUrl('not a url'), {});
    assert.deepEqual(serverFromBaseUrl(undefined), {});
  });

  it('span name: operation and model, or the operation alone', () => {
    assert.equal(spanName('generate_content', 'gemini-2.5-flash'), 'generate_content gemini-2.5-flash');
    assert.equal(spanName('generate_content', undefined), 'generate_content');
  });

  it('sampling attributes', () => {
    const client = { isVertexAI: () => false, getBaseUrl: () => 'https://example.test:9443/' };
    assert.deepEqual(samplingAttributes('generate_content', client, 'm'), {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': 'm',
      'server.address': 'example.test',
      'server.port': 9443,
    });
    assert.deepEqual(samplingAttributes('generate_content', {}, ''), {
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'gcp.gemini',
    });
  });

  it('request parameters: types checked, choice count only when not 1', () => {
    assert.deepEqual(
      requestAttributes({
        config: {
          temperature: 0,
          topP: 1,
          topK: 3.5, // not an int: dropped
          maxOutputTokens: 10,
          seed: Number.NaN,
          stopSequences: ['a', 7 as unknown as string, 'b'],
          candidateCount: 1,
          presencePenalty: 'high' as unknown as number,
        },
      }),
      {
        'gen_ai.request.temperature': 0,
        'gen_ai.request.top_p': 1,
        'gen_ai.request.max_tokens': 10,
        'gen_ai.request.stop_sequences': ['a', 'b'],
        'gen_ai.output.type': 'text',
      }
    );
    assert.deepEqual(requestAttributes({ config: { candidateCount: 4, stopSequences: [] } }), {
      'gen_ai.request.choice.count': 4,
      'gen_ai.output.type': 'text',
    });
    assert.deepEqual(requestAttributes(undefined), { 'gen_ai.output.type': 'text' });
  });

  it('output type: image and speech modalities, JSON MIME types and schemas, else text', () => {
    assert.equal(outputType({ responseModalities: ['TEXT', 'IMAGE'] }), 'image');
    assert.equal(outputType({ responseModalities: ['audio'] }), 'speech');
    assert.equal(outputType({ responseMimeType: 'application/json' }), 'json');
    assert.equal(outputType({ responseMimeType: 'application/vnd.example+json' }), 'json');
    assert.equal(outputType({ responseJsonSchema: {} }), 'json');
    assert.equal(outputType({ responseSchema: { type: 'OBJECT' } }), 'json');
    assert.equal(outputType({ responseMimeType: 'text/x.enum' }), 'text');
    assert.equal(outputType({}), 'text');
  });

  it('usage: thinking counts as output, tool-use prompt tokens as input, cached stays inside input', () => {
    assert.deepEqual(
      usageAttributes({
        promptTokenCount: 100,
        cachedContentTokenCount: 40,
        candidatesTokenCount: 20,
        thoughtsTokenCount: 30,
        toolUsePromptTokenCount: 5,
        totalTokenCount: 155,
      }),
      {
        'gen_ai.usage.input_tokens': 105,
        'gen_ai.usage.output_tokens': 50,
        'gen_ai.usage.reasoning.output_tokens': 30,
        'gen_ai.usage.cache_read.input_tokens': 40,
        'gcp.gen_ai.usage.tool_use_prompt_tokens': 5,
      }
    );
    assert.deepEqual(usageAttributes({ promptTokenCount: 3 }), { 'gen_ai.usage.input_tokens': 3 });
    assert.deepEqual(usageAttributes(undefined), {});
  });

  it('response: id, model version, finish reasons per candidate, block reason', () => {
    assert.deepEqual(
      responseAttributes({
        responseId: 'r',
        modelVersion: 'gemini-2.5-pro-002',
        candidates: [{ finishReason: 'STOP' }, {}, { finishReason: 'NEW_REASON' }],
        promptFeedback: { blockReason: 'OTHER' },
      }),
      {
        'gen_ai.response.id': 'r',
        'gen_ai.response.model': 'gemini-2.5-pro-002',
        'gen_ai.response.finish_reasons': ['STOP', 'NEW_REASON'],
        'gcp.gen_ai.response.prompt_block_reason': 'OTHER',
      }
    );
    assert.deepEqual(responseAttributes(undefined), {});
    assert.deepEqual(responseAttributes({ candidates: 'odd' as never }), {});
    assert.deepEqual(finishReasons({ candidates: [null as never] }), []);
  });

  it('error type: HTTP status, system error code, name, else _OTHER', () => {
    assert.equal(errorType(Object.assign(new Error('x'), { name: 'ApiError', status: 503 })), '503');
    assert.equal(errorType(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })), 'ECONNRESET');
    assert.equal(errorType(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })), 'ETIMEDOUT');
    assert.equal(errorType(new DOMException('aborted', 'AbortError')), 'AbortError');
    assert.equal(errorType(new RangeError('r')), 'RangeError');
    assert.equal(errorType('a string'), '_OTHER');
    assert.equal(errorType(null), '_OTHER');
  });

  it("answered calls: the last content's function responses, with the echoed arguments of the model turn before", () => {
    assert.deepEqual(answeredCallsOf({ contents: 'hi' }), []);
    assert.deepEqual(answeredCallsOf({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }), []);
    assert.deepEqual(
      answeredCallsOf({
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Oslo and Lima?' }] },
          {
            role: 'model',
            parts: [
              { functionCall: { name: 'get_weather', args: { city: 'Oslo' } } },
              { functionCall: { name: 'get_weather', args: { city: 'Lima' } } },
              { functionCall: { name: 'get_time' } },
            ],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { id: 'adk-1', name: 'get_weather', response: {} } },
              { functionResponse: { name: 'get_weather', response: {} } },
              { functionResponse: { name: 'get_time', response: {} } },
              { functionResponse: { name: 'never_asked', response: {} } },
            ],
          },
        ],
      }),
      [
        { id: 'adk-1', name: 'get_weather', args: { city: 'Oslo' } },
        { id: undefined, name: 'get_weather', args: { city: 'Lima' } },
        { id: undefined, name: 'get_time', args: undefined },
        { id: undefined, name: 'never_asked' },
      ]
    );
    // No model turn before the answers (the app sent only the answers): no arguments.
    assert.deepEqual(
      answeredCallsOf({ contents: [{ role: 'user', parts: [{ functionResponse: { name: 'f', response: {} } }] }] }),
      [{ id: undefined, name: 'f' }]
    );
  });
});

describe('finish reasons, tiers, modalities and server tools (pure mapping)', () => {
  it('finish reasons: one per candidate in order, `error` where an incomplete response has none, a checkpoint none', () => {
    const response = { candidates: [{ finishReason: 'STOP' }, {}, { finishReason: 'MAX_TOKENS' }] };
    // Complete: Gemini's values verbatim; a candidate without one says nothing.
    assert.deepEqual(finishReasons(response), ['STOP', 'MAX_TOKENS']);
    // Incomplete (failed, cut short) with three candidates asked for: `error` at the missing position.
    assert.deepEqual(finishReasons(response, 3), ['STOP', 'error', 'MAX_TOKENS']);
    assert.deepEqual(finishReasons(undefined, 2), ['error', 'error']);
    // 3.x continuation: a checkpoint (CONTINUATION, or a token and no reason yet) is not a finish.
    assert.deepEqual(finishReasons({ candidates: [{ finishReason: 'CONTINUATION', continuationToken: 't' }] }), []);
    assert.deepEqual(finishReasons({ candidates: [{ continuationToken: 't' }] }, 1), []);
    assert.equal(continues({ finishReason: 'STOP', continuationToken: 't' }), false);
  });

  it('every Gemini finish reason has a conventions value in content capture', () => {
    const cases: Array<[string | undefined, string]> = [
      ['STOP', 'stop'],
      [undefined, 'stop'],
      ['MAX_TOKENS', 'length'],
      ['CONTINUATION', 'length'],
      ['SAFETY', 'content_filter'],
      ['RECITATION', 'content_filter'],
      ['LANGUAGE', 'content_filter'],
      ['BLOCKLIST', 'content_filter'],
      ['PROHIBITED_CONTENT', 'content_filter'],
      ['SPII', 'content_filter'],
      ['IMAGE_SAFETY', 'content_filter'],
      ['IMAGE_PROHIBITED_CONTENT', 'content_filter'],
      ['IMAGE_RECITATION', 'content_filter'],
      ['MODEL_ARMOR', 'content_filter'],
      ['ESCALATION', 'content_filter'],
      ['PUP_LIMITED_DISABLED', 'content_filter'],
      ['MALFORMED_FUNCTION_CALL', 'error'],
      ['UNEXPECTED_TOOL_CALL', 'error'],
      ['TOO_MANY_TOOL_CALLS', 'error'],
      ['MALFORMED_RESPONSE', 'error'],
      ['MISSING_THOUGHT_SIGNATURE', 'error'],
      ['NO_IMAGE', 'error'],
      ['IMAGE_OTHER', 'error'],
      ['OTHER', 'error'],
      ['FINISH_REASON_UNSPECIFIED', 'error'],
      ['SOMETHING_NEWER', 'something_newer'],
    ];
    for (const [gemini, ours] of cases) assert.equal(contentFinishReason(gemini, false), ours, String(gemini));
    assert.equal(contentFinishReason('STOP', true), 'tool_call');
  });

  it('service tiers: the request lowercased, the response from serviceTier or Vertex AI trafficType', () => {
    assert.equal(requestServiceTier({ config: { serviceTier: 'FLEX' } }), 'flex');
    assert.equal(requestServiceTier({ config: { serviceTier: 'unspecified' } }), undefined);
    assert.equal(requestServiceTier({}), undefined);
    assert.equal(responseServiceTier({ serviceTier: 'SERVICE_TIER_PRIORITY' }), 'priority');
    const traffic: Array<[string, string | undefined]> = [
      ['ON_DEMAND', 'standard'],
      ['ON_DEMAND_FLEX', 'flex'],
      ['ON_DEMAND_PRIORITY', 'priority'],
      ['ON_DEMAND_OFFPEAK', 'off_peak'],
      ['PROVISIONED_THROUGHPUT', 'provisioned_throughput'],
      ['TRAFFIC_TYPE_UNSPECIFIED', undefined],
      ['SOMETHING_NEW', 'something_new'],
    ];
    for (const [t, tier] of traffic) assert.equal(responseServiceTier({ trafficType: t }), tier, t);
    // The Gemini API's own word wins over a traffic type.
    assert.equal(responseServiceTier({ serviceTier: 'flex', trafficType: 'ON_DEMAND' }), 'flex');
  });

  it('tokens by modality only where non-zero; thinking counted as text output only when output details exist', () => {
    assert.deepEqual(
      usageAttributes({
        promptTokenCount: 30,
        candidatesTokenCount: 7,
        thoughtsTokenCount: 3,
        toolUsePromptTokenCount: 4,
        promptTokensDetails: [
          { modality: 'TEXT', tokenCount: 20 },
          { modality: 'DOCUMENT', tokenCount: 10 },
          { modality: 'AUDIO', tokenCount: 0 },
        ],
        toolUsePromptTokensDetails: [{ modality: 'TEXT', tokenCount: 4 }],
        candidatesTokensDetails: [{ modality: 'TEXT', tokenCount: 7 }],
        cacheTokensDetails: [{ modality: 'IMAGE', tokenCount: 5 }],
      }),
      {
        'gen_ai.usage.input_tokens': 34,
        'gen_ai.usage.output_tokens': 10,
        'gen_ai.usage.reasoning.output_tokens': 3,
        'gcp.gen_ai.usage.tool_use_prompt_tokens': 4,
        'gen_ai.usage.text.input_tokens': 24,
        'gcp.gen_ai.usage.document.input_tokens': 10,
        'gen_ai.usage.text.output_tokens': 10,
        'gen_ai.usage.image.cache_read.input_tokens': 5,
      }
    );
    assert.deepEqual(usageAttributes({ promptTokenCount: 1, thoughtsTokenCount: 3 }), {
      'gen_ai.usage.input_tokens': 1,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.usage.reasoning.output_tokens': 3,
    });
  });

  it('server tools: names only, each once, in order; request facts', () => {
    assert.deepEqual(
      serverToolsOf([
        { googleSearch: { excludeDomains: ['secret.example'] } },
        { functionDeclarations: [{ name: 'f' }] },
        { urlContext: {}, codeExecution: {} },
        { mcpServers: [{ name: 'm' }] },
        { fileSearch: { fileSearchStoreNames: ['stores/x'] } },
        { computerUse: {} },
        { googleSearch: {} },
        null,
      ]),
      ['google_search', 'url_context', 'code_execution', 'mcp', 'file_search', 'computer_use']
    );
    const attrs = requestAttributes({
      config: { thinkingConfig: { thinkingLevel: 'HIGH', thinkingBudget: -1 }, serviceTier: 'priority' },
    });
    assert.equal(attrs['gen_ai.request.reasoning.level'], 'HIGH');
    assert.equal(attrs['gcp.gen_ai.request.thinking_budget'], -1);
    assert.equal(attrs['gcp.gen_ai.request.service_tier'], 'priority');
    assert.equal(attrs['gcp.gen_ai.request.server_tools'], undefined);
  });
});
