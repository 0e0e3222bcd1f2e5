/**
 * Configuration of the three custom-challenge triggers, read once at cold start. Every
 * bad variable is a ConfigError naming it. Infra sets these from the typed config with
 * the names in {@link CUSTOM_CHALLENGE_ENV}; never repeat the strings elsewhere.
 */
import {
  ConfigError,
  getEnumFromEnv,
  getIntFromEnv,
  getJsonFromEnv,
  getOptionalStringFromEnv,
  getStringFromEnv,
} from '@authwatch/kit/env';
import { templatePlaceholders } from '@authwatch/kit/templates';
import * as z from 'zod/mini';
import {
  DEFAULT_LOCALE,
  DEFAULT_TEMPLATES,
  type LocaleTemplates,
  TEMPLATE_PLACEHOLDERS,
} from './templates.js';

/** Names of the environment variables the triggers read. */
export const CUSTOM_CHALLENGE_ENV = {
  /** `passwordless` (email OTP is the only factor) or `password-then-otp`. Default passwordless. */
  mode: 'CUSTOM_CHALLENGE_MODE',
  /** Wrong answers allowed per sign-in before it fails, 1 to 10. Default 3. */
  maxAttempts: 'CUSTOM_CHALLENGE_MAX_ATTEMPTS',
  /** Digits in a code, 6 to 8. Default 6. */
  codeLength: 'CUSTOM_CHALLENGE_CODE_LENGTH',
  /** Seconds a code stays valid after it was issued, 30 to 900. Default 180. */
  codeTtlSeconds: 'CUSTOM_CHALLENGE_CODE_TTL_SECONDS',
  /** Code key as base64 (at least 32 bytes), for the local stack and tests. */
  key: 'CUSTOM_CHALLENGE_KEY',
  /** Secrets Manager secret holding the code key (deployed); read by the first invocation. */
  keySecretArn: 'CUSTOM_CHALLENGE_KEY_SECRET_ARN',
  /** Create only: the sender address (an SES verified identity), e.g. `Sign-in <no-reply@example.com>`. */
  mailFrom: 'CUSTOM_CHALLENGE_MAIL_FROM',
  /** Create only: SES configuration set for delivery events (optional). */
  mailConfigurationSet: 'CUSTOM_CHALLENGE_MAIL_CONFIGURATION_SET',
  /** Create only: JSON `{ "<locale>": { subject?, text?, html? } }` overriding the built-in templates. */
  mailTemplates: 'CUSTOM_CHALLENGE_MAIL_TEMPLATES',
  /** Create only: locale used when the client sends none or an unknown one. Default `en`. */
  defaultLocale: 'CUSTOM_CHALLENGE_DEFAULT_LOCALE',
  /** Create only: longest one SES request may take, ms (200 to 3,000). Default 1,500. */
  sesTimeoutMs: 'CUSTOM_CHALLENGE_SES_TIMEOUT_MS',
} as const;

export const CHALLENGE_MODES = ['passwordless', 'password-then-otp'] as const;
export type ChallengeMode = (typeof CHALLENGE_MODES)[number];

export const DEFAULTS = {
  mode: 'passwordless' as ChallengeMode,
  maxAttempts: 3,
  codeLength: 6,
  codeTtlSeconds: 180,
  defaultLocale: DEFAULT_LOCALE,
  sesTimeoutMs: 1_500,
} as const;

/** What define, create and verify all need. */
export interface ChallengeConfig {
  /** Which factors a sign-in goes through. */
  mode: ChallengeMode;
  /** Wrong answers allowed before the sign-in fails. */
  maxAttempts: number;
  /** Digits in a code. */
  codeLength: number;
  /** Seconds a code stays valid after it was issued. */
  codeTtlSeconds: number;
}

/** What create needs besides {@link ChallengeConfig}. */
export interface MailConfig {
  /** Sender address (SES verified identity). */
  from: string;
  /** SES configuration set, when configured. */
  configurationSet?: string;
  /** Templates by lower-case locale; always holds {@link MailConfig.defaultLocale}. */
  templates: LocaleTemplates;
  /** Locale used when the client sends none or one without a template. */
  defaultLocale: string;
  /** Longest one SES request may take, ms. */
  sesTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

/** Reads the shared settings (every trigger). */
export function loadChallengeConfig(env: Env = process.env): ChallengeConfig {
  const source = { env };
  return {
    mode: getEnumFromEnv(CUSTOM_CHALLENGE_ENV.mode, CHALLENGE_MODES, {
      ...source,
      defaultValue: DEFAULTS.mode,
    }),
    maxAttempts: getIntFromEnv(CUSTOM_CHALLENGE_ENV.maxAttempts, {
      ...source,
      min: 1,
      max: 10,
      defaultValue: DEFAULTS.maxAttempts,
    }),
    codeLength: getIntFromEnv(CUSTOM_CHALLENGE_ENV.codeLength, {
      ...source,
      min: 6,
      max: 8,
      defaultValue: DEFAULTS.codeLength,
    }),
    codeTtlSeconds: getIntFromEnv(CUSTOM_CHALLENGE_ENV.codeTtlSeconds, {
      ...source,
      min: 30,
      max: 900,
      defaultValue: DEFAULTS.codeTtlSeconds,
    }),
  };
}

/**
 * The schema of CUSTOM_CHALLENGE_MAIL_TEMPLATES, built when the variable is set: a cold
 * start without template overrides builds no schema for them.
 */
const templateOverridesSchema = () =>
  z.record(
    z
      .string()
      .check(
        z.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a locale such as en or pt-BR'),
      ),
    z.strictObject({
      subject: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
      text: z.optional(z.string().check(z.minLength(1), z.maxLength(20_000))),
      html: z.optional(z.string().check(z.minLength(1), z.maxLength(100_000))),
    }),
  );

const SENDER = /^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;

/** Reads the mail settings (create only). */
export function loadMailConfig(env: Env = process.env): MailConfig {
  const source = { env };
  const from = getStringFromEnv(CUSTOM_CHALLENGE_ENV.mailFrom, source);
  if (!SENDER.test(from)) {
    throw new ConfigError(
      CUSTOM_CHALLENGE_ENV.mailFrom,
      'must be an address such as no-reply@example.com or "Name <no-reply@example.com>"',
    );
  }
  const overrides =
    getOptionalStringFromEnv(CUSTOM_CHALLENGE_ENV.mailTemplates, source) === undefined
      ? {}
      : getJsonFromEnv(CUSTOM_CHALLENGE_ENV.mailTemplates, templateOverridesSchema(), source);
  const templates: LocaleTemplates = { ...DEFAULT_TEMPLATES };
  for (const [locale, override] of Object.entries(overrides)) {
    const key = locale.toLowerCase();
    const base = templates[key] ?? templates[DEFAULT_LOCALE];
    templates[key] = { ...base, ...override } as LocaleTemplates[string];
  }
  // A template that asks for a value we never give would throw on a user's sign-in:
  // refuse it at cold start instead.
  for (const [locale, template] of Object.entries(templates)) {
    for (const part of ['subject', 'text', 'html'] as const) {
      const unknown = templatePlaceholders(template[part]).filter(
        (name) => !(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name),
      );
      if (unknown.length > 0) {
        throw new ConfigError(
          CUSTOM_CHALLENGE_ENV.mailTemplates,
          `template ${locale}.${part} uses unknown placeholder(s) ${unknown.join(', ')} (known: ${TEMPLATE_PLACEHOLDERS.join(', ')})`,
        );
      }
    }
    if (!templatePlaceholders(template.text).includes('code')) {
      throw new ConfigError(
        CUSTOM_CHALLENGE_ENV.mailTemplates,
        `template ${locale}.text must contain {{code}}`,
      );
    }
  }
  const defaultLocale = getStringFromEnv(CUSTOM_CHALLENGE_ENV.defaultLocale, {
    ...source,
    defaultValue: DEFAULTS.defaultLocale,
  }).toLowerCase();
  if (templates[defaultLocale] === undefined) {
    throw new ConfigError(
      CUSTOM_CHALLENGE_ENV.defaultLocale,
      `has no template (known: ${Object.keys(templates).sort().join(', ')})`,
    );
  }
  const config: MailConfig = {
    from,
    templates,
    defaultLocale,
    sesTimeoutMs: getIntFromEnv(CUSTOM_CHALLENGE_ENV.sesTimeoutMs, {
      ...source,
      min: 200,
      max: 3_000,
      defaultValue: DEFAULTS.sesTimeoutMs,
    }),
  };
  const configurationSet = getOptionalStringFromEnv(
    CUSTOM_CHALLENGE_ENV.mailConfigurationSet,
    source,
  );
  if (configurationSet !== undefined) config.configurationSet = configurationSet;
  return config;
}
