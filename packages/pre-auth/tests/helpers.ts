import {
  type AuditEvent,
  createAuditor,
  createMemorySink,
  type MemorySink,
} from '@authwatch/audit';
import { createLambdaContext, getTestEvent } from '@authwatch/testing';
import { createPreAuthHandler } from '../src/app.js';
import { loadConfig, PRE_AUTH_ENV, type PreAuthConfig } from '../src/config.js';
import type { GroupDirectory } from '../src/groups.js';

export type RawPreAuthEvent = {
  userPoolId: string;
  userName: string;
  callerContext: { clientId: string; awsSdkVersion?: string };
  request: {
    userAttributes: Record<string, string>;
    validationData?: Record<string, string> | null;
    userNotFound?: boolean;
  };
  response: Record<string, unknown>;
};

export const HASH_KEY = 'test-hash-key-0123456789';
/** 2026-11-18T11:06:40Z: the locked fixture's lock (1795000600) ends 10 minutes later. */
export const NOW = 1_795_000_000_000;
export const WEB_CLIENT = '1example23456789abcdefghij';
export const ADMIN_CLIENT = '9admin0123456789abcdefghij';

export function rawEvent(
  name: string,
  change: (event: RawPreAuthEvent) => void = () => undefined,
): RawPreAuthEvent {
  const event = getTestEvent<RawPreAuthEvent>(`pre-auth/${name}`);
  change(event);
  return event;
}

export function config(env: Record<string, string> = {}): PreAuthConfig {
  return loadConfig({ [PRE_AUTH_ENV.userHashKey]: HASH_KEY, ...env });
}

/** A group directory that answers from a map and records every call. */
export function stubGroups(
  members: Record<string, string[]>,
  fail = false,
): GroupDirectory & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async groupsOf(_pool, userName) {
      calls.push(userName);
      if (fail) throw Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' });
      return members[userName] ?? [];
    },
  };
}

export interface Harness {
  handler: ReturnType<typeof createPreAuthHandler>;
  sink: MemorySink;
  warnings: string[];
  events(): AuditEvent[];
}

export function harness(env: Record<string, string> = {}, groups = stubGroups({})): Harness {
  const sink = createMemorySink();
  const warnings: string[] = [];
  const handler = createPreAuthHandler({
    config: config(env),
    auditor: createAuditor({ sinks: [sink], metrics: { addMetric: () => 0 }, now: () => NOW }),
    groups,
    logger: { warn: (message) => warnings.push(message) },
    now: () => NOW,
  });
  return { handler, sink, warnings, events: () => sink.events };
}

export function context() {
  return createLambdaContext({ timeoutMs: 5_000, now: () => NOW });
}
