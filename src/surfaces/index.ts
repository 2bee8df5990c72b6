/*
 * Every SDK surface we trace, in one list: core/patcher.ts hooks each of them
 * on every loaded copy of @google/genai. A new surface is one file (see
 * surface.ts; model-call.ts for the common shape) and one line here.
 */
import { agentLoop, agentLoopStream } from './agent-loop.js';
import { agentsCreate, agentsTransport } from './agents.js';
import { createBatch, createEmbeddingsBatch } from './batches.js';
import { createCache, deleteCache, updateCache } from './caches.js';
import { decisionsCreate, decisionsTransport } from './decisions.js';
import { embeddings } from './embeddings.js';
import { importFileToFileSearchStore, uploadToFileSearchStore } from './file-search-stores.js';
import { generateContent, generateContentStream } from './generate-content.js';
import { editImage, generateImages, recontextImage, segmentImage, upscaleImage } from './images.js';
import { interactionsCreate, interactionsGet, interactionsTransport } from './interactions.js';
import { liveConnect, liveToolResponse } from './live.js';
import { liveMusicConnect } from './live-music.js';
import type { Surface } from './surface.js';
import { computeTokens, countTokens } from './token-counting.js';
import { triggersRun, triggersTransport } from './triggers.js';
import { tuneGeminiApi, tuneVertex } from './tunings.js';
import { fetchPredictVideosOperation, generateVideos, getVideosOperation } from './videos.js';

export const SURFACES: readonly Surface[] = [
  generateContent,
  generateContentStream,
  agentLoop,
  agentLoopStream,
  embeddings,
  generateImages,
  editImage,
  upscaleImage,
  recontextImage,
  segmentImage,
  generateVideos,
  getVideosOperation,
  fetchPredictVideosOperation,
  countTokens,
  computeTokens,
  createCache,
  updateCache,
  deleteCache,
  liveConnect,
  liveToolResponse,
  liveMusicConnect,
  createBatch,
  createEmbeddingsBatch,
  uploadToFileSearchStore,
  importFileToFileSearchStore,
  tuneVertex,
  tuneGeminiApi,
  interactionsCreate,
  interactionsGet,
  interactionsTransport,
  agentsCreate,
  agentsTransport,
  triggersRun,
  triggersTransport,
  decisionsCreate,
  decisionsTransport,
];
