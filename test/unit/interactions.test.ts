/*
 * The Interactions API's mapping onto Gemini's shapes, on plain objects:
 * input to contents, the model's steps to a candidate, usage to
 * usageMetadata and per-modality attributes, and the request attributes of
 * its own.
 */
import * as assert from 'node:assert/strict';
import {
  fetchAttributes,
  interactionAgent,
  interactionAsResponse,
  interactionContents,
  interactionModalityAttributes,
  interactionParams,
  interactionRequestAttributes,
  interactionUsage,
} from '../../src/mapping/interactions';

describe('the Interactions API mapping (pure)', () => {
  it('input: a string, content items, or steps, as contents', () => {
    assert.deepEqual(interactionContents('Hi'), [{ role: 'user', parts: [{ text: 'Hi' }] }]);
    assert.deepEqual(
      interactionContents([
        { type: 'text', text: 'Look:' },
        { type: 'image', mime_type: 'image/png', data: 'iVBOR' },
        { type: 'image', uri: 'gs://b/cat.png' },
      ]),
      [
        {
          role: 'user',
          parts: [
            { text: 'Look:' },
            { inlineData: { mimeType: 'image/png', data: 'iVBOR' } },
            { fileData: { mimeType: undefined, fileUri: 'gs://b/cat.png' } },
          ],
        },
      ]
    );
    assert.deepEqual(
      interactionContents([
        { type: 'user_input', content: [{ type: 'text', text: 'Weather?' }] },
        { type: 'function_call', id: 'c1', name: 'get_weather', arguments: { city: 'Paris' } },
        { type: 'function_result', call_id: 'c1', name: 'get_weather', result: 'sunny' },
      ]),
      [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'get_weather', args: { city: 'Paris' } } }] },
        {
          role: 'user',
          parts: [{ functionResponse: { id: 'c1', name: 'get_weather', response: { result: 'sunny' } } }],
        },
      ]
    );
    // One content per turn: two function results answer in one user turn (so both calls link).
    assert.deepEqual(
      interactionContents([
        { type: 'function_result', call_id: 'c1', name: 'a', result: 1 },
        { type: 'function_result', call_id: 'c2', name: 'b', result: 2 },
      ]),
      [
        {
          role: 'user',
          parts: [
            { functionResponse: { id: 'c1', name: 'a', response: { result: 1 } } },
            { functionResponse: { id: 'c2', name: 'b', response: { result: 2 } } },
          ],
        },
      ]
    );
    assert.equal(interactionContents(undefined), undefined);
  });

  it('params: model, generation config, system instruction and function tools', () => {
    assert.deepEqual(
      interactionParams({
        model: 'gemini-2.5-flash',
        input: 'Hi',
        system_instruction: 'Be brief.',
        generation_config: {
          temperature: 0.5,
          top_p: 0.9,
          max_output_tokens: 10,
          seed: 7,
          stop_sequences: ['x'],
          thinking_level: 'low',
        },
        service_tier: 'flex',
        tools: [
          { type: 'function', name: 'f', description: 'd', parameters: { type: 'object' } },
          { type: 'google_search', search_types: ['web'] },
          { type: 'url_context' },
        ],
      }),
      {
        model: 'gemini-2.5-flash',
        contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
        config: {
          systemInstruction: 'Be brief.',
          tools: [
            { functionDeclarations: [{ name: 'f', description: 'd', parameters: { type: 'object' } }] },
            // Server-side tools by their Gemini key, their settings left out.
            { googleSearch: {} },
            { urlContext: {} },
          ],
          temperature: 0.5,
          topP: 0.9,
          maxOutputTokens: 10,
          seed: 7,
          stopSequences: ['x'],
          thinkingConfig: { thinkingLevel: 'low' },
          serviceTier: 'flex',
        },
      }
    );
  });

  it('agent, request and fetch attributes', () => {
    assert.equal(interactionAgent({ model: 'm' }), undefined);
    assert.equal(interactionAgent({ agent: 'deep-research' }), 'deep-research');
    assert.equal(interactionAgent({ agent: { name: 'mine' } }), 'mine');
    assert.deepEqual(interactionRequestAttributes({ previous_interaction_id: 'int-0', background: true }), {
      'gen_ai.request.previous_response.id': 'int-0',
      'gcp.gen_ai.request.background': true,
    });
    assert.deepEqual(fetchAttributes('int-5', { last_event_id: 'evt-3' }), {
      'gen_ai.response.id': 'int-5',
      'gen_ai.request.stream_cursor': 'evt-3',
    });
    assert.deepEqual(fetchAttributes(undefined, undefined), {});
  });

  it('usage: input includes cached, output and thoughts apart; junk left out', () => {
    assert.deepEqual(
      interactionUsage({
        total_input_tokens: 100,
        total_cached_tokens: 40,
        total_output_tokens: 20,
        total_thought_tokens: 30,
        total_tool_use_tokens: 5,
        total_tokens: 155,
      }),
      {
        promptTokenCount: 100,
        cachedContentTokenCount: 40,
        candidatesTokenCount: 20,
        thoughtsTokenCount: 30,
        toolUsePromptTokenCount: 5,
        totalTokenCount: 155,
      }
    );
    assert.equal(interactionUsage({ total_input_tokens: -1, total_output_tokens: 'many' }), undefined);
    assert.equal(interactionUsage(undefined), undefined);
  });

  it("usage by modality: the conventions' names for text, image and audio; ours for video and document", () => {
    assert.deepEqual(
      interactionModalityAttributes({
        input_tokens_by_modality: [
          { modality: 'text', tokens: 10 },
          { modality: 'image', tokens: 258 },
          { modality: 'video', tokens: 500 },
          { modality: 'TEXT', tokens: 2 },
          { modality: 'audio', tokens: -3 },
          // Zero says nothing: no attribute, as for generateContent's details.
          { modality: 'document', tokens: 0 },
          { tokens: 9 },
        ],
        output_tokens_by_modality: [{ modality: 'audio', tokens: 40 }],
        cached_tokens_by_modality: [{ modality: 'document', tokens: 7 }],
      }),
      {
        'gen_ai.usage.text.input_tokens': 12,
        'gen_ai.usage.image.input_tokens': 258,
        'gcp.gen_ai.usage.video.input_tokens': 500,
        'gen_ai.usage.audio.output_tokens': 40,
        'gcp.gen_ai.usage.document.cache_read.input_tokens': 7,
      }
    );
  });

  it("an interaction as a response: id, model, the model's steps after the last input, usage unless a fetch", () => {
    const interaction = {
      id: 'int-1',
      model: 'gemini-2.5-flash',
      steps: [
        { type: 'user_input', content: [{ type: 'text', text: 'Hi' }] },
        { type: 'thought', summary: [{ type: 'text', text: 'Greet.' }] },
        { type: 'model_output', content: [{ type: 'text', text: 'Hello' }] },
        { type: 'function_call', id: 'c1', name: 'f', arguments: {} },
      ],
      usage: { total_input_tokens: 3 },
    };
    assert.deepEqual(interactionAsResponse(interaction), {
      responseId: 'int-1',
      modelVersion: 'gemini-2.5-flash',
      usageMetadata: {
        promptTokenCount: 3,
        cachedContentTokenCount: undefined,
        candidatesTokenCount: undefined,
        thoughtsTokenCount: undefined,
        toolUsePromptTokenCount: undefined,
        totalTokenCount: undefined,
      },
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Greet.', thought: true },
              { text: 'Hello' },
              { functionCall: { id: 'c1', name: 'f', args: {} } },
            ],
          },
        },
      ],
    });
    assert.equal(interactionAsResponse(interaction, false)?.usageMetadata, undefined);
    assert.equal(interactionAsResponse('not an interaction'), undefined);
  });
});
