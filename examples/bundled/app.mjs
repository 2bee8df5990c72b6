// A bundled app (esbuild, webpack, Next.js): the bundler inlines @google/genai,
// so no module hook sees it load. Two lines hand it to the instrumentation:
// `instrumentation.instrument(genai)` after the import. Built and run by
// test/process/bundled.test.ts:
//   esbuild examples/bundled/app.mjs --bundle --platform=node --format=esm \
//     --external:@opentelemetry/* --external:google-auth-library --external:ws --external:p-retry
import { NodeSDK } from '@opentelemetry/sdk-node';
import * as genai from '@google/genai';
import { GeminiInstrumentation } from 'opentelemetry-instrumentation-google-genai';

const instrumentation = new GeminiInstrumentation();
const sdk = new NodeSDK({ instrumentations: [instrumentation] });
sdk.start();
instrumentation.instrument(genai);

const ai = new genai.GoogleGenAI({
  apiKey: process.env.GEMINI_API_KEY ?? 'demo-key',
  httpOptions: process.env.FAKE_GEMINI_URL ? { baseUrl: process.env.FAKE_GEMINI_URL } : undefined,
});
const response = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' });
console.log(response.text);
await sdk.shutdown();
