/*
 * What an SDK surface is to the rest of the instrumentation, in the shape of
 * instrumentation-aws-sdk's ServiceExtension: one file per surface declares
 * which exported class and method it hooks, its operation name and opt-in,
 * and how one invocation becomes a TracedCall (its pure request/response
 * mapping included); surfaces/index.ts lists them all; core/patcher.ts hooks
 * every surface of every loaded copy of the SDK and runs each invocation
 * through the one lifecycle (core/traced-call.ts).
 */
import type { Settings, OptIn } from '../core/settings.js';
import type { Telemetry } from '../core/telemetry.js';
import type { TracedCall } from '../core/traced-call.js';

/** The exported SDK classes whose prototypes carry what we hook. */
export type SdkClass =
  'Models' | 'Caches' | 'Operations' | 'Live' | 'Session' | 'Interactions' | 'Agents' | 'Triggers' | 'Decisions';

/**
 * Classes the SDK does not export, by the getter of `GoogleGenAI` that makes
 * their instances, and a method of their own that tells the class we know:
 * the prototype is patched when the getter first returns one. The
 * bridges to the generated client (2.x and 3.x) have `getClient`; 1.x's interactions getter
 * returns an earlier, experimental client of another shape, left alone.
 */
export const REACHED_THROUGH: Readonly<Partial<Record<SdkClass, { getter: string; has: string }>>> = {
  Interactions: { getter: 'interactions', has: 'getClient' },
  Agents: { getter: 'agents', has: 'getClient' },
  Triggers: { getter: 'triggers', has: 'getClient' },
  Decisions: { getter: 'decisions', has: 'getClient' },
};

/** What a surface reads when the app calls it: the instance's telemetry and the settings of the moment. */
export interface Instrumented {
  readonly telemetry: Telemetry;
  readonly settings: Settings;
}

export type AnyFunction = (...args: unknown[]) => unknown;

export interface Surface {
  /** The exported class whose prototype has the method. */
  readonly owner: SdkClass;
  /** The method on that prototype (for `hook: 'field'`, the instance field the constructor assigns). */
  readonly method: string;
  /** `gen_ai.operation.name` of its spans (README, Semantic Conventions). */
  readonly operation: string;
  /** Traced only when the app asks for it (an option). */
  readonly optIn?: OptIn;
  /**
   * How it is hooked. `method` (the default): the prototype's method is
   * wrapped. `field`: the SDK assigns the function in the constructor, so an
   * accessor on the prototype catches that assignment and stores it wrapped
   * on the instance (core/patcher.ts).
   */
  readonly hook?: 'method' | 'field';
  /**
   * One invocation: `self` is the SDK object, `args` the app's arguments.
   * Returns the traced call, or undefined to let the SDK run alone (nothing
   * to trace here, such as a generateContent without automatic function
   * calling for the loop surface).
   */
  start(at: Instrumented, self: unknown, args: unknown[]): TracedCall | undefined;
}
