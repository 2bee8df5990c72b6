/*
 * Message content: nothing by default; with capture on spans, exactly the
 * conventions' messages, valid against their JSON schemas, bounded, and
 * never with inline bytes.
 */
import { finishedSpans, instrumentation, resetInstrumentation } from '../utils/otel';
import { collectMetrics } from '../utils/metrics';
import { finishedLogs, logExporter } from '../utils/logs';
import * as assert from 'node:assert/strict';
import { SDK_MAJOR, TEST_API_KEY } from '../utils/genai';
import { assertValidContent, CONTENT_ATTRIBUTES, schemasAvailable } from '../utils/schemas';
import { withFakeGemini } from '../utils/with-fake-gemini';

const SECRET = 'my-secret-prompt-7f3e';
const MODEL = 'gemini-2.5-flash';

describe(`message content (@google/genai ${SDK_MAJOR}.x)`, function () {
  this.timeout(20000);
  const server = withFakeGemini();
  after(() => instrumentation.setConfig({}));
  beforeEach(() => {
    resetInstrumentation();
    logExporter.reset();
  });

  const client = () => server.client();
  const request = () => ({
    model: MODEL,
    contents: [
      {
        role: 'user',
        parts: [{ text: `Describe this: ${SECRET}` }, { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }],
      },
    ],
    config: {
      systemInstruction: 'You are terse.',
      tools: [
        {
          functionDeclarations: [
            {
              name: 'lookup',
              description: 'Look a word up',
              parameters: { type: 'OBJECT' as never, properties: { word: { type: 'STRING' as never } } },
            },
          ],
        },
      ],
    },
  });

  function contentOf(span: ReturnType<typeof finishedSpans>[number]) {
    const out: Record<string, unknown> = {};
    for (const key of CONTENT_ATTRIBUTES)
      if (key in span.attributes) out[key] = JSON.parse(String(span.attributes[key]));
    return out;
  }

  it('by default: no content attribute, and the prompt is nowhere in spans or metrics', async () => {
    const ai = client();
    await ai.models.generateContent(request());
    for await (const c of await ai.models.generateContentStream(request())) assert.ok(c);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const spans = finishedSpans();
    assert.equal(spans.length, 2);
    for (const span of spans) assert.deepEqual(contentOf(span), {});
    const dump =
      JSON.stringify(spans.map((s) => ({ a: s.attributes, e: s.events }))) + JSON.stringify(await collectMetrics());
    for (const secret of [SECRET, 'You are terse', 'Hello from', 'Paris', 'Look a word up', TEST_API_KEY]) {
      assert.equal(dump.includes(secret), false, secret);
    }
    assert.deepEqual(finishedLogs(), [], 'no content events');
  });

  it('EVENT_ONLY: one details event per operation, correlated with its span, nothing on the span', async function () {
    instrumentation.setConfig({ captureMessageContent: 'EVENT_ONLY' });
    await client().models.generateContent(request());
    const [span] = finishedSpans();
    assert.deepEqual(contentOf(span), {});
    const logs = finishedLogs();
    assert.equal(logs.length, 1);
    const [event] = logs;
    assert.equal(event.eventName, 'gen_ai.client.inference.operation.details');
    assert.equal(event.spanContext?.spanId, span.spanContext().spanId);
    assert.equal(event.spanContext?.traceId, span.spanContext().traceId);
    // The span's attributes, and the content.
    for (const [key, value] of Object.entries(span.attributes)) assert.deepEqual(event.attributes[key], value, key);
    assert.deepEqual(
      CONTENT_ATTRIBUTES.filter((k) => k in event.attributes),
      ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.definitions']
    );
    assert.equal(JSON.stringify(event.attributes).includes('iVBORw0KGgo'), false, 'no inline bytes');
    if (!schemasAvailable) this.skip();
    for (const key of CONTENT_ATTRIBUTES) assertValidContent(key, event.attributes[key]);
  });

  it('SPAN_AND_EVENT: the same content on both; a stream and a failed call get their event too', async () => {
    instrumentation.setConfig({ captureMessageContent: 'SPAN_AND_EVENT' });
    const ai = client();
    await ai.models.generateContent(request());
    for await (const c of await ai.models.generateContentStream({ model: MODEL, contents: 'Hi' })) assert.ok(c);
    server.reply = () => ({ status: 500, body: { error: { code: 500, message: 'internal', status: 'INTERNAL' } } });
    await ai.models.generateContent({ model: MODEL, contents: 'fail please' }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const spans = finishedSpans();
    const logs = finishedLogs();
    assert.equal(logs.length, 3);
    logs.forEach((event, i) => {
      assert.equal(event.spanContext?.spanId, spans[i].spanContext().spanId);
      assert.equal(event.attributes['gen_ai.input.messages'], spans[i].attributes['gen_ai.input.messages']);
      assert.equal(event.attributes['gen_ai.output.messages'], spans[i].attributes['gen_ai.output.messages']);
    });
    assert.equal(logs[1].attributes['gen_ai.request.stream'], true);
    assert.equal(logs[2].attributes['error.type'], '500');
    assert.equal(logs[2].attributes['gen_ai.output.messages'], undefined);
  });

  it('SPAN_ONLY: the conventions messages on the span, valid, without inline bytes', async function () {
    instrumentation.setConfig({ captureMessageContent: 'SPAN_ONLY' });
    await client().models.generateContent(request());
    const [span] = finishedSpans();
    assert.deepEqual(contentOf(span), {
      'gen_ai.input.messages': [
        {
          role: 'user',
          parts: [
            { type: 'text', content: `Describe this: ${SECRET}` },
            { type: 'blob', modality: 'image', mime_type: 'image/png', content: '', size_bytes: 8 },
          ],
        },
      ],
      // The server calls the declared function.
      'gen_ai.output.messages': [
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', name: 'lookup', arguments: { city: 'Paris' } }],
          finish_reason: 'tool_call',
        },
      ],
      'gen_ai.system_instructions': [{ type: 'text', content: 'You are terse.' }],
      'gen_ai.tool.definitions': [
        {
          type: 'function',
          name: 'lookup',
          description: 'Look a word up',
          parameters: { type: 'object', properties: { word: { type: 'string' } } },
        },
      ],
    });
    assert.equal(JSON.stringify(span.attributes).includes('iVBORw0KGgo'), false, 'no inline bytes');
    if (!schemasAvailable) this.skip();
    for (const key of CONTENT_ATTRIBUTES) assertValidContent(key, span.attributes[key]);
  });

  it('an image in the response: its MIME type and size, never its bytes', async function () {
    const bytes = Buffer.alloc(3000, 7).toString('base64');
    server.reply = () => ({
      body: {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ text: 'Here.' }, { inlineData: { mimeType: 'image/jpeg', data: bytes } }],
            },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1290 },
        modelVersion: 'gemini-2.5-flash-image',
      },
    });
    instrumentation.setConfig({ captureMessageContent: 'SPAN_AND_EVENT' });
    await client().models.generateContent({ model: 'gemini-2.5-flash-image', contents: 'Draw a cat' });
    const [span] = finishedSpans();
    assert.deepEqual(contentOf(span)['gen_ai.output.messages'], [
      {
        role: 'assistant',
        parts: [
          { type: 'text', content: 'Here.' },
          { type: 'blob', modality: 'image', mime_type: 'image/jpeg', content: '', size_bytes: 3000 },
        ],
        finish_reason: 'stop',
      },
    ]);
    assert.equal(JSON.stringify(span.attributes).includes(bytes.slice(0, 40)), false);
    if (!schemasAvailable) this.skip();
    assertValidContent('gen_ai.output.messages', span.attributes['gen_ai.output.messages']);
  });

  it('a stream: the answer joined from its chunks', async () => {
    instrumentation.setConfig({ captureMessageContent: 'SPAN_ONLY' });
    for await (const c of await client().models.generateContentStream({ model: MODEL, contents: 'Hi' })) assert.ok(c);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(contentOf(finishedSpans()[0])['gen_ai.output.messages'], [
      { role: 'assistant', parts: [{ type: 'text', content: `Hello from ${MODEL}.` }], finish_reason: 'stop' },
    ]);
  });

  it('EVENT_ONLY on a stream: the event carries the whole answer joined from its chunks', async () => {
    instrumentation.setConfig({ captureMessageContent: 'EVENT_ONLY' });
    for await (const c of await client().models.generateContentStream({ model: MODEL, contents: 'Hi' })) assert.ok(c);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(contentOf(finishedSpans()[0]), {});
    const [event] = finishedLogs();
    assert.deepEqual(JSON.parse(String(event.attributes['gen_ai.output.messages'])), [
      { role: 'assistant', parts: [{ type: 'text', content: `Hello from ${MODEL}.` }], finish_reason: 'stop' },
    ]);
  });

  it('a 300 KB prompt is cut at maxContentLength, marked, and still valid JSON', async function () {
    instrumentation.setConfig({ captureMessageContent: 'SPAN_ONLY', maxContentLength: 1000 });
    const huge = 'x'.repeat(300 * 1024);
    await client().models.generateContent({ model: MODEL, contents: huge });
    const [span] = finishedSpans();
    const json = String(span.attributes['gen_ai.input.messages']);
    assert.ok(json.length < 1200, `${json.length} characters`);
    const [message] = JSON.parse(json);
    assert.equal(message.parts[0].content, `${'x'.repeat(1000)}…[truncated ${300 * 1024 - 1000} chars]`);
    if (!schemasAvailable) this.skip();
    assertValidContent('gen_ai.input.messages', json);
  });

  it('the redaction hook rewrites or drops messages before they are recorded', async function () {
    const seen: string[] = [];
    instrumentation.setConfig({
      captureMessageContent: 'SPAN_ONLY',
      redactMessage: (message, attribute) => {
        seen.push(`${attribute}:${String(message.role)}`);
        if (message.role === 'system') return undefined;
        const parts = (message.parts as Array<Record<string, unknown>>).map((p) =>
          p.type === 'text' ? { ...p, content: String(p.content).replace(SECRET, '[redacted]') } : p
        );
        return { ...message, parts };
      },
    });
    await client().models.generateContent(request());
    const [span] = finishedSpans();
    const content = contentOf(span);
    assert.deepEqual(seen, [
      'gen_ai.input.messages:user',
      'gen_ai.system_instructions:system',
      'gen_ai.output.messages:assistant',
    ]);
    assert.equal(JSON.stringify(span.attributes).includes(SECRET), false);
    assert.deepEqual((content['gen_ai.input.messages'] as Array<{ parts: Array<{ content?: string }> }>)[0].parts[0], {
      type: 'text',
      content: 'Describe this: [redacted]',
    });
    assert.equal(content['gen_ai.system_instructions'], undefined);
    if (!schemasAvailable) this.skip();
    assertValidContent('gen_ai.input.messages', span.attributes['gen_ai.input.messages']);
  });

  it('a redaction hook that throws: those messages are not recorded at all', async () => {
    instrumentation.setConfig({
      captureMessageContent: 'SPAN_ONLY',
      redactMessage: () => {
        throw new Error('redactor broke');
      },
    });
    const response = await client().models.generateContent(request());
    assert.ok(response.candidates);
    const content = contentOf(finishedSpans()[0]);
    assert.deepEqual(Object.keys(content), ['gen_ai.tool.definitions']);
  });

  it('PREVIEW: per message a SHA-256, the first 32 characters and the length, on the span', async function () {
    instrumentation.setConfig({ captureMessageContent: 'PREVIEW' });
    const long = `${SECRET} and then a great deal more text that goes on and on.`;
    await client().models.generateContent({ model: MODEL, contents: long });
    const [span] = finishedSpans();
    const { createHash } = await import('node:crypto');
    assert.deepEqual(contentOf(span)['gen_ai.input.messages'], [
      {
        role: 'user',
        parts: [{ type: 'text', content: long.slice(0, 32) }],
        sha256: createHash('sha256').update(long).digest('hex'),
        length: long.length,
      },
    ]);
    assert.equal(String(span.attributes['gen_ai.input.messages']).includes('great deal'), false);
    if (!schemasAvailable) this.skip();
    assertValidContent('gen_ai.input.messages', span.attributes['gen_ai.input.messages']);
    assertValidContent('gen_ai.output.messages', span.attributes['gen_ai.output.messages']);
  });

  it('function calls and responses in a manual loop, and the system instruction not repeated', async function () {
    server.reply = (req) => {
      const body = req.body as { contents: Array<{ parts: Array<{ functionResponse?: unknown }> }> };
      const answered = body.contents.at(-1)?.parts.some((p) => p.functionResponse);
      return {
        body: {
          candidates: [
            {
              content: {
                role: 'model',
                parts: answered
                  ? [{ text: 'Done.' }]
                  : [{ functionCall: { id: 'c1', name: 'lookup', args: { word: 'sky' } } }],
              },
              finishReason: 'STOP',
            },
          ],
          modelVersion: 'gemini-2.5-flash-001',
        },
      };
    };
    instrumentation.setConfig({ captureMessageContent: 'SPAN_ONLY' });
    const ai = client();
    const first = await ai.models.generateContent({
      model: MODEL,
      contents: 'Look up sky',
      config: { systemInstruction: 'Be brief' },
    });
    await ai.models.generateContent({
      model: MODEL,
      contents: [
        { role: 'user', parts: [{ text: 'Look up sky' }] },
        first.candidates![0].content!,
        { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'lookup', response: { meaning: 'above' } } }] },
      ],
    });
    const [ask, answer] = finishedSpans();
    assert.deepEqual(contentOf(ask)['gen_ai.output.messages'], [
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', name: 'lookup', id: 'c1', arguments: { word: 'sky' } }],
        finish_reason: 'tool_call',
      },
    ]);
    assert.deepEqual(contentOf(ask)['gen_ai.input.messages'], [
      { role: 'user', parts: [{ type: 'text', content: 'Look up sky' }] },
    ]);
    assert.deepEqual(contentOf(answer)['gen_ai.input.messages'], [
      { role: 'user', parts: [{ type: 'text', content: 'Look up sky' }] },
      { role: 'assistant', parts: [{ type: 'tool_call', name: 'lookup', id: 'c1', arguments: { word: 'sky' } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', response: { meaning: 'above' }, id: 'c1' }] },
    ]);
    if (!schemasAvailable) this.skip();
    for (const span of [ask, answer]) {
      for (const key of CONTENT_ATTRIBUTES) if (key in span.attributes) assertValidContent(key, span.attributes[key]);
    }
  });
});
