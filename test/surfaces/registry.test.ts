/*
 * The surface registry (src/surfaces/index.ts) against the loaded SDK: every
 * surface hooks its class's method while enabled and leaves the prototype as
 * it was after disable(); in the newest major every surface finds its method,
 * so a misspelt registry line fails here.
 */
import { instrumentation, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { isWrapped } from '@opentelemetry/instrumentation';
import { loadGenAI, SDK_MAJOR } from '../utils/genai';
import { SURFACES } from '../../src/surfaces';

const genai = loadGenAI() as unknown as Record<string, { prototype: object } | undefined>;

/** How a surface's hook shows on its prototype: a wrapped method, an accessor that wraps what the constructor assigns, or nothing. */
function hookOn(proto: object, method: string): 'wrapped' | 'accessor' | 'plain' | 'absent' {
  const descriptor = Object.getOwnPropertyDescriptor(proto, method);
  if (descriptor?.set) return 'accessor';
  const value = (proto as Record<string, unknown>)[method];
  if (typeof value !== 'function') return 'absent';
  return isWrapped(value) ? 'wrapped' : 'plain';
}

describe(`the surface registry (@google/genai ${SDK_MAJOR}.x)`, () => {
  beforeEach(() => resetInstrumentation());
  after(() => instrumentation.enable());

  for (const surface of SURFACES) {
    const name = `${surface.owner}.${surface.method}`;
    it(`${name}: hooked while enabled, restored by disable()`, function () {
      const proto = genai[surface.owner]?.prototype;
      assert.ok(proto, `@google/genai exports ${surface.owner}`);
      const hooked = hookOn(proto, surface.method);
      if (hooked === 'absent' || (hooked === 'plain' && surface.hook === 'field')) {
        // Only an older major may lack a method (editImage and the like came later).
        assert.notEqual(SDK_MAJOR, '3', `${name} is in the newest SDK`);
        this.skip();
      }
      assert.equal(hooked, surface.hook === 'field' ? 'accessor' : 'wrapped');
      instrumentation.disable();
      assert.equal(hookOn(proto, surface.method), surface.hook === 'field' ? 'absent' : 'plain');
      instrumentation.enable();
      assert.equal(hookOn(proto, surface.method), hooked);
    });
  }
});
