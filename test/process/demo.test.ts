/*
 * `npm start` prints the trace a newcomer will see in their backend: run the
 * built demo as a child process and read its tree.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { SDK_MAJOR } from '../utils/genai';
import { childEnv } from '../utils/child';
import { REPO_ROOT } from '../utils/paths';

// The demo uses the project's own @google/genai (3.x): one pass is enough.
if (SDK_MAJOR === '3')
  describe('demo (npm start)', () => {
    it('prints the trace tree of a plain call, a chat, streams, a function-calling loop, interactions, an agent run and a failed call', () => {
      const out = execFileSync(process.execPath, [path.join(REPO_ROOT, 'build', 'examples', 'demo.js')], {
        cwd: REPO_ROOT,
        env: childEnv({}),
        encoding: 'utf8',
      });
      const end = out.indexOf('Send the same trace to a real backend');
      assert.ok(end > 0, 'the demo ends by saying how to send the trace to a real backend');
      assert.match(out.slice(end), /node --import opentelemetry-instrumentation-google-genai\/register app\.mjs/);
      assert.match(out.slice(end), /OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/localhost:4318/);
      // And it offers the local viewer (viewer-browser.test.ts runs it).
      assert.match(out.slice(end), /See this demo in your browser: npm start -- --view/);
      assert.match(out.slice(end), /npx opentelemetry-instrumentation-google-genai view/);
      const tree = out.slice(out.indexOf('The trace'), end);
      const shape = tree
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .map((line) => line.replace(/\s+[\d.]+ ms.*$/, ''));
      assert.deepEqual(shape, [
        'POST /api/ask [SERVER]',
        '└─ generate_content gemini-2.5-flash [CLIENT]',
        'POST /api/chat [SERVER]',
        '├─ generate_content gemini-2.5-flash [CLIENT]',
        '└─ generate_content gemini-2.5-flash [CLIENT]',
        'GET /api/stream [SERVER]',
        '├─ generate_content gemini-2.5-flash [CLIENT]',
        '└─ generate_content gemini-2.5-flash [CLIENT]',
        'POST /api/agent [SERVER]',
        '└─ agent.run [INTERNAL]',
        '   ├─ generate_content gemini-2.5-flash [CLIENT]',
        '   ├─ execute_tool get_weather [INTERNAL]',
        '   └─ generate_content gemini-2.5-flash [CLIENT]',
        'POST /api/conversation [SERVER]',
        '├─ generate_content gemini-2.5-flash [CLIENT]',
        '└─ generate_content gemini-2.5-flash [CLIENT]',
        'POST /api/research [SERVER]',
        '├─ invoke_agent deep-research-pro-preview-12-2025 [CLIENT]',
        '├─ fetch_response [CLIENT]',
        '└─ fetch_response [CLIENT]',
        'POST /api/ask (busy model) [SERVER]',
        '└─ generate_content gemini-overloaded [CLIENT]',
      ]);
      assert.match(
        tree,
        /generate_content gemini-2\.5-flash \[CLIENT\]\s+[\d.]+ ms {2}provider=gcp\.gemini model=gemini-2\.5-flash response\.model=gemini-2\.5-flash-001 in=8 out=17 reasoning=12 finish=STOP/
      );
      assert.match(
        tree,
        /├─ generate_content gemini-2\.5-flash \[CLIENT\].* finish=STOP chunks=3 ttfc=\d+ms stream=completed/
      );
      assert.match(tree, /└─ generate_content gemini-2\.5-flash \[CLIENT\].* chunks=1 ttfc=\d+ms stream=cut_short/);
      assert.match(
        tree,
        /└─ agent\.run \[INTERNAL\].* in=16 out=34 reasoning=24 round_trips=2 tool_calls=1 max_calls_reached=false cost=\$0\.000090/
      );
      assert.match(
        tree,
        /├─ invoke_agent deep-research-pro-preview-12-2025 \[CLIENT\].* agent=deep-research-pro-preview-12-2025 response\.status=in_progress/
      );
      assert.match(tree, /└─ fetch_response \[CLIENT\].* response\.status=completed/);
      assert.match(
        tree,
        /generate_content gemini-overloaded \[CLIENT\]\s+[\d.]+ ms {2}provider=gcp\.gemini model=gemini-overloaded finish=error error\.type=503 status=ERROR/
      );
    });
  });
