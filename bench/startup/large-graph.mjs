// A large ES module graph: @google/genai (wrapped under our preload) with two
// large ESM-only libraries (lodash-es, d3) that nothing wraps. Prints how long
// importing them took, in this process.
import { performance } from 'node:perf_hooks';

const started = performance.now();
await import('@google/genai');
await import('lodash-es');
await import('d3');
console.log(JSON.stringify({ importMs: performance.now() - started }));
