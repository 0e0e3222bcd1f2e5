import {
  type AuditEvent,
  createAuditor,
  createMemoryFallback,
  createMemorySink,
} from '@authwatch/audit';
import type {
  CreateAuthChallengeEvent,
  DefineAuthChallengeEvent,
  VerifyAuthChallengeEvent,
} from '@authwatch/kit';
import { createLambdaContext, getTestEvent } from '@authwatch/testing';
import type { ChallengeConfig, MailConfig } from '../../src/config.js';
import { deriveKeys } from '../../src/keys.js';
import { DEFAULT_LOCALE, DEFAULT_TEMPLATES } from '../../src/templates.js';
import type { VerifyEvent } from '../../src/verify.js';

/** A fixed clock: 2026-11-15T00:00:00Z. */
export const NOW = 1_795_000_000_000;

export const KEY_MATERIAL = Buffer.alloc(32, 7);
export const KEYS = deriveKeys(KEY_MATERIAL);
export const OTHER_KEYS = deriveKeys(Buffer.alloc(32, 9));

export const PASSWORDLESS: ChallengeConfig = {
  mode: 'passwordless',
  maxAttempts: 3,
  codeLength: 6,
  codeTtlSeconds: 180,
};

export const PASSWORD_THEN_OTP: ChallengeConfig = { ...PASSWORDLESS, mode: 'password-then-otp' };

export const MAIL: MailConfig = {
  from: 'Sign-in <no-reply@example.com>',
  templates: DEFAULT_TEMPLATES,
  defaultLocale: DEFAULT_LOCALE,
  sesTimeoutMs: 1_500,
};

export const defineEvent = (name: string) =>
  getTestEvent<DefineAuthChallengeEvent>(`custom-challenge/${name}`);
export const createEvent = (name = 'create') =>
  getTestEvent<CreateAuthChallengeEvent>(`custom-challenge/${name}`);
export const verifyEvent = (name = 'verify') =>
  getTestEvent<VerifyEvent>(`custom-challenge/${name}`);
export type { VerifyAuthChallengeEvent };

/** An auditor over an in-memory sink, and the kinds of what it received. */
export function memoryAuditor(now: () => number = () => NOW) {
  const sink = createMemorySink();
  const fallback = createMemoryFallback();
  const auditor = createAuditor({ sinks: [sink], fallback, metrics: { addMetric: () => 0 }, now });
  return {
    auditor,
    sink,
    fallback,
    kinds: () => sink.events.map((event: AuditEvent) => event.metadata.log_name),
  };
}

/** A Lambda context on a clock the test controls. */
export function lambdaContext(now: () => number) {
  return createLambdaContext({ now });
}

/** A code generator that always returns `code`. */
export const fixedCode = (code: string) => () => code;
