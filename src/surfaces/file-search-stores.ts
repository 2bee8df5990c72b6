/*
 * File search stores (`ai.fileSearchStores`, Gemini API): uploading a file
 * into a store and importing an uploaded file into one are billed work (the
 * store indexes the document with an embedding model). A CLIENT span each
 * (`upload_file_search_document`, `import_file_search_document`) for the
 * whole call (an upload is a few HTTP requests), with the store, the
 * document or operation it made, and, for an upload of a Blob, its size in
 * bytes (a path is read by the SDK; we do not read the file). Never the
 * bytes. Creating, getting, listing and deleting stores and documents are
 * not traced (README, Not traced).
 */
import type { Attributes } from '@opentelemetry/api';
import * as sc from '../semconv.js';
import { count, modelCall, put, text, type Json, type Params } from './model-call.js';

type FileSearchParams = { fileSearchStoreName?: unknown; file?: unknown; fileName?: unknown };

const store = (params: Params): Attributes =>
  put({}, sc.ATTR_GCP_GEN_AI_FILE_SEARCH_STORE, text((params as FileSearchParams | undefined)?.fileSearchStoreName));

/** The document an operation made, else the operation itself. */
const made = (operation: Json): Attributes => {
  const document = text((operation?.response as Json)?.documentName);
  const attrs = put({}, sc.ATTR_GCP_GEN_AI_FILE_SEARCH_DOCUMENT, document);
  return put(attrs, sc.ATTR_GCP_GEN_AI_OPERATION_ID, text(operation?.name));
};

export const uploadToFileSearchStore = modelCall({
  owner: 'FileSearchStores',
  method: 'uploadToFileSearchStore',
  operation: sc.OPERATION_UPLOAD_FILE_SEARCH_DOCUMENT,
  request: (params) => {
    const file = (params as FileSearchParams | undefined)?.file;
    const size = typeof Blob !== 'undefined' && file instanceof Blob ? count(file.size) : undefined;
    return put(store(params), sc.ATTR_GCP_GEN_AI_FILE_SEARCH_SIZE_BYTES, size);
  },
  response: made,
});

export const importFileToFileSearchStore = modelCall({
  owner: 'FileSearchStores',
  method: 'importFile',
  operation: sc.OPERATION_IMPORT_FILE_SEARCH_DOCUMENT,
  request: (params) =>
    put(store(params), sc.ATTR_GCP_GEN_AI_FILE_SEARCH_DOCUMENT, text((params as FileSearchParams)?.fileName)),
  response: made,
});
