/**
 * One pre authentication invocation as a pure plan: the attempt's audit event and,
 * when a policy refuses the attempt, why. Cognito calls this trigger before it checks
 * the password (and not on a token refresh), so every attempt, known user or not, has
 * exactly one event here: `sign-in-attempt`, or `sign-in-refused` when a policy says no.
 *
 * An unknown user (Cognito's `userNotFound`, PreventUserExistenceErrors on) is recorded
 * without the entered name: only its keyed hash, so an attacker's guesses are not PII
 * to keep, yet the same guess counts as the same value. Known users are recorded by
 * name like every other event, and carry the hash too, so one query counts attempts per
 * entered name whether it exists or not.
 *
 * Everything here does the same work for a known and an unknown name (the hash, the
 * lock check, the group lookup in the handler): the time taken says nothing about
 * whether the name exists.
 */

import { createHmac } from 'node:crypto';
import {
  type AuditContext,
  type AuditEvent,
  auditContextFromEvent,
  signInAttempt,
  signInRefused,
} from '@authwatch/audit';
import type { PreAuthenticationEvent } from '@authwatch/kit';
import { type ClientRule, LOCK_ATTRIBUTE, type PreAuthConfig } from './config.js';

/**
 * What a refused user reads (Cognito shows "PreAuthentication failed with error
 * <this>."): the same words for a lock and a client restriction, naming neither, so
 * the answer does not tell an attacker which policy applied or what the account is.
 */
export const REFUSAL_MESSAGE = 'sign-in is not possible right now, please try again later';

/** The groups of the user, or `unavailable` when the lookup failed. */
export type Groups = readonly string[] | 'unavailable';

/**
 * The keyed hash that stands for an entered user name: HMAC-SHA-256 over the name
 * trimmed, NFKC-normalised and lower-cased (Cognito's names are case-insensitive by
 * default), hex, first 32 characters (128 bits).
 */
export function hashUserName(key: string, name: string): string {
  const normalised = name.normalize('NFKC').trim().toLowerCase();
  return createHmac('sha256', key).update(normalised).digest('hex').slice(0, 32);
}

/** The lock's end in epoch seconds, or undefined when unset or not a whole number. */
export function lockedUntil(attributes: Record<string, string>): number | undefined {
  const raw = attributes[LOCK_ATTRIBUTE]?.trim();
  if (raw === undefined || !/^\d{1,12}$/.test(raw)) return undefined;
  return Number(raw);
}

/** Why a policy refuses this attempt, or undefined when none does. */
export function refusalOf(input: {
  config: PreAuthConfig;
  attributes: Record<string, string>;
  clientId: string;
  groups: Groups;
  now: number;
}): string | undefined {
  const { config } = input;
  if (config.lock) {
    const until = lockedUntil(input.attributes);
    if (until !== undefined && until * 1_000 > input.now) {
      return `locked until ${new Date(until * 1_000).toISOString()}`;
    }
  }
  if (config.clientRules.length > 0) {
    // Fail closed: a restriction that cannot be checked refuses.
    if (input.groups === 'unavailable') return 'group lookup failed';
    const groups = input.groups;
    const broken = config.clientRules.find(
      (rule: ClientRule) =>
        rule.groups.some((group) => groups.includes(group)) &&
        !rule.clients.includes(input.clientId),
    );
    if (broken) {
      const group = broken.groups.find((name) => groups.includes(name));
      return `members of ${group} may not sign in through client ${input.clientId}`;
    }
  }
  return undefined;
}

export interface PreAuthPlan {
  audit: AuditEvent;
  /** Set when a policy refuses the attempt (the reason, for the audit record only). */
  refusal?: string;
}

/** The audit context: the client metadata is `validationData` in this trigger. */
function contextOf(
  event: PreAuthenticationEvent,
  now: number,
  includeEmail: boolean,
): AuditContext {
  const ctx = auditContextFromEvent(
    {
      ...event,
      request: {
        userAttributes: event.request.userAttributes,
        clientMetadata: { ...event.request.validationData, ...event.request.clientMetadata },
      },
    },
    now,
    { includeEmail },
  );
  if (event.request.userNotFound) {
    // The entered name of an unknown user is never recorded in clear.
    delete ctx.userName;
    delete ctx.userSub;
    delete ctx.email;
  }
  return ctx;
}

/** Plans one pre authentication: its event and the refusal, if any. */
export function planPreAuth(
  event: PreAuthenticationEvent,
  config: PreAuthConfig,
  now: number,
  groups: Groups,
  options: { includeEmail?: boolean } = {},
): PreAuthPlan {
  const userNotFound = event.request.userNotFound;
  const facts = { userNotFound, userNameHash: hashUserName(config.userHashKey, event.userName) };
  const ctx = contextOf(event, now, options.includeEmail ?? false);
  const refusal = refusalOf({
    config,
    attributes: event.request.userAttributes,
    clientId: event.callerContext.clientId,
    groups,
    now,
  });
  if (refusal === undefined) return { audit: signInAttempt(ctx, facts) };
  return { audit: signInRefused(ctx, { ...facts, reason: refusal }), refusal };
}
