/*
 * The viewer's page in a real browser: `npm start -- --view` runs the demo
 * into the viewer, and Debian's Chromium, driven by playwright-core, reads
 * the trace list, a waterfall, a span's GenAI panel and the totals. The
 * screenshots are kept in build/test-artefacts/viewer (or
 * $TEST_ARTEFACTS_DIR/viewer). Skips, saying why, where Chromium or
 * playwright-core is missing (.ci/run installs both).
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { childEnv } from '../utils/child';
import { SDK_MAJOR } from '../utils/genai';
import { REPO_ROOT } from '../utils/paths';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTEFACTS = path.join(
  process.env.TEST_ARTEFACTS_DIR ?? path.join(REPO_ROOT, 'build', 'test-artefacts'),
  'viewer'
);

type Playwright = typeof import('playwright-core');

function playwright(): Playwright | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('playwright-core') as Playwright;
  } catch {
    return undefined;
  }
}

/** The demo with --view, on free ports: its output up to the viewer's address. */
function startDemo(): Promise<{ child: ChildProcess; url: string; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'build', 'examples', 'demo.js'), '--view', '--port', '0', '--otlp-port', '0'],
      { cwd: REPO_ROOT, env: childEnv({}) }
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /Open (http:\/\/127\.0\.0\.1:\d+) to see/.exec(out)?.[1];
      if (url) resolve({ child, url, out });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the demo exited with ${code}: ${out}`)));
  });
}

const pw = playwright();
const why = !pw
  ? 'playwright-core is not installed (npm install)'
  : !existsSync(CHROMIUM)
    ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`
    : undefined;

// The demo uses the project's own @google/genai (3.x): one pass is enough.
if (SDK_MAJOR === '3')
  describe('viewer page in Chromium (npm start -- --view)', function () {
    this.timeout(90000);
    let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
    let browser: import('playwright-core').Browser | undefined;

    before(async function () {
      if (why) {
        console.log(`      skipped: ${why}`);
        this.skip();
      }
      mkdirSync(ARTEFACTS, { recursive: true });
      demo = await startDemo();
      browser = await pw!.chromium.launch({
        executablePath: CHROMIUM,
        // As root in CI, and on a machine whose network is closed: no sandbox, no background connections.
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });
    after(async () => {
      await browser?.close();
      demo?.child.kill('SIGTERM');
    });

    it('lists the demo traces, draws a waterfall, shows a model call GenAI panel and the totals', async () => {
      const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      // Anything the page asks of another origin is a failure: it must make no external request.
      const foreign: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(demo!.url)) foreign.push(r.url());
      });
      await page.goto(`${demo!.url}/`);
      await page.waitForSelector('#trace-list tbody tr');
      const roots = await page.$$eval('#trace-list tbody tr td:first-child', (cells) =>
        cells.map((c) => c.textContent)
      );
      assert.deepEqual([...roots].sort(), [
        'GET /api/stream',
        'POST /api/agent',
        'POST /api/ask',
        'POST /api/ask (busy model)',
        'POST /api/chat',
        'POST /api/conversation',
        'POST /api/research',
      ]);
      await page.screenshot({ path: path.join(ARTEFACTS, 'trace-list.png'), fullPage: true });

      await page.getByRole('button', { name: /^Trace POST \/api\/agent,/ }).click();
      await page.waitForSelector('#waterfall tbody tr');
      const rows = await page.$$eval('#waterfall tbody tr', (trs) =>
        trs.map(
          (tr) =>
            `${tr.getAttribute('data-depth')} ${tr.querySelector('button')?.textContent} ${tr.querySelector('.kind')?.textContent}`
        )
      );
      assert.deepEqual(rows, [
        '0 POST /api/agent SERVER',
        '1 agent.run INTERNAL',
        '2 generate_content gemini-2.5-flash CLIENT',
        '2 execute_tool get_weather INTERNAL',
        '2 generate_content gemini-2.5-flash CLIENT',
      ]);
      // The first model call is chosen for you: its attributes, grouped.
      await page.waitForSelector('#span [data-group="Usage"]');
      const value = (group: string, key: string) =>
        page.$eval(`#span [data-group="${group}"] tr[data-key="${key}"] td`, (td) => td.textContent);
      assert.equal(await page.textContent('#span-heading'), 'generate_content gemini-2.5-flash');
      assert.equal(await value('GenAI', 'gen_ai.provider.name'), 'gcp.gemini');
      assert.equal(await value('GenAI', 'gen_ai.operation.name'), 'generate_content');
      assert.equal(await value('Request', 'gen_ai.request.model'), 'gemini-2.5-flash');
      assert.equal(await value('Response', 'gen_ai.response.model'), 'gemini-2.5-flash-001');
      assert.equal(await value('Usage', 'gen_ai.usage.input_tokens'), '8');
      assert.equal(await value('Usage', 'gen_ai.usage.output_tokens'), '17');
      assert.equal(await value('Usage', 'gen_ai.cost.usd'), '0.0000449');
      // The demo captures content into the viewer: rendered as messages, not JSON.
      const messages = await page.textContent('#span-messages');
      assert.match(messages ?? '', /user\s*What is the weather in Paris\?/);
      assert.match(messages ?? '', /Calls get_weather\(\{"city":"Paris"\}\)/);
      await page.screenshot({ path: path.join(ARTEFACTS, 'waterfall-and-span.png'), fullPage: true });

      // A stream: time to first chunk and its first-token event.
      await page.getByRole('button', { name: /^Trace GET \/api\/stream,/ }).click();
      await page.waitForSelector('#waterfall tbody tr[data-depth="1"]');
      await page.locator('#waterfall tbody tr[data-depth="1"] button').first().click();
      await page.waitForSelector('#span [data-group="Response"] tr[data-key="gen_ai.response.time_to_first_chunk"]');
      assert.match((await value('Response', 'gen_ai.response.time_to_first_chunk')) ?? '', /^0\.\d+$/);
      assert.equal(await value('Response', 'gen_ai.response.chunk_count'), '3');
      assert.match((await page.textContent('#span-events')) ?? '', /first_token/);
      const timeline = await page.getAttribute('#waterfall tbody tr[data-depth="1"] .timeline', 'aria-label');
      assert.match(timeline ?? '', /events: first_token at \+[\d.]+ ms/);

      // Totals per model and per hashed user, from the metrics.
      const model = await page.$$eval('#model-totals tr[data-model="gemini-2.5-flash-001"] td', (tds) =>
        tds.map((td) => td.textContent)
      );
      assert.deepEqual(model, ['7', '0', '56', '119', '$0.000314']);
      const busy = await page.$$eval('#model-totals tr[data-model="gemini-overloaded"] td', (tds) =>
        tds.map((td) => td.textContent)
      );
      assert.deepEqual(busy.slice(0, 2), ['1', '1']);
      const user = /user=([0-9a-f]{16})/.exec(demo!.out)?.[1];
      assert.ok(user, 'the demo prints the hashed user');
      assert.equal(await page.$eval(`#user-totals tr[data-user="${user}"] td`, (td) => td.textContent), '$0.000090');
      assert.equal(
        await page.$$eval('#user-totals tr', (trs) => trs.some((tr) => tr.textContent?.includes('ada@'))),
        false
      );
      await page.locator('#totals').screenshot({ path: path.join(ARTEFACTS, 'totals.png') });
      assert.deepEqual(problems, []);
      assert.deepEqual(foreign, []);
    });

    it('updates live as spans arrive', async () => {
      const page = await browser!.newPage();
      await page.goto(`${demo!.url}/`);
      await page.waitForSelector('#trace-list tbody tr');
      const listed = await page.$$eval('#trace-list tbody tr', (trs) => trs.length);
      const otlp = /Receiving OTLP\/HTTP on (http:\/\/127\.0\.0\.1:\d+)/.exec(demo!.out)![1];
      const res = await fetch(`${otlp}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceSpans: [
            {
              scopeSpans: [
                {
                  spans: [
                    {
                      traceId: 'ef'.repeat(16),
                      spanId: '12'.repeat(8),
                      name: 'GET /live',
                      kind: 2,
                      startTimeUnixNano: String(BigInt(Date.now()) * 1000000n),
                      endTimeUnixNano: String(BigInt(Date.now() + 5) * 1000000n),
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      assert.equal(res.status, 200);
      await page.waitForSelector(`#trace-list tbody tr[data-trace-id="${'ef'.repeat(16)}"]`);
      assert.equal(await page.$$eval('#trace-list tbody tr', (trs) => trs.length), listed + 1);
      assert.equal(await page.textContent('#trace-list tbody tr:first-child td:first-child'), 'GET /live');
      assert.match((await page.textContent('#live-status')) ?? '', /Updated .*: 8 traces\./);
    });
  });
