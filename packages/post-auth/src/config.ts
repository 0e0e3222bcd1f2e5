/**
 * The post authentication trigger's configuration, read once at cold start; a bad
 * value fails it with a ConfigError naming the variable.
 */
import {
  ConfigError,
  getBooleanFromEnv,
  getIntFromEnv,
  getOptionalStringFromEnv,
  getStringFromEnv,
} from '@authwatch/kit/env';
import { type MailTemplate, templatePlaceholders } from '@authwatch/kit/templates';
import { DEFAULT_NEW_DEVICE_MAIL, MAIL_PLACEHOLDERS, type MailPlaceholder } from './templates.js';

/** Names of the environment variables the post authentication trigger reads. */
export const POST_AUTH_ENV = {
  /** `false` turns the new-device mail off (default true). */
  newDeviceMail: 'POST_AUTH_NEW_DEVICE_MAIL',
  /** Sender, `noreply@example.com` or `Example <noreply@example.com>`; required when mail is on. */
  mailFrom: 'POST_AUTH_MAIL_FROM',
  /** Subject template (default: "New sign-in to your {{appName}} account"). */
  mailSubject: 'POST_AUTH_MAIL_SUBJECT',
  /** Plain-text body template (default in src/templates.ts). */
  mailText: 'POST_AUTH_MAIL_TEXT',
  /** HTML body template (default in src/templates.ts); values are HTML-escaped. */
  mailHtml: 'POST_AUTH_MAIL_HTML',
  /** SES configuration set for delivery events (optional). */
  configurationSet: 'POST_AUTH_MAIL_CONFIGURATION_SET',
  /** The application's name, `{{appName}}` (default Authwatch). */
  appName: 'POST_AUTH_APP_NAME',
  /** Where users get help, `{{supportUrl}}` (optional). */
  supportUrl: 'POST_AUTH_SUPPORT_URL',
  /** Longest the SES request may take, ms (default 1,500; never past the deadline). */
  mailTimeoutMs: 'POST_AUTH_MAIL_TIMEOUT_MS',
} as const;

export interface MailConfig {
  from: string;
  template: MailTemplate;
  configurationSet?: string;
  appName: string;
  supportUrl?: string;
  timeoutMs: number;
}

export interface PostAuthConfig {
  /** The new-device mail; undefined when turned off. */
  mail: MailConfig | undefined;
}

type Env = Record<string, string | undefined>;

const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;
const NAMED_ADDRESS = /^[^<>\r\n]*<([^<>\s]+)>$/;
const CONFIGURATION_SET = /^[A-Za-z0-9_-]{1,64}$/;

function checkTemplate(name: string, template: string, available: Set<string>): string {
  for (const placeholder of templatePlaceholders(template)) {
    if (!available.has(placeholder)) {
      const known = [...available].join(', ');
      throw new ConfigError(name, `uses {{${placeholder}}}, which is not one of: ${known}`);
    }
  }
  return template;
}

/** Reads and validates the configuration. */
export function loadConfig(env: Env = process.env): PostAuthConfig {
  const source = { env };
  const enabled = getBooleanFromEnv(POST_AUTH_ENV.newDeviceMail, { ...source, defaultValue: true });
  if (!enabled) return { mail: undefined };

  const from = getStringFromEnv(POST_AUTH_ENV.mailFrom, source);
  const address = NAMED_ADDRESS.exec(from)?.[1] ?? from;
  if (!ADDRESS.test(address)) {
    throw new ConfigError(
      POST_AUTH_ENV.mailFrom,
      'must be an email address or "Name <address>" (an SES-verified identity)',
    );
  }
  const supportUrl = getOptionalStringFromEnv(POST_AUTH_ENV.supportUrl, source);
  if (supportUrl !== undefined && !/^https?:\/\/\S+$/.test(supportUrl)) {
    throw new ConfigError(POST_AUTH_ENV.supportUrl, 'must be an http(s) URL');
  }
  const available = new Set<string>(
    (Object.keys(MAIL_PLACEHOLDERS) as MailPlaceholder[]).filter(
      (name) => name !== 'supportUrl' || supportUrl !== undefined,
    ),
  );
  const part = (name: string, fallback: string) =>
    checkTemplate(
      name,
      // Environment variables cannot hold a real newline in every tool; `\n` stands for one.
      getStringFromEnv(name, { ...source, defaultValue: fallback }).replace(/\\n/g, '\n'),
      available,
    );
  const template: MailTemplate = {
    subject: part(POST_AUTH_ENV.mailSubject, DEFAULT_NEW_DEVICE_MAIL.subject),
    text: part(POST_AUTH_ENV.mailText, DEFAULT_NEW_DEVICE_MAIL.text),
    html: part(POST_AUTH_ENV.mailHtml, DEFAULT_NEW_DEVICE_MAIL.html),
  };
  const configurationSet = getOptionalStringFromEnv(POST_AUTH_ENV.configurationSet, source);
  if (configurationSet !== undefined && !CONFIGURATION_SET.test(configurationSet)) {
    throw new ConfigError(
      POST_AUTH_ENV.configurationSet,
      'must be an SES configuration set name (1-64 of A-Z a-z 0-9 _ -)',
    );
  }
  const mail: MailConfig = {
    from,
    template,
    appName: getStringFromEnv(POST_AUTH_ENV.appName, { ...source, defaultValue: 'Authwatch' }),
    timeoutMs: getIntFromEnv(POST_AUTH_ENV.mailTimeoutMs, {
      ...source,
      min: 50,
      max: 4_000,
      defaultValue: 1_500,
    }),
  };
  if (configurationSet !== undefined) mail.configurationSet = configurationSet;
  if (supportUrl !== undefined) mail.supportUrl = supportUrl;
  return { mail };
}
