/*
 * Managed agents (`ai.agents.create`, @google/genai 2.x and 3.x): one
 * `create_agent {name}` CLIENT span per HTTP round trip, the app's result
 * unchanged; listing and getting agents make no span.
 */
import { finishedSpans, instrumentation, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { plain, SDK_MAJOR } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';
import { baseAttributes, hasApi } from '../utils/bridge-apis';

(hasApi('agents') ? describe : describe.skip)(`managed agents (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  beforeEach(() => resetInstrumentation());

  it('agents.create: create_agent {name} with the name, description and the id it got', async () => {
    const agent = { id: 'support-bot', description: 'Answers support questions', base_agent: 'antigravity' };
    const traced = plain(await server.client().agents.create(agent as never));
    instrumentation.disable();
    const bare = plain(await server.client().agents.create(agent as never));
    instrumentation.enable();
    assert.deepEqual(traced, bare);
    const [span] = finishedSpans();
    assert.equal(span.name, 'create_agent support-bot');
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(span.status.code, SpanStatusCode.UNSET);
    assert.deepEqual(
      { ...span.attributes },
      {
        ...baseAttributes(server, 'create_agent'),
        'gen_ai.agent.name': 'support-bot',
        'gen_ai.agent.description': 'Answers support questions',
        'gen_ai.agent.id': 'support-bot',
      }
    );
  });

  it('agents.create failing: an ERROR span with error.type, the app gets the error', async () => {
    server.reply = () => ({
      status: 400,
      body: { error: { code: 400, message: 'bad agent', status: 'INVALID_ARGUMENT' } },
    });
    await assert.rejects(server.client().agents.create({ id: 'x' } as never));
    const [span] = finishedSpans();
    assert.equal(span.attributes['error.type'], '400');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
  });

  it('agents.list: no span (an admin call)', async () => {
    server.reply = () => ({ body: { agents: [] } });
    await server.client().agents.list();
    assert.deepEqual(finishedSpans(), []);
  });
});
