/*
 * Manual instrumentation, for apps where module hooks never fire (bundled by
 * esbuild, webpack, Next.js): the SDK's bundle copied out of node_modules, as
 * a bundler would inline it, is not patched on load; instrument() on its
 * exports or on a client traces it, once however often it is called.
 */
import { finishedSpans, instrumentation, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { isWrapped } from '@opentelemetry/instrumentation';
import { loadBundled, SDK_MAJOR, TEST_API_KEY, type GenAI } from '../utils/genai';
import { withFakeGemini } from '../utils/with-fake-gemini';

const internal = (genai: GenAI) =>
  (genai.Models.prototype as unknown as Record<string, unknown>).generateContentInternal;

describe(`manual instrumentation: instrument() (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  beforeEach(() => resetInstrumentation());

  const weather = {
    tool: async () => ({ functionDeclarations: [{ name: 'get_weather' }] }),
    callTool: async (calls: Array<{ name: string }>) =>
      calls.map((c) => ({ functionResponse: { name: c.name, response: { weather: 'sunny' } } })),
  };

  it('a bundled copy is not patched on load; instrument(exports) traces it, loops included; twice changes nothing', async () => {
    const bundled = loadBundled('bundle-exports');
    assert.equal(isWrapped(internal(bundled)), false, 'module hooks did not see the bundle');
    const client = () => new bundled.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: server.url } });
    await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' });
    assert.deepEqual(finishedSpans(), []);

    assert.equal(instrumentation.instrument(bundled), true);
    const wrapped = internal(bundled);
    assert.equal(instrumentation.instrument(bundled), true);
    assert.equal(internal(bundled), wrapped, 'not wrapped twice');

    await client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'x', config: { tools: [weather] } });
    assert.deepEqual(
      finishedSpans().map((s) => s.name),
      [
        'generate_content gemini-2.5-flash',
        'execute_tool get_weather',
        'generate_content gemini-2.5-flash',
        'agent.run',
      ]
    );
    // disable() and enable() reach it like any copy the hooks found.
    instrumentation.disable();
    assert.equal(isWrapped(internal(bundled)), false);
    instrumentation.enable();
    assert.equal(isWrapped(internal(bundled)), true);
  });

  it('instrument(client): a client made before, with its loops; idempotent', async () => {
    const bundled = loadBundled('bundle-client');
    const ai = new bundled.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: server.url } });
    assert.equal(instrumentation.instrument(ai), true);
    assert.equal(instrumentation.instrument(ai), true);
    const result = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'x',
      config: { tools: [weather] },
    });
    assert.ok(result.text);
    const names = finishedSpans().map((s) => s.name);
    assert.deepEqual(names, [
      'generate_content gemini-2.5-flash',
      'execute_tool get_weather',
      'generate_content gemini-2.5-flash',
      'agent.run',
    ]);
  });

  // 1.x's Interactions client is an earlier one, not traced.
  (SDK_MAJOR === '1' ? it.skip : it)(
    'instrument(client) on a bundled copy: its Interactions API, batches and file search stores, made before',
    async () => {
      const bundled = loadBundled('bundle-bridges');
      const ai = new bundled.GoogleGenAI({ apiKey: TEST_API_KEY, httpOptions: { baseUrl: server.url } });
      const interactions = ai.interactions; // made (and cached by the client) before instrument()
      assert.equal(instrumentation.instrument(ai), true);
      await interactions.create({ model: 'gemini-2.5-flash', input: 'Hi' });
      server.reply = (req) =>
        req.action === 'batchGenerateContent'
          ? { body: { name: 'batches/b-1', metadata: { state: 'BATCH_STATE_PENDING' } } }
          : req.path.includes(':importFile')
            ? { body: { name: 'fileSearchStores/s/operations/o-1' } }
            : undefined;
      await ai.batches.create({ model: 'gemini-2.5-flash', src: 'files/f-1' } as never);
      await ai.fileSearchStores.importFile({
        fileSearchStoreName: 'fileSearchStores/s',
        fileName: 'files/f-2',
      } as never);
      assert.deepEqual(
        finishedSpans().map((s) => s.name),
        ['generate_content gemini-2.5-flash', 'create_batch gemini-2.5-flash', 'import_file_search_document']
      );
    }
  );

  it('anything else: false, and a diag message, never a throw', () => {
    assert.equal(instrumentation.instrument({}), false);
    assert.equal(instrumentation.instrument(undefined), false);
    assert.equal(instrumentation.instrument(42), false);
  });
});
