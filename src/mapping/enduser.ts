/*
 * Who the call is for: `enduser.id` from the app's callback or from baggage,
 * hashed by default (HMAC-SHA-256 with a salt, hex, first 16 characters) so
 * dashboards can group cost and traffic by user without holding raw ids; the
 * same id and salt give the same value in every process. `enduser.role` and
 * a plan/tier come from baggage as they are, so samplers can keep, say, QA
 * traffic.
 */
import { createHmac } from 'node:crypto';
import { diag, propagation, type Attributes, type Context } from '@opentelemetry/api';
import * as sc from '../semconv.js';

export const ENDUSER_SALT_ENV = 'OTEL_INSTRUMENTATION_GENAI_ENDUSER_ID_SALT';
export const DEFAULT_ENDUSER_SALT = 'opentelemetry-instrumentation-google-genai';
export const HASHED_ID_LENGTH = 16;

export interface EndUserOptions {
  /** The raw end-user id of the current call, from the app; else the baggage entry is used. */
  endUserId?: () => string | undefined;
  /** Baggage keys read for the id, the role and the plan. */
  endUserBaggageKeys?: { id?: string; role?: string; plan?: string };
  /** The HMAC salt; else OTEL_INSTRUMENTATION_GENAI_ENDUSER_ID_SALT, else a fixed default. */
  endUserIdSalt?: string;
  /** Record the raw id instead of its hash. */
  recordRawEndUserId?: boolean;
}

/** The end-user options, resolved (core/settings.ts). */
export interface EndUserSettings {
  readonly id: (() => string | undefined) | undefined;
  readonly baggageKeys: { id?: string; role?: string; plan?: string };
  readonly salt: string;
  /** Record the raw id instead of its hash. */
  readonly raw: boolean;
}

/** Bounded memo of hashes (ids repeat): owned by the caller, so this module keeps no state. */
export type HashMemo = Map<string, string>;
const MAX_MEMO = 512;

/** HMAC-SHA-256 of the id with the salt, hex, first 16 characters. */
export function hashEndUserId(id: string, salt: string, memo?: HashMemo): string {
  const key = `${salt.length}:${salt}:${id}`;
  let hash = memo?.get(key);
  if (hash === undefined) {
    hash = createHmac('sha256', salt).update(id).digest('hex').slice(0, HASHED_ID_LENGTH);
    if (memo) {
      if (memo.size >= MAX_MEMO) memo.delete(memo.keys().next().value as string);
      memo.set(key, hash);
    }
  }
  return hash;
}

/** The end-user attributes of a call made in `ctx`; empty when nothing says who the user is. */
export function endUserAttributes(ctx: Context, settings: EndUserSettings, memo?: HashMemo): Attributes {
  const baggage = propagation.getBaggage(ctx);
  // Most calls name no user: they share one empty set (compare with NO_END_USER, nothing to allocate).
  if (!baggage && !settings.id) return NO_END_USER;
  const keys = settings.baggageKeys;
  const attrs: Attributes = {};
  let id: string | undefined;
  try {
    id = settings.id?.();
  } catch (err) {
    diag.warn('opentelemetry-instrumentation-google-genai: the endUserId callback threw', err);
  }
  id ??= baggage?.getEntry(keys.id ?? sc.ATTR_ENDUSER_ID)?.value;
  if (typeof id === 'string' && id) {
    attrs[sc.ATTR_ENDUSER_ID] = settings.raw ? id : hashEndUserId(id, settings.salt, memo);
  }
  if (baggage) {
    const role = baggage.getEntry(keys.role ?? sc.ATTR_ENDUSER_ROLE)?.value;
    if (role) attrs[sc.ATTR_ENDUSER_ROLE] = role;
    const plan = baggage.getEntry(keys.plan ?? 'enduser.plan')?.value;
    if (plan) attrs[sc.ATTR_GCP_GEN_AI_ENDUSER_PLAN] = plan;
  }
  return hasEndUser(attrs) ? attrs : NO_END_USER;
}

/** The end-user attributes of a call for no one in particular: shared, frozen. */
export const NO_END_USER: Attributes = Object.freeze({});

/** Whether these end-user attributes say anything. */
export function hasEndUser(attrs: Attributes): boolean {
  if (attrs === NO_END_USER) return false;
  for (const _ in attrs) return true;
  return false;
}
