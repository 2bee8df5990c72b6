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
  | 'Models'
  | 'Caches'
  | 'Operations'
  | 'Live'
  | 'Session'
  | 'Batches'
  | 'Interactions'
  | 'Agents'
  | 'Triggers'
  | 'Decisions'
  | 'FileSearchStores'
  | 'Tunings'
  | 'LiveMusic';

/**
 * Classes the SDK does not export, by the exported class whose instances
 * hold one (`from`), the member that holds it (a getter that makes it, or a
 * field its constructor assigns), and a method of their own that tells the
 * class we know: the prototype is patched when the first instance appears.
 * The bridges to the generated client (2.x and 3.x) have `getClient`; 1.x's
 * `interactions` getter returns an earlier, experimental client of another
 * shape, left alone.
 */
export interface Reached {
  readonly from: 'GoogleGenAI' | 'Live';
  readonly member: string;
  readonly has: string;
}

export const REACHED_THROUGH: Readonly<Partial<Record<SdkClass, Reached>>> = {
  Interactions: { from: 'GoogleGenAI', member: 'interactions', has: 'getClient' },
  Agents: { from: 'GoogleGenAI', member: 'agents', has: 'getClient' },
  Triggers: { from: 'GoogleGenAI', member: 'triggers', has: 'getClient' },
  Decisions: { from: 'GoogleGenAI', member: 'decisions', has: 'getClient' },
  FileSearchStores: { from: 'GoogleGenAI', member: 'fileSearchStores', has: 'uploadToFileSearchStoreInternal' },
  Tunings: { from: 'GoogleGenAI', member: 'tunings', has: 'tuneInternal' },
  LiveMusic: { from: 'Live', member: 'music', has: 'connect' },
};

/** What a surface reads when the app calls it: the instance's telemetry and the settings of the moment. */
export interface Instrumented {
  readonly telemetry: Telemetry;
  readonly settings: Settings;
  /** Patches the class of an SDK object that appears only at run time (a bundled copy's Live session). */
  adopt?(value: unknown, owner: SdkClass): void;
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
