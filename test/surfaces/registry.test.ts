/*
 * The surface registry (src/surfaces/index.ts) against the loaded SDK: every
 * surface hooks its class's method while enabled and leaves the prototype as
 * it was after disable(); in the newest major every surface finds its method,
 * so a misspelt registry line fails here.
 */
import { instrumentation, resetInstrumentation } from '../utils/otel';
import * as assert from 'node:assert/strict';
import { isWrapped } from '@opentelemetry/instrumentation';
import { loadGenAI, SDK_MAJOR, TEST_API_KEY } from '../utils/genai';
import { SURFACES } from '../../src/surfaces';
import { REACHED_THROUGH, type SdkClass } from '../../src/surfaces/surface';

const genai = loadGenAI();
const exported = genai as unknown as Record<string, { prototype: object } | undefined>;

/** The prototype a surface's owner has: an exported class's, or that of what a client's getter makes. */
function prototypeOf(owner: SdkClass): object | undefined {
  const reached = REACHED_THROUGH[owner];
  if (!reached) return exported[owner]?.prototype;
  const client = new genai.GoogleGenAI({ apiKey: TEST_API_KEY }) as unknown as Record<string, Record<string, unknown>>;
  const made = (reached.from === 'Live' ? client.live : client)[reached.member];
  const proto = made && typeof made === 'object' ? Object.getPrototypeOf(made) : undefined;
  // Another class of that name (1.x's earlier Interactions client) is not ours to patch.
  return proto && Object.prototype.hasOwnProperty.call(proto, reached.has) ? proto : undefined;
}

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
      const proto = prototypeOf(surface.owner);
      if (!proto) {
        assert.notEqual(SDK_MAJOR, '3', `@google/genai 3.x has ${surface.owner}`);
        this.skip();
      }
      const hooked = hookOn(proto, surface.method);
      if (hooked === 'absent' || (hooked === 'plain' && surface.hook === 'field')) {
        // Only an older major may lack a method (editImage and the like came later; 1.x's Interactions client differs).
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
