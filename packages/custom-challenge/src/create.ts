/**
 * Create auth challenge: issues the email code of the current attempt.
 *
 * - First attempt (or the previous code expired): a fresh CSPRNG code, mailed.
 * - A retry after a wrong answer: the SAME code, recovered from the sealed copy in the
 *   previous entry's `challengeMetadata`; no new mail (a wrong guess must not spam the
 *   user, nor hand an attacker a fresh code per guess).
 * - `userNotFound`: the same response shape, a dummy code sealed the same way, no mail;
 *   the dummy is reused, renewed and expires exactly as a real code would (`mirrors`), so
 *   the handler can stand in for a send exactly where a real user's path sends one.
 *
 * The code appears only in the mail. `privateChallengeParameters` hold its keyed digest,
 * `challengeMetadata` its AES-GCM seal, `publicChallengeParameters` what a client shows.
 */
import { type AuditEvent, auditContextFromEvent, challengeIssued } from '@authwatch/audit';
import { type CreateAuthChallengeEvent, maskEmail, UserFacingError } from '@authwatch/kit';
import { type MailTemplate, renderMail } from '@authwatch/kit/mail';
import { randomCode as defaultRandomCode } from './code.js';
import type { ChallengeConfig, MailConfig } from './config.js';
import { type CodeKeys, codeDigest, openCode, sealCode } from './keys.js';
import { formatMetadata, isOurMetadata, parseMetadata, sealContext } from './metadata.js';
import { templateFor } from './templates.js';

/** Names of the private challenge parameters (verify reads them). */
export const PRIVATE_PARAMETERS = {
  digest: 'codeDigest',
  issuedAt: 'issuedAt',
  attempt: 'attempt',
} as const;

/** Names of the public challenge parameters (what a client may show). */
export const PUBLIC_PARAMETERS = {
  destination: 'destination',
  codeLength: 'codeLength',
  attempt: 'attempt',
  attemptsLeft: 'attemptsLeft',
  expiresInSeconds: 'expiresInSeconds',
} as const;

export interface CreateResponse {
  publicChallengeParameters: Record<string, string>;
  privateChallengeParameters: Record<string, string>;
  challengeMetadata: string;
}

/** A rendered mail to send; holds the code, so it is never logged. */
export interface PendingMail {
  to: string;
  locale: string;
  content: MailTemplate;
}

export type CreateKind = 'fresh' | 'reused' | 'renewed' | 'user-not-found';

export interface CreateOutcome {
  response: CreateResponse;
  /** The mail to send, only when a new code was issued to an existing user. */
  mail?: PendingMail;
  kind: CreateKind;
  /**
   * What a real user's challenge would have been at this point (for a real user, the
   * same as `kind`): an unknown user's handler waits like a send where this is `fresh`
   * or `renewed`, and not at all where it is `reused`.
   */
  mirrors: Exclude<CreateKind, 'user-not-found'>;
  /** The attempt this challenge is (1 for the first). */
  attempt: number;
  audit: AuditEvent[];
}

export interface CreateDeps {
  keys: CodeKeys;
  /** Epoch ms. */
  now: number;
  /** Code generator (tests inject a fixed one). */
  randomCode?: (length: number) => string;
  /** Keep the email in the audit context. */
  includeEmail?: boolean;
}

function previousCode(
  event: CreateAuthChallengeEvent,
  config: ChallengeConfig,
  keys: CodeKeys,
  now: number,
): { code: string; issuedAt: number } | 'expired' | undefined {
  const last = [...event.request.session]
    .reverse()
    .find(
      (entry) =>
        entry.challengeName === 'CUSTOM_CHALLENGE' && isOurMetadata(entry.challengeMetadata),
    );
  const parsed = parseMetadata(last?.challengeMetadata);
  if (parsed === undefined) return undefined;
  const code = openCode(keys, parsed.sealed, sealContext(event, parsed.issuedAt));
  if (code === undefined || code.length !== config.codeLength) return undefined;
  if (now >= parsed.issuedAt + config.codeTtlSeconds * 1000) return 'expired';
  return { code, issuedAt: parsed.issuedAt };
}

/**
 * Issues the challenge of the current attempt. Pure apart from the CSPRNG (injectable).
 * Throws a UserFacingError when an existing user has no email to send the code to.
 */
export function createAuthChallenge(
  event: CreateAuthChallengeEvent,
  config: ChallengeConfig,
  mailConfig: Pick<MailConfig, 'templates' | 'defaultLocale'>,
  deps: CreateDeps,
): CreateOutcome {
  if (event.request.challengeName !== 'CUSTOM_CHALLENGE') {
    // Define never asks us for anything else; Cognito handles SRP and the password itself.
    throw new Error(`create was asked for ${event.request.challengeName}, not CUSTOM_CHALLENGE`);
  }
  const { keys, now } = deps;
  const generate = deps.randomCode ?? defaultRandomCode;
  const userNotFound = event.request.userNotFound === true;
  const attempt =
    event.request.session.filter(
      (entry) =>
        entry.challengeName === 'CUSTOM_CHALLENGE' && isOurMetadata(entry.challengeMetadata),
    ).length + 1;

  const email = event.request.userAttributes?.email;
  // For an unknown user there is no address: mask the user name when it is an email, so
  // the usual sign-in-with-email case looks the same from outside.
  const destination = maskEmail(userNotFound ? event.userName : (email ?? ''));
  if (!userNotFound && (email === undefined || destination === '***')) {
    throw new UserFacingError('this account has no email address to send a sign-in code to');
  }

  // An unknown user's dummy code travels sealed like a real one, so it is reopened,
  // reused and renewed the same way: the same work, and the same waits, on every path.
  const previous = previousCode(event, config, keys, now);
  let mirrors: CreateOutcome['mirrors'];
  let code: string;
  let issuedAt: number;
  if (typeof previous === 'object') {
    mirrors = 'reused';
    code = previous.code;
    issuedAt = previous.issuedAt;
  } else {
    code = generate(config.codeLength);
    issuedAt = now;
    mirrors = previous === 'expired' ? 'renewed' : 'fresh';
  }
  const kind: CreateKind = userNotFound ? 'user-not-found' : mirrors;

  const expiresInSeconds = Math.max(
    0,
    Math.ceil((issuedAt + config.codeTtlSeconds * 1000 - now) / 1000),
  );
  const response: CreateResponse = {
    publicChallengeParameters: {
      [PUBLIC_PARAMETERS.destination]: destination,
      [PUBLIC_PARAMETERS.codeLength]: String(config.codeLength),
      [PUBLIC_PARAMETERS.attempt]: String(attempt),
      [PUBLIC_PARAMETERS.attemptsLeft]: String(Math.max(0, config.maxAttempts - attempt + 1)),
      [PUBLIC_PARAMETERS.expiresInSeconds]: String(expiresInSeconds),
    },
    privateChallengeParameters: {
      [PRIVATE_PARAMETERS.digest]: codeDigest(keys, event.userName, code).toString('base64url'),
      [PRIVATE_PARAMETERS.issuedAt]: String(issuedAt),
      [PRIVATE_PARAMETERS.attempt]: String(attempt),
    },
    challengeMetadata: formatMetadata(issuedAt, sealCode(keys, code, sealContext(event, issuedAt))),
  };

  const outcome: CreateOutcome = { response, kind, mirrors, attempt, audit: [] };
  if (kind === 'fresh' || kind === 'renewed') {
    const { locale, template } = templateFor(
      mailConfig.templates,
      event.request.clientMetadata?.locale,
      mailConfig.defaultLocale,
    );
    outcome.mail = {
      to: email as string,
      locale,
      content: renderMail(template, {
        code,
        minutes: String(Math.max(1, Math.round(config.codeTtlSeconds / 60))),
        destination,
      }),
    };
  }
  if (!userNotFound) {
    const context = auditContextFromEvent(event, now, { includeEmail: deps.includeEmail ?? false });
    outcome.audit.push(challengeIssued(context, { mode: config.mode, attempt }));
  }
  return outcome;
}
