/*
 * What users install: `npm pack` gives a tarball that ships only the built
 * package, and that, installed into an empty app with @google/genai, works by
 * name: the preload, require() and import, and the type declarations.
 * Runs in the pass for the newest SDK major only (the tarball is the same).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SDK_MAJOR, SDK_VERSION } from '../utils/genai';
import { REPO_ROOT } from '../utils/paths';
import { childEnv, collect, PACKAGE_NAME } from '../utils/child';
import { startOtlpReceiver } from '../utils/otlp-receiver';
import { withFakeGemini } from '../utils/with-fake-gemini';
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

if (SDK_MAJOR === '3')
  describe('npm pack: the published package in an empty app', function () {
    this.timeout(180000);
    const gemini = withFakeGemini();
    let work: string;
    let tarball: string;
    let app: string;
    let files: string[];

    before(() => {
      work = mkdtempSync(path.join(tmpdir(), 'genai-otel-pack-'));
      // The suite built the package already (npm test builds first); the
      // prepack script builds it for a real `npm pack` / `npm publish`.
      const out = execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
      const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
      tarball = path.join(work, info.filename);
      files = info.files.map((f) => f.path);
      app = path.join(work, 'app');
      cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'apps'), app, { recursive: true });
      writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'empty-app', private: true }));
      execFileSync(
        npm,
        [
          'install',
          '--no-audit',
          '--no-fund',
          '--prefer-offline',
          '--loglevel=error',
          tarball,
          `@google/genai@${SDK_VERSION}`,
        ],
        { cwd: app, stdio: 'ignore' }
      );
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    it('ships the built CJS and ESM code with declarations, and no tests or sources', () => {
      const installed = readdirSync(path.join(app, 'node_modules', PACKAGE_NAME), { recursive: true }).map(String);
      assert.ok(installed.includes('package.json'));
      for (const f of files) {
        assert.match(
          f,
          /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|build\/(src|esm)\/((core|mapping|surfaces|viewer)\/)?[\w-]+\.(js|d\.ts)|build\/src\/viewer\/page\/(index\.html|app\.js|style\.css)|build\/esm\/package\.json)$/,
          f
        );
      }
      for (const needed of [
        'build/src/index.js',
        'build/src/index.d.ts',
        'build/esm/index.js',
        'build/esm/index.d.ts',
        'build/src/register.js',
        'build/src/preload.js',
        'build/src/cli.js',
        'build/src/viewer/server.js',
        'build/src/viewer/page/index.html',
        'build/src/viewer/page/app.js',
      ]) {
        assert.ok(files.includes(needed), `${needed} shipped`);
      }
    });

    it('installs the `view` command (npx opentelemetry-instrumentation-google-genai view), and protobufjs comes deduplicated', () => {
      const help = execFileSync(path.join(app, 'node_modules', '.bin', PACKAGE_NAME), ['view', '--help'], {
        cwd: app,
        encoding: 'utf8',
      });
      assert.match(help, /local GenAI trace viewer/);
      assert.match(help, /--otlp-port <n>/);
      // @google/genai depends on protobufjs too: the viewer's one dependency adds no copy.
      const copies = readdirSync(path.join(app, 'node_modules'), { recursive: true })
        .map(String)
        .filter(
          (f) => f.endsWith(`protobufjs${path.sep}package.json`) && !f.includes(`${path.sep}protobufjs${path.sep}cli`)
        );
      assert.equal(copies.length, 1, copies.join(', '));
    });

    it('exports GeminiInstrumentation to require() and import', () => {
      const cjs = execFileSync(
        process.execPath,
        ['-e', `console.log(typeof require('${PACKAGE_NAME}').GeminiInstrumentation)`],
        { cwd: app, encoding: 'utf8' }
      );
      const esm = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `import { GeminiInstrumentation } from '${PACKAGE_NAME}'; console.log(typeof GeminiInstrumentation, new GeminiInstrumentation({ enabled: false }).instrumentationName)`,
        ],
        { cwd: app, encoding: 'utf8' }
      );
      assert.equal(cjs.trim(), 'function');
      assert.equal(esm.trim(), `function ${PACKAGE_NAME}`);
    });

    it('type-checks in a TypeScript app, CJS and ESM', () => {
      writeFileSync(
        path.join(app, 'use.ts'),
        `import { GeminiInstrumentation, type GeminiInstrumentationConfig } from '${PACKAGE_NAME}';\n` +
          `const config: GeminiInstrumentationConfig = { enabled: true };\nexport const i: GeminiInstrumentation = new GeminiInstrumentation(config);\n`
      );
      writeFileSync(
        path.join(app, 'use.mts'),
        `import { GeminiInstrumentation } from '${PACKAGE_NAME}';\nexport const i = new GeminiInstrumentation();\n`
      );
      const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      execFileSync(
        process.execPath,
        [
          tsc,
          '--noEmit',
          '--strict',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--skipLibCheck',
          '--types',
          'node',
          '--typeRoots',
          path.join(REPO_ROOT, 'node_modules', '@types'),
          'use.ts',
          'use.mts',
        ],
        { cwd: app, stdio: 'pipe' }
      );
    });

    for (const [file, flag] of [
      ['app.mjs', '--import'],
      ['app.cjs', '--require'],
    ]) {
      it(`node ${flag} ${PACKAGE_NAME}/register ${file}: spans exported`, async () => {
        const receiver = await startOtlpReceiver();
        try {
          const child = spawn(process.execPath, [flag, `${PACKAGE_NAME}/register`, file], {
            cwd: app,
            env: childEnv({
              FAKE_GEMINI_URL: gemini.url,
              APP_API_KEY: 'k',
              OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
              OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
              OTEL_METRICS_EXPORTER: 'otlp',
              OTEL_LOGS_EXPORTER: 'none',
              OTEL_NODE_RESOURCE_DETECTORS: 'env',
            }),
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          const run = await collect(child);
          assert.equal(run.code, 0, run.stderr);
          assert.deepEqual(
            receiver
              .spans()
              .map((s) => s.name)
              .sort(),
            [
              'agent.run',
              'execute_tool get_weather',
              'generate_content gemini-2.0-flash',
              'generate_content gemini-2.5-flash',
              'generate_content gemini-2.5-flash',
              'generate_content gemini-2.5-flash',
              'generate_content gemini-2.5-flash-lite',
              'generate_content gemini-2.5-pro',
              'generate_content gemini-missing',
            ]
          );
          // Metrics too, with whatever OpenTelemetry line npm installed for this Node.js.
          const metricNames = receiver.received
            .filter((r) => r.path === '/v1/metrics')
            .map((r) => r.body.toString('utf8'))
            .join('');
          for (const name of ['gen_ai.client.operation.duration', 'gen_ai.client.token.usage', 'gen_ai.client.cost']) {
            assert.ok(metricNames.includes(`"${name}"`), `${name} exported`);
          }
        } finally {
          await receiver.close();
        }
      });
    }
  });
