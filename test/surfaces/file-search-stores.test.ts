/*
 * File search stores (`ai.fileSearchStores.uploadToFileSearchStore`,
 * `importFile`): a span for each call, with the store, the document and
 * the size of an uploaded Blob; never its bytes.
 */
import { finishedSpans, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { SDK_MAJOR } from '../utils/genai';
import { withFakeGemini, type FakeGeminiSuite } from '../utils/with-fake-gemini';
import type { FakeReply, FakeRequest } from '../utils/fake-gemini-server';
import { sameAsBare } from '../utils/model-calls';

const STORE = 'fileSearchStores/store-1';
const BYTES = 'the secret document body 6d2f';

describe(`file search stores (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server: FakeGeminiSuite = withFakeGemini((req) => reply(req));
  // The upload protocol: a start request answered with the session's URL, then the bytes, finalized.
  const reply = (req: FakeRequest): FakeReply | undefined => {
    if (req.path.includes(':uploadToFileSearchStore')) {
      return { headers: { 'x-goog-upload-url': `${server.url}/upload-session/1` }, body: {} };
    }
    if (req.path.startsWith('/upload-session/1')) {
      return {
        headers: { 'x-goog-upload-status': 'final' },
        body: {
          name: `${STORE}/upload/operations/op-1`,
          done: true,
          response: { documentName: `${STORE}/documents/doc-1` },
        },
      };
    }
    if (req.path.includes(':importFile')) {
      return { body: { name: `${STORE}/operations/op-2`, done: false } };
    }
    return undefined;
  };
  beforeEach(() => resetInstrumentation());
  const base = (operation: string) => ({
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': 'gcp.gemini',
    'server.address': '127.0.0.1',
    'server.port': server.port,
  });

  it('uploadToFileSearchStore (a Blob): the store, the document, the size; never the bytes', async () => {
    const upload = () =>
      server.client().fileSearchStores.uploadToFileSearchStore({
        fileSearchStoreName: STORE,
        file: new Blob([BYTES], { type: 'text/plain' }),
      } as never);
    await sameAsBare(upload);
    const [span] = finishedSpans();
    assert.equal(span.name, 'upload_file_search_document');
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.deepEqual(
      { ...span.attributes },
      {
        ...base('upload_file_search_document'),
        'gcp.gen_ai.file_search.store': STORE,
        'gcp.gen_ai.file_search.size_bytes': Buffer.byteLength(BYTES),
        'gcp.gen_ai.file_search.document': `${STORE}/documents/doc-1`,
        'gcp.gen_ai.operation.id': `${STORE}/upload/operations/op-1`,
      }
    );
    assert.equal(JSON.stringify(finishedSpans().map((s) => [s.attributes, s.events])).includes(BYTES), false);
  });

  it('importFile: the store, the file imported and the operation', async () => {
    await sameAsBare(() =>
      server.client().fileSearchStores.importFile({ fileSearchStoreName: STORE, fileName: 'files/f-9' } as never)
    );
    const [span] = finishedSpans();
    assert.equal(span.name, 'import_file_search_document');
    assert.deepEqual(
      { ...span.attributes },
      {
        ...base('import_file_search_document'),
        'gcp.gen_ai.file_search.store': STORE,
        'gcp.gen_ai.file_search.document': 'files/f-9',
        'gcp.gen_ai.operation.id': `${STORE}/operations/op-2`,
      }
    );
  });
});
