/*
 * How we hook into @google/genai: every surface of surfaces/index.ts, on
 * every loaded copy of the SDK. The CJS and ESM bundles are separate copies
 * with their own classes; each is patched when it loads (require-in-the-middle
 * / import-in-the-middle), as is every other copy in node_modules, and all of
 * them are restored together.
 *
 * A surface hooks a prototype method (`hook: 'method'`, wrapped in place, so
 * clients made before `enable()` are covered), or an instance field the SDK
 * assigns in a constructor (`hook: 'field'`: most public `Models` methods are
 * arrow functions assigned in the constructor, so patching the prototype does
 * nothing). For a field we put an accessor on the prototype: the
 * constructor's `this.generateContent = ...` goes through its setter, which
 * stores the function wrapped as a plain data property of the instance (same
 * name, enumerable, writable, one identity for the life of the client). A
 * client created before `enable()` keeps the SDK's own function.
 *
 * Each invocation runs through the one lifecycle (core/traced-call.ts).
 */
import { diag } from '@opentelemetry/api';
import { InstrumentationNodeModuleDefinition, isWrapped } from '@opentelemetry/instrumentation';
import type { GenAIModuleLike } from '../internal-types.js';
import { SURFACES } from '../surfaces/index.js';
import {
  REACHED_THROUGH,
  type Reached,
  type AnyFunction,
  type Instrumented,
  type SdkClass,
  type Surface,
} from '../surfaces/surface.js';
import { follow, startCall } from './traced-call.js';

export const MODULE_NAME = '@google/genai';
/** Keep identical to README "Supported Versions" and the versions the tests install. */
export const SUPPORTED_VERSIONS = ['>=1.0.0 <4'];

const LOG_PREFIX = 'opentelemetry-instrumentation-google-genai:';
const FIELD_ACCESSOR = Symbol.for('opentelemetry-instrumentation-google-genai/loop-accessor');
const FIELD_WRAPPED = Symbol.for('opentelemetry-instrumentation-google-genai/loop-wrapped');
const GETTER_WRAPPED = Symbol.for('opentelemetry-instrumentation-google-genai/getter-wrapped');

/** What the patching needs from the instrumentation instance. */
export interface PatchTarget extends Instrumented {
  readonly enabled: boolean;
  wrap(target: object, name: string, wrapper: (original: AnyFunction) => AnyFunction): void;
  unwrap(target: object, name: string): void;
}

type Prototype = Record<string, unknown>;
const OWNERS = [...new Set(SURFACES.map((s) => s.owner))];
const HOSTS = [...new Set(Object.values(REACHED_THROUGH).map((r) => r.from))];

/** Patches every copy of the SDK it is given, and restores them all. */
export class Patcher {
  /** Each loaded copy's prototypes, by exported class. The base class remembers only the last copy it saw. */
  private readonly copies = new Map<Prototype, SdkClass>();
  /** Each copy's `GoogleGenAI` and `Live` prototypes: their members reach the classes the SDK does not export. */
  private readonly hosts = new Map<Prototype, Reached['from']>();
  /** The getters we replaced, to put back. */
  private readonly getters = new Map<Prototype, Map<string, PropertyDescriptor>>();

  constructor(private readonly target: PatchTarget) {}

  /** The module definition for InstrumentationBase: `patch` for each copy that loads, `unpatch` for all. */
  definition(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      MODULE_NAME,
      SUPPORTED_VERSIONS,
      (moduleExports: GenAIModuleLike | undefined, moduleVersion?: string) => {
        this.patch(moduleExports, moduleVersion);
        return moduleExports;
      },
      () => this.unpatchAll()
    );
  }

  /** Adds a copy's classes (none: re-patch the copies we know, as enable() after instrument() does) and patches all. */
  patch(moduleExports: unknown, moduleVersion?: string): void {
    if (moduleExports !== undefined) {
      for (const owner of OWNERS) {
        if (REACHED_THROUGH[owner]) continue;
        const proto = ownerPrototype(moduleExports, owner);
        if (proto) this.copies.set(proto, owner);
      }
      for (const from of HOSTS) {
        const host = ownerPrototype(moduleExports, from);
        if (host) this.hosts.set(host, from);
      }
      const models = ownerPrototype(moduleExports, 'Models');
      if (!models || typeof models.generateContentInternal !== 'function') {
        diag.warn(
          `${LOG_PREFIX} @google/genai ${moduleVersion ?? ''} has no ` +
            'Models.prototype.generateContentInternal; generateContent is not traced'
        );
      }
    }
    for (const [proto, owner] of this.copies) {
      for (const surface of SURFACES) if (surface.owner === owner) this.install(proto, surface);
    }
    for (const [host, from] of this.hosts) {
      for (const owner of OWNERS) {
        const reached = REACHED_THROUGH[owner];
        if (reached?.from === from) this.installReach(host, reached.member, owner);
      }
    }
  }

  unpatchAll(): void {
    for (const [proto, owner] of this.copies) {
      for (const surface of SURFACES) if (surface.owner === owner) this.uninstall(proto, surface);
    }
    for (const [host, replaced] of this.getters) {
      for (const [name, descriptor] of replaced) {
        if (descriptor.get) Object.defineProperty(host, name, descriptor);
        else delete host[name];
      }
    }
    this.getters.clear();
  }

  /**
   * Catches the instances of a class the SDK does not export as `host`'s
   * member `name` makes them: a getter (`ai.interactions`) is wrapped, a field
   * the constructor assigns (`ai.fileSearchStores`) gets an accessor whose
   * setter stores the value as a plain data property of the instance. The
   * first instance has its prototype patched (once per prototype); the app
   * gets the very object the SDK made.
   */
  private installReach(host: Prototype, name: string, owner: SdkClass): void {
    const descriptor = Object.getOwnPropertyDescriptor(host, name);
    const mark = (fn: object) => Object.defineProperty(fn, GETTER_WRAPPED, { value: true });
    const ours = (fn: unknown) => !!(fn as { [GETTER_WRAPPED]?: true } | undefined)?.[GETTER_WRAPPED];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const patcher = this;
    let replacement: PropertyDescriptor;
    if (descriptor?.get) {
      if (ours(descriptor.get)) return;
      const original = descriptor.get;
      const get = function (this: unknown): unknown {
        const value: unknown = original.call(this);
        if (patcher.target.enabled) patcher.reached(value, owner);
        return value;
      };
      mark(get);
      replacement = { ...descriptor, get };
    } else if (!descriptor) {
      const set = function (this: object, value: unknown): void {
        Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
        if (patcher.target.enabled) patcher.reached(value, owner);
      };
      mark(set);
      replacement = { get: () => undefined, set, configurable: true, enumerable: false };
    } else return;
    Object.defineProperty(host, name, replacement);
    let replaced = this.getters.get(host);
    if (!replaced) this.getters.set(host, (replaced = new Map()));
    replaced.set(name, descriptor ?? {});
  }

  /** An SDK object of a class we had not seen (a Live session of a bundled copy): its prototype is patched. */
  adopt(value: unknown, owner: SdkClass): void {
    if (this.target.enabled) this.reached(value, owner);
  }

  /** An instance of a class reached through a member: its prototype is patched like an exported one's. */
  private reached(value: unknown, owner: SdkClass): void {
    try {
      const proto = value && typeof value === 'object' ? (Object.getPrototypeOf(value) as Prototype) : undefined;
      if (!proto || this.copies.has(proto)) return;
      const has = REACHED_THROUGH[owner]?.has;
      if (has && !Object.prototype.hasOwnProperty.call(proto, has)) return;
      this.copies.set(proto, owner);
      for (const surface of SURFACES) if (surface.owner === owner) this.install(proto, surface);
    } catch (err) {
      diag.warn(`${LOG_PREFIX} could not patch ${owner}`, err);
    }
  }

  /**
   * A client made before we could patch (a bundled app): its own objects'
   * prototypes are patched, and its field surfaces (the loops of `models`)
   * are wrapped on the instances, once. Returns whether it looked like a client.
   */
  instrumentClient(client: Record<string, unknown>): boolean {
    const models = client.models as Record<string, unknown> | undefined;
    const proto = models && typeof models === 'object' ? Object.getPrototypeOf(models) : undefined;
    if (!proto || typeof proto.generateContentInternal !== 'function') return false;
    const protoOf = (o: unknown) => (o && typeof o === 'object' ? { prototype: Object.getPrototypeOf(o) } : undefined);
    this.patch({
      Models: { prototype: proto },
      Caches: protoOf(client.caches),
      Operations: protoOf(client.operations),
      Live: protoOf(client.live),
      GoogleGenAI: protoOf(client),
      Batches: protoOf(client.batches),
    });
    // What the client already holds (a getter's cached value, a field): its members will not be set again.
    for (const owner of OWNERS) {
      const reached = REACHED_THROUGH[owner];
      if (!reached) continue;
      const host = (reached.from === 'Live' ? client.live : client) as Record<string, unknown> | undefined;
      if (!host || typeof host !== 'object') continue;
      const own = Object.getOwnPropertyDescriptor(host, reached.member);
      const made = own && 'value' in own ? own.value : host[`_${reached.member}`];
      if (made !== undefined) this.reached(made, owner);
    }
    for (const surface of SURFACES) {
      if (surface.hook !== 'field' || surface.owner !== 'Models') continue;
      const fn = models![surface.method] as (AnyFunction & { [FIELD_WRAPPED]?: boolean }) | undefined;
      if (typeof fn !== 'function' || fn[FIELD_WRAPPED]) continue;
      models![surface.method] = this.fieldFunction(surface, fn);
    }
    return true;
  }

  private install(proto: Prototype, surface: Surface): void {
    if (surface.hook === 'field') {
      this.installAccessor(proto, surface);
      return;
    }
    // enable() after enable(), or two loads of the same file: never wrap twice.
    if (typeof proto[surface.method] === 'function' && !isWrapped(proto[surface.method])) {
      this.target.wrap(proto, surface.method, (original) => this.traced(surface, original));
    }
  }

  private uninstall(proto: Prototype, surface: Surface): void {
    if (surface.hook === 'field') {
      const descriptor = Object.getOwnPropertyDescriptor(proto, surface.method);
      if (descriptor?.set && (descriptor.set as { [FIELD_ACCESSOR]?: boolean })[FIELD_ACCESSOR]) {
        delete proto[surface.method];
      }
      return;
    }
    if (isWrapped(proto[surface.method])) this.target.unwrap(proto, surface.method);
  }

  /** The SDK's function, traced: passed straight through when disabled or not opted in. */
  private traced(surface: Surface, original: AnyFunction): AnyFunction {
    const at = this.target;
    return function (this: unknown, ...args: unknown[]): unknown {
      // Another tracer that wrapped over us keeps our wrapper after disable(): pass through.
      if (!at.enabled || (surface.optIn && !at.settings.optIns[surface.optIn])) return original.apply(this, args);
      // Started here, not through runTraced: no closure per call, whether the
      // surface leaves the call alone (a generateContent that runs no loop) or traces it.
      const call = startCall(surface.start, at, this, args, surface.operation);
      if (!call) return original.apply(this, args);
      return follow(call, original, this, args, surface.operation);
    };
  }

  private fieldFunction(surface: Surface, fn: AnyFunction): AnyFunction {
    const wrapped = this.traced(surface, fn);
    Object.defineProperty(wrapped, FIELD_WRAPPED, { value: true });
    return wrapped;
  }

  /**
   * The accessor that catches the constructor's `this.generateContent = fn`
   * and stores `fn` wrapped, as an ordinary own property of the instance.
   * Only where the prototype has no such member of its own (as in every
   * version so far).
   */
  private installAccessor(proto: Prototype, surface: Surface): void {
    const name = surface.method;
    if (Object.prototype.hasOwnProperty.call(proto, name)) return;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const patcher = this;
    const set = function (this: object, fn: unknown): void {
      Object.defineProperty(this, name, {
        value: typeof fn === 'function' ? patcher.fieldFunction(surface, fn as AnyFunction) : fn,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    };
    Object.defineProperty(set, FIELD_ACCESSOR, { value: true });
    Object.defineProperty(proto, name, { get: () => undefined, set, configurable: true, enumerable: false });
  }
}

/** The prototype of one exported class of a loaded copy (an ESM namespace of a CJS build may carry it under `default`). */
function ownerPrototype(moduleExports: unknown, owner: SdkClass | Reached['from']): Prototype | undefined {
  type Exports = Record<string, { prototype?: Prototype } | undefined> & { default?: unknown };
  const exports = moduleExports as Exports | undefined;
  if (!exports || (typeof exports !== 'object' && typeof exports !== 'function')) return undefined;
  const cls = exports[owner] ?? (exports.default as Exports | undefined)?.[owner];
  return cls?.prototype && typeof cls.prototype === 'object' ? cls.prototype : undefined;
}
