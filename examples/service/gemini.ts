/*
 * The Gemini client of the service and its worker: the real API with
 * GEMINI_API_KEY, else the Gemini-compatible server at GEMINI_BASE_URL (the
 * launcher starts one on loopback).
 */
import { GoogleGenAI } from '@google/genai';

export const MODEL = process.env.GEMINI_MODEL ?? 'gemini-2.5-flash';

export function geminiClient(): GoogleGenAI {
  const apiKey = process.env.GEMINI_API_KEY;
  const baseUrl = process.env.GEMINI_BASE_URL;
  if (!apiKey && !baseUrl) throw new Error('Set GEMINI_API_KEY, or GEMINI_BASE_URL to a Gemini-compatible server');
  return new GoogleGenAI({ apiKey: apiKey ?? 'example-key', ...(apiKey ? {} : { httpOptions: { baseUrl } }) });
}

/** A tool the SDK calls by itself (automatic function calling): each call is an execute_tool span. */
export const weatherTool = {
  tool: async () => ({
    functionDeclarations: [
      {
        name: 'get_weather',
        description: 'Current weather in a city',
        parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ],
  }),
  callTool: async (calls: Array<{ name?: string; args?: Record<string, unknown> }>) => {
    await new Promise((resolve) => setTimeout(resolve, 10)); // a weather service
    return calls.map((c) => ({ functionResponse: { name: c.name, response: { city: c.args?.city, sky: 'clear' } } }));
  },
};
