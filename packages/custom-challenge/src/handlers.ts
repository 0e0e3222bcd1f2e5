/**
 * The three triggers as factories over their dependencies (config, keys, auditor, SES),
 * so tests build them with an in-memory audit sink and a mocked SES client, and the
 * entry files only wire the production singletons.
 */

import { randomInt } from 'node:crypto';
import type { Auditor } from '@authwatch/audit';
import {
  CreateAuthChallengeEventSchema,
  DefineAuthChallengeEventSchema,
  defineTrigger,
  type LambdaHandler,
  logger,
  metrics,
  UserFacingError,
  VerifyAuthChallengeEventSchema,
} from '@authwatch/kit';
import { sendMail } from '@authwatch/kit/mail';
import type { SESClient } from '@aws-sdk/client-ses';
import * as z from 'zod/mini';
import type { ChallengeConfig, MailConfig } from './config.js';
import { createAuthChallenge } from './create.js';
import { defineAuthChallenge } from './define.js';
import type { CodeKeys } from './keys.js';
import { verifyAuthChallenge } from './verify.js';

/** Trigger names as Cognito prints them ("<name> failed with error ..."). */
export const TRIGGER_NAMES = {
  define: 'DefineAuthChallenge',
  create: 'CreateAuthChallenge',
  verify: 'VerifyAuthChallengeResponse',
} as const;

/** Metric names the triggers publish. */
export const CHALLENGE_METRICS = {
  mailFailed: 'ChallengeMailFailed',
  lockedOut: 'ChallengeLockedOut',
  tamperedSession: 'ChallengeSessionRefused',
} as const;

/**
 * Verify's schema: kit's, except that the answer may be any type. Cognito only ever
 * sends a string, but a non-string must make the answer wrong, not the trigger fail.
 * Built only in a bundle that uses it (`@__PURE__`: see the kit's schemas/cognito.ts).
 */
export const VerifyEventSchema = /* @__PURE__ */ (() =>
  z.extend(VerifyAuthChallengeEventSchema, {
    request: z.extend(VerifyAuthChallengeEventSchema.shape.request, {
      challengeAnswer: z.unknown(),
      privateChallengeParameters: z.pipe(
        z.nullish(z.record(z.string(), z.string())),
        z.transform((value: Record<string, string> | null | undefined) => value ?? {}),
      ),
    }),
  }))();

const TAMPERED = new Set([
  'unexpected-challenge',
  'unmarked-challenge',
  'entry-after-success',
  'too-many-entries',
  'user-not-found-passed',
]);

export interface DefineHandlerDeps {
  config: ChallengeConfig;
  auditor: Auditor;
  now?: () => number;
}

export function createDefineHandler(
  deps: DefineHandlerDeps,
): LambdaHandler<Record<string, unknown>> {
  return defineTrigger({
    name: TRIGGER_NAMES.define,
    schema: DefineAuthChallengeEventSchema,
    ...(deps.now ? { now: deps.now } : {}),
    handle: async (event, ctx) => {
      const outcome = defineAuthChallenge(event, deps.config, {
        now: ctx.now(),
        includeEmail: deps.auditor.includeEmail,
      });
      const facts = {
        reason: outcome.reason,
        failures: outcome.failures,
        sessionLength: event.request.session.length,
        mode: deps.config.mode,
      };
      if (TAMPERED.has(outcome.reason)) {
        logger.warn('sign-in refused: unexpected session history', facts);
        metrics.addMetric(CHALLENGE_METRICS.tamperedSession, 'Count', 1);
      } else {
        logger.info('next sign-in step decided', facts);
      }
      if (outcome.reason === 'locked-out')
        metrics.addMetric(CHALLENGE_METRICS.lockedOut, 'Count', 1);
      if (outcome.audit.length > 0)
        ctx.afterResponse(() => deps.auditor.emit(outcome.audit, { deadline: ctx.deadline }));
      return outcome.response;
    },
  });
}

/**
 * How long SES sends take here, so that an unknown user's stand-in for a send takes as
 * long, in distribution and not only on average: each stand-in waits a duration drawn at
 * random from the last `size` real sends of this container (a reservoir of recent
 * samples). Until the container has sent its first mail it waits `coldMs`, about an SES
 * SendEmail from Lambda in the same region on a fresh connection.
 *
 * A timer fires late by however busy the event loop is, and a real send's recorded time
 * already includes that lateness once; so the stand-in asks for the drawn duration less
 * the lateness its own recent sleeps showed (a running mean), not for the drawn duration
 * plus a second lateness.
 */
export interface SendTimer {
  /** A duration to wait instead of a send, ms. */
  sample(): number;
  /** Records how long a real send took, ms. */
  record(ms: number): void;
  /** Waits about `ms` in total with `sleep`, measured by `now`, and learns its lateness. */
  standIn(ms: number, sleep: (ms: number) => Promise<void>, now: () => number): Promise<void>;
}

export interface SendTimerOptions {
  /** Wait before any real send has been seen, ms (default 80). */
  coldMs?: number;
  /** How many recent sends are kept (default 64). */
  size?: number;
  /** Uniform integer in [0, max); the CSPRNG's `randomInt` by default. */
  randomIndex?: (max: number) => number;
}

/** Longest send duration kept: a send that hung until the deadline is not typical. */
const MAX_SEND_SAMPLE_MS = 2_000;

export function createSendTimer(options: SendTimerOptions | number = {}): SendTimer {
  const {
    coldMs = 80,
    size = 64,
    randomIndex = randomInt,
  } = typeof options === 'number' ? { coldMs: options } : options;
  const samples: number[] = [];
  let next = 0;
  let lateness = 0;
  return {
    sample: () =>
      samples.length === 0 ? coldMs : (samples[randomIndex(samples.length)] as number),
    record(ms) {
      if (!Number.isFinite(ms) || ms < 0) return;
      samples[next] = Math.min(ms, MAX_SEND_SAMPLE_MS);
      next = (next + 1) % size;
    },
    async standIn(ms, sleep, now) {
      const asked = Math.max(0, ms - lateness);
      const started = now();
      await sleep(asked);
      const late = now() - started - asked;
      if (Number.isFinite(late)) lateness = Math.min(ms, Math.max(0, lateness * 0.8 + late * 0.2));
    },
  };
}

export interface CreateHandlerDeps {
  config: ChallengeConfig;
  mail: MailConfig;
  keys: () => Promise<CodeKeys>;
  auditor: Auditor;
  ses: SESClient;
  /** Code generator; the CSPRNG unless a test gives another. */
  randomCode?: (length: number) => string;
  /** How long SES sends take (module scope in production). */
  sendTimer?: SendTimer;
  /** Waits `ms` (an unknown user's stand-in for the send); `setTimeout` by default. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

export function createCreateHandler(
  deps: CreateHandlerDeps,
): LambdaHandler<Record<string, unknown>> {
  const timer = deps.sendTimer ?? createSendTimer();
  const sleep = deps.sleep ?? defaultSleep;
  return defineTrigger({
    name: TRIGGER_NAMES.create,
    schema: CreateAuthChallengeEventSchema,
    ...(deps.now ? { now: deps.now } : {}),
    handle: async (event, ctx) => {
      const keys = await deps.keys();
      const outcome = createAuthChallenge(event, deps.config, deps.mail, {
        keys,
        now: ctx.now(),
        includeEmail: deps.auditor.includeEmail,
        ...(deps.randomCode ? { randomCode: deps.randomCode } : {}),
      });
      const facts = { kind: outcome.kind, attempt: outcome.attempt, mode: deps.config.mode };
      if (outcome.mail) {
        const started = ctx.now();
        try {
          const messageId = await sendMail(
            deps.ses,
            {
              from: deps.mail.from,
              to: outcome.mail.to,
              ...outcome.mail.content,
              ...(deps.mail.configurationSet
                ? { configurationSet: deps.mail.configurationSet }
                : {}),
            },
            ctx.deadline,
          );
          timer.record(ctx.now() - started);
          logger.info('sign-in code sent', { ...facts, locale: outcome.mail.locale, messageId });
        } catch (error) {
          // No code reached the user, so a challenge would be a dead end: say so plainly
          // and let the client start again (the mail error itself is logged in full).
          metrics.addMetric(CHALLENGE_METRICS.mailFailed, 'Count', 1);
          logger.error('sign-in code could not be sent', {
            ...facts,
            error: (error as Error)?.name ?? 'Error',
            reason: (error as Error)?.message,
          });
          throw new UserFacingError('the sign-in code could not be sent, please try again', {
            cause: error,
          });
        }
      } else if (outcome.kind === 'user-not-found' && outcome.mirrors !== 'reused') {
        // No mail for a user who does not exist, but wait where a real user's path sends
        // one (a first or renewed code), as long as a real send takes here.
        const wait = Math.max(0, Math.min(timer.sample(), ctx.deadline - ctx.now() - 50));
        await timer.standIn(wait, sleep, () => ctx.now());
        logger.info('challenge issued without a mail', facts);
      } else if (outcome.kind === 'user-not-found') {
        logger.info('challenge issued without a mail', facts);
      } else {
        logger.info('challenge re-issued with the same code, no mail', facts);
      }
      if (outcome.audit.length > 0)
        ctx.afterResponse(() => deps.auditor.emit(outcome.audit, { deadline: ctx.deadline }));
      return outcome.response;
    },
  });
}

export interface VerifyHandlerDeps {
  config: ChallengeConfig;
  keys: () => Promise<CodeKeys>;
  auditor: Auditor;
  now?: () => number;
}

export function createVerifyHandler(
  deps: VerifyHandlerDeps,
): LambdaHandler<Record<string, unknown>> {
  return defineTrigger({
    name: TRIGGER_NAMES.verify,
    schema: VerifyEventSchema,
    ...(deps.now ? { now: deps.now } : {}),
    handle: async (event, ctx) => {
      const keys = await deps.keys();
      const outcome = verifyAuthChallenge(event, deps.config, {
        keys,
        now: ctx.now(),
        includeEmail: deps.auditor.includeEmail,
      });
      logger.info('challenge answer checked', {
        reason: outcome.reason,
        attempt: outcome.attempt,
        maxAttempts: deps.config.maxAttempts,
        mode: deps.config.mode,
      });
      ctx.afterResponse(() => deps.auditor.emit(outcome.audit, { deadline: ctx.deadline }));
      return outcome.response;
    },
  });
}
