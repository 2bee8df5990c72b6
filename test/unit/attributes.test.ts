/*
 * The pure mapping from SDK objects to attributes, on plain objects: no
 * OpenTelemetry SDK, no HTTP.
 */
import * as assert from 'node:assert/strict';
import {
  answeredCallsOf,
  errorType,
  finishReasons,
  outputType,
  providerName,
  requestAttributes,
  responseAttributes,
  samplingAttributes,
  serverFromBaseUrl,
  spanName,
  usageAttributes,
} from '../../src/mapping/attributes';

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
