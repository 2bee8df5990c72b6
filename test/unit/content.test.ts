/*
 * Message parts on plain objects: server-side tools' parts as the schema's
 * server_tool_call and server_tool_call_response, valid against the
 * conventions' output-messages schema where ../shared has it.
 */
import * as assert from 'node:assert/strict';
import { outputMessages, toPart } from '../../src/mapping/content';
import { assertValidContent, schemasAvailable } from '../utils/schemas';

describe('content: server-side tool parts (pure mapping)', () => {
  it('code execution: the code and its output, cut at the limit', () => {
    assert.deepEqual(toPart({ executableCode: { language: 'PYTHON', code: 'print(1)' } }, 0), {
      type: 'server_tool_call',
      name: 'code_execution',
      server_tool_call: { type: 'code_execution', language: 'PYTHON', code: 'print(1)' },
    });
    assert.deepEqual(toPart({ codeExecutionResult: { outcome: 'OUTCOME_OK', output: 'abcdef', id: 'x1' } }, 3), {
      type: 'server_tool_call_response',
      id: 'x1',
      server_tool_call_response: { type: 'code_execution', outcome: 'OUTCOME_OK', output: 'abc…[truncated 3 chars]' },
    });
  });

  it('3.x toolCall and toolResponse, named by their toolType', () => {
    assert.deepEqual(toPart({ toolCall: { id: 't1', toolType: 'GOOGLE_SEARCH_WEB', args: { q: 'x' } } }, 0), {
      type: 'server_tool_call',
      id: 't1',
      name: 'google_search_web',
      server_tool_call: { type: 'google_search_web', arguments: { q: 'x' } },
    });
    assert.deepEqual(toPart({ toolResponse: { id: 't1', toolType: 'URL_CONTEXT', response: { ok: true } } }, 0), {
      type: 'server_tool_call_response',
      id: 't1',
      server_tool_call_response: { type: 'url_context', response: { ok: true } },
    });
    // No tool type: a generic name rather than a made-up one.
    assert.equal(toPart({ toolCall: {} }, 0).name, 'server_tool');
  });

  it('the output messages with server tool parts are valid against the schema', function () {
    if (!schemasAvailable) this.skip();
    const messages = outputMessages(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { toolCall: { id: 't1', toolType: 'GOOGLE_SEARCH_WEB', args: { q: 'x' } } },
                { toolResponse: { id: 't1', toolType: 'GOOGLE_SEARCH_WEB', response: { hits: 2 } } },
                { executableCode: { language: 'PYTHON', code: 'print(1)' } },
                { codeExecutionResult: { outcome: 'OUTCOME_OK', output: '1' } },
                { text: 'done' },
              ],
            },
            finishReason: 'MODEL_ARMOR',
          },
        ],
      },
      0
    );
    assert.equal(messages[0].finish_reason, 'content_filter');
    assertValidContent('gen_ai.output.messages', JSON.stringify(messages));
  });
});
