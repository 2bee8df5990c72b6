// What the ADK fixture apps do, whichever module system loaded ADK: one agent
// with one tool, a turn in unary mode and a turn in streaming (SSE) mode,
// against the Gemini-compatible server at GOOGLE_GEMINI_BASE_URL. The tool
// takes TOOL_MS, so a span that wrongly includes the framework's tool time
// shows it. Prints what the app got as one RESULT line.
exports.run = async function run({ LlmAgent, FunctionTool, InMemoryRunner, StreamingMode }, z) {
  const toolMs = Number(process.env.TOOL_MS ?? 300);
  const getWeather = new FunctionTool({
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      await new Promise((resolve) => setTimeout(resolve, toolMs));
      return { city, sky: 'clear' };
    },
  });
  const agent = new LlmAgent({
    name: 'weather_agent',
    model: 'gemini-2.5-flash',
    description: 'Answers weather questions',
    instruction: 'You answer questions about the weather.',
    tools: [getWeather],
  });
  const runner = new InMemoryRunner({ agent, appName: 'weather-app' });
  const out = {};
  for (const mode of ['unary', 'sse']) {
    const session = await runner.sessionService.createSession({ appName: 'weather-app', userId: 'u-1' });
    const texts = [];
    const calls = [];
    for await (const event of runner.runAsync({
      userId: 'u-1',
      sessionId: session.id,
      newMessage: { role: 'user', parts: [{ text: `SECRET-PROMPT-${mode} What is the weather in Paris?` }] },
      runConfig: mode === 'sse' ? { streamingMode: StreamingMode.SSE } : undefined,
    })) {
      for (const part of event.content?.parts ?? []) {
        if (part.text && !event.partial) texts.push(part.text);
        if (part.functionCall) calls.push(part.functionCall.name);
      }
    }
    out[mode] = { texts, calls };
  }
  console.log('RESULT ' + JSON.stringify(out));
};
