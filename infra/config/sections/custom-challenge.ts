/**
 * The custom-challenge section: the email OTP's mode, attempts, code length and life,
 * the mail it sends, and the auth session validity of the app client that uses it.
 * Plain data (no aws-cdk-lib), loaded by the CDK app and the local stack alike; both
 * turn it into the triggers' variables with {@link customChallengeEnvironment}.
 */
import { CHALLENGE_MODES, CUSTOM_CHALLENGE_ENV } from '@authwatch/custom-challenge/config';
import * as z from 'zod';

const ADDRESS = /^[^\s@<>]+@([^\s@<>]+\.[^\s@<>]+)$/;
const SENDER =
  /^(?:[^<>\r\n]*<([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)>|([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+))$/;

/** The address inside a sender (`Name <a@b.c>` or `a@b.c`). */
export function senderAddress(from: string): string | undefined {
  const match = SENDER.exec(from.trim());
  return match?.[1] ?? match?.[2];
}

export const CustomChallengeSectionSchema = z
  .object({
    /** `passwordless` (email OTP only) or `password-then-otp` (SRP password, then email OTP). */
    mode: z.enum(CHALLENGE_MODES).default('passwordless'),
    /** Wrong answers allowed per sign-in before it fails. */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    /** Digits in a code. */
    codeLength: z.number().int().min(6).max(8).default(6),
    /** Seconds a code stays valid after it was mailed (at most the auth session validity). */
    codeTtlSeconds: z.number().int().min(30).max(900).default(180),
    /** Sender of the code mail, e.g. `Sign-in <no-reply@example.com>`. */
    mailFrom: z.string().regex(SENDER, 'must be an address or "Name <address>"'),
    /**
     * The SES identity (domain or address) allowed to send, the ONE resource of the
     * create function's ses:SendEmail grant. Default: the domain of `mailFrom`.
     */
    sesIdentity: z
      .string()
      .regex(/^([^\s@<>]+@)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain or an email address')
      .optional(),
    /** SES configuration set for delivery events (also granted to the create function). */
    mailConfigurationSet: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an SES configuration set name')
      .optional(),
    /** Template overrides by locale, `{ en: { subject, text, html } }` (each part optional). */
    mailTemplates: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as en or pt-BR'),
        z
          .object({
            subject: z.string().min(1).max(200).optional(),
            text: z.string().min(1).max(20_000).optional(),
            html: z.string().min(1).max(100_000).optional(),
          })
          .strict(),
      )
      .optional(),
    /** Locale of the mail when the client sends none or one without a template. */
    defaultLocale: z.string().min(2).max(16).default('en'),
    /** Longest one SES request may take, ms (inside Cognito's 5-second trigger limit). */
    sesTimeoutMs: z.number().int().min(200).max(3_000).default(1_500),
    /**
     * How long a sign-in (the session between InitiateAuth and the last answer) may
     * last, minutes: the app client's AuthSessionValidity, Cognito's range 3 to 15.
     */
    authSessionValidityMinutes: z.number().int().min(3).max(15).default(3),
  })
  .strict()
  .refine((section) => section.codeTtlSeconds <= section.authSessionValidityMinutes * 60, {
    message: 'must not outlive the auth session (authSessionValidityMinutes × 60)',
    path: ['codeTtlSeconds'],
  })
  .refine(
    (section) => {
      const address = senderAddress(section.mailFrom) ?? '';
      const identity = section.sesIdentity ?? address.split('@')[1] ?? '';
      return identity.includes('@')
        ? identity.toLowerCase() === address.toLowerCase()
        : address.toLowerCase().endsWith(`@${identity.toLowerCase()}`);
    },
    {
      message: 'mailFrom must be sent from sesIdentity (its address or domain)',
      path: ['sesIdentity'],
    },
  );

export type CustomChallengeSection = z.output<typeof CustomChallengeSectionSchema>;

/** The SES identity the create function may send from. */
export function sesIdentityOf(section: CustomChallengeSection): string {
  if (section.sesIdentity) return section.sesIdentity;
  const address = senderAddress(section.mailFrom);
  const domain = address?.split('@')[1];
  if (!domain || !ADDRESS.test(address ?? '')) throw new Error('mailFrom has no domain');
  return domain;
}

/** Which of the three triggers the variables are for. */
export type ChallengeTrigger = 'define' | 'create' | 'verify';

/**
 * The triggers' own variables from the section (the key variable is added by whoever
 * provides the key: the CDK app a secret ARN, the local stack an inline key).
 *
 * @example
 * ```ts
 * customChallengeEnvironment(config.customChallenge, 'create');
 * // { CUSTOM_CHALLENGE_MODE: 'passwordless', ..., CUSTOM_CHALLENGE_MAIL_FROM: '...' }
 * ```
 */
export function customChallengeEnvironment(
  section: CustomChallengeSection,
  trigger: ChallengeTrigger,
  /** The config's `mail` section, when it has one: its configuration set wins. */
  mail?: { configurationSet?: string | undefined },
): Record<string, string> {
  const env: Record<string, string> = {
    [CUSTOM_CHALLENGE_ENV.mode]: section.mode,
    [CUSTOM_CHALLENGE_ENV.maxAttempts]: String(section.maxAttempts),
    [CUSTOM_CHALLENGE_ENV.codeLength]: String(section.codeLength),
    [CUSTOM_CHALLENGE_ENV.codeTtlSeconds]: String(section.codeTtlSeconds),
  };
  if (trigger !== 'create') return env;
  // The configuration set comes from the mail section whenever there is one, as the grant.
  const configurationSet =
    mail === undefined ? section.mailConfigurationSet : mail.configurationSet;
  env[CUSTOM_CHALLENGE_ENV.mailFrom] = section.mailFrom;
  env[CUSTOM_CHALLENGE_ENV.defaultLocale] = section.defaultLocale;
  env[CUSTOM_CHALLENGE_ENV.sesTimeoutMs] = String(section.sesTimeoutMs);
  if (configurationSet) env[CUSTOM_CHALLENGE_ENV.mailConfigurationSet] = configurationSet;
  if (section.mailTemplates && Object.keys(section.mailTemplates).length > 0) {
    env[CUSTOM_CHALLENGE_ENV.mailTemplates] = JSON.stringify(section.mailTemplates);
  }
  return env;
}

/**
 * Whether an identity may send mail from `address`: an address identity only itself; a
 * domain identity any address of the domain or of its subdomains (SES's inherited
 * verification).
 */
export function identityCovers(identity: string, address: string): boolean {
  const lower = identity.toLowerCase();
  const from = address.toLowerCase();
  if (lower.includes('@')) return lower === from;
  const domain = from.split('@')[1] ?? '';
  return domain === lower || domain.endsWith(`.${lower}`);
}

/** What the create function may send with: ONE identity, and the configuration set. */
export interface ChallengeMailGrant {
  /** The SES identity (domain or address), the one resource of its ses:SendEmail grant. */
  identity: string;
  /** The configuration set its mail names (also granted), if any. */
  configurationSet: string | undefined;
  /** Which section they come from: the `mail` section whenever there is one. */
  from: 'mail' | 'customChallenge';
}

/**
 * The create function's SES grant: from the `mail` section whenever there is one (the
 * identity and configuration set the stack creates), else from this section's
 * `sesIdentity` / `mailFrom` and `mailConfigurationSet`. One source of truth for the
 * grant, the configuration set the function names, and the check that `mailFrom` is
 * covered by the identity ({@link challengeMailProblem}).
 */
export function challengeMailGrant(
  section: CustomChallengeSection,
  mail:
    | { from: string; identity?: string | undefined; configurationSet?: string | undefined }
    | undefined,
): ChallengeMailGrant {
  if (mail === undefined) {
    return {
      identity: sesIdentityOf(section),
      configurationSet: section.mailConfigurationSet,
      from: 'customChallenge',
    };
  }
  const domain = senderAddress(mail.from)?.split('@')[1];
  const identity = mail.identity ?? domain;
  if (!identity) throw new Error('mail.from has no domain');
  return { identity, configurationSet: mail.configurationSet, from: 'mail' };
}

/**
 * Why the code mail could not be sent with the grant (its sender outside the granted
 * identity), or undefined when it can.
 */
export function challengeMailProblem(
  section: CustomChallengeSection,
  mail: Parameters<typeof challengeMailGrant>[1],
): string | undefined {
  const grant = challengeMailGrant(section, mail);
  const address = senderAddress(section.mailFrom) ?? section.mailFrom;
  if (identityCovers(grant.identity, address)) return undefined;
  const where =
    grant.from === 'mail'
      ? `the mail section's SES identity "${grant.identity}" (mail.identity, else the domain of mail.from)`
      : `the SES identity "${grant.identity}" (customChallenge.sesIdentity, else the domain of mailFrom)`;
  return `sends from ${address}, which ${where} does not cover: SES would refuse every code mail. Send from an address of that identity, or change the identity`;
}
