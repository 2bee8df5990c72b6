/*
 * No leak: a child process (scripts/leaks.mjs, with --expose-gc) makes 30,000
 * calls and starts 3,000 streams it never reads, against an in-process fetch
 * stub; the heap after a full GC must come back to its baseline and every
 * abandoned stream's span must have ended. `npm run leaks` runs the full-size
 * version (100,000 calls, 10,000 streams); figures in docs/testing.md.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { SDK_MAJOR } from '../utils/genai';
import { REPO_ROOT } from '../utils/paths';

// The script runs the project's own @google/genai (3.x): once per suite run is enough.
(SDK_MAJOR === '3' ? describe : describe.skip)('memory: no leak after many calls and abandoned streams', function () {
  this.timeout(120000);

  it('heap back to baseline after 30,000 calls and 3,000 abandoned streams', () => {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', path.join(REPO_ROOT, 'scripts', 'leaks.mjs'), '--json', '--calls', '30000', '--streams', '3000'],
      { cwd: REPO_ROOT, encoding: 'utf8' }
    );
    const r = JSON.parse(out.trim().split('\n').pop() ?? '{}');
    // Every call and stream made its span: 2,000 warm-up calls, the calls, the streams.
    assert.equal(r.spansExported, 2000 + 30000 + 3000);
    assert.equal(r.openStreamsBeforeIdle, 3000);
    assert.equal(r.openStreamsAfterIdle, 0, 'every abandoned stream ended');
    // A leak of 64 bytes per call would show as 1.8 MB here; GC noise is a few hundred KB.
    assert.ok(r.growthAfterCallsMB < 1.5, `heap grew ${r.growthAfterCallsMB} MB after the calls`);
    assert.ok(r.growthAfterStreamsMB < 2, `heap grew ${r.growthAfterStreamsMB} MB after the streams`);
  });
});
