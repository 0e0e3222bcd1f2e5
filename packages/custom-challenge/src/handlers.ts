/**
 * The three triggers as factories over their dependencies (config, keys, auditor, SES),
 * so tests build them with an in-memory audit sink and a mocked SES client, and the
 * entry files only wire the production singletons.
 */
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

/** Tracks how long SES sends take, so an unknown user's answer takes as long. */
export interface SendTimer {
  /** Typical send duration so far, ms. */
  typical(): number;
  record(ms: number): void;
}

/** An exponentially weighted mean of send durations, starting at `initialMs`. */
export function createSendTimer(initialMs = 80): SendTimer {
  let mean = initialMs;
  return {
    typical: () => mean,
    record(ms) {
      if (Number.isFinite(ms) && ms >= 0) mean = mean * 0.8 + Math.min(ms, 2_000) * 0.2;
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
      } else if (outcome.kind === 'user-not-found') {
        // No mail for a user who does not exist, but take about as long as a send would.
        await sleep(Math.max(0, Math.min(timer.typical(), ctx.deadline - ctx.now() - 50)));
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
