/*
 * The preload's privacy promise for frameworks that emit their own spans: each
 * known framework's content switch is set off when our capture records no
 * full content, and a value the user set is never changed.
 */
import * as assert from 'node:assert/strict';
import { FRAMEWORK_CONTENT_SWITCHES, quietFrameworkContent } from '../../src/frameworks';

describe('framework content switches', () => {
  it('off by default (NO_CONTENT) and under PREVIEW, which records no full text', () => {
    for (const mode of ['NO_CONTENT', 'PREVIEW'] as const) {
      const env: NodeJS.ProcessEnv = {};
      assert.deepEqual(quietFrameworkContent(mode, env), ['ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS']);
      assert.deepEqual(env, { ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS: 'false' });
    }
  });

  it('left alone when the user opted in to content with us', () => {
    for (const mode of ['SPAN_ONLY', 'EVENT_ONLY', 'SPAN_AND_EVENT'] as const) {
      const env: NodeJS.ProcessEnv = {};
      assert.deepEqual(quietFrameworkContent(mode, env), []);
      assert.deepEqual(env, {});
    }
  });

  it('never overrides a value the user set, even an empty one', () => {
    for (const value of ['true', '1', '']) {
      const env: NodeJS.ProcessEnv = { ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS: value };
      assert.deepEqual(quietFrameworkContent('NO_CONTENT', env), []);
      assert.equal(env.ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS, value);
    }
  });

  it('every switch names its framework and an off value', () => {
    for (const s of FRAMEWORK_CONTENT_SWITCHES) {
      assert.ok(s.framework && /^[A-Z0-9_]+$/.test(s.env) && s.off);
    }
  });
});
