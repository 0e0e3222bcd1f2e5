/**
 * One post authentication invocation, as a pure plan: the successful-logon audit event
 * and, when Cognito says the sign-in came from a new device, the rendered new-device
 * mail. The handler carries the plan out; neither side effect can fail the sign-in.
 *
 * What Cognito does not tell this trigger: which challenge or MFA the sign-in used.
 * An app that knows may pass it in clientMetadata (`authMethod`, e.g. `srp`,
 * `custom-email-otp`, `passkey`; `mfa`, `true`/`false`); both are the client's word,
 * recorded as such, never trusted for a decision.
 */
import { type AuditEvent, auditContextFromEvent, logonSucceeded } from '@authwatch/audit';
import type { PostAuthenticationEvent } from '@authwatch/kit';
import { type OutgoingMail, renderMail } from '@authwatch/kit/mail';
import type { MailConfig, PostAuthConfig } from './config.js';

/** Why no mail is sent for a new device, for the logs. */
export type MailSkipReason = 'mail-off' | 'no-verified-email';

export interface PostAuthPlan {
  audit: AuditEvent[];
  /** The mail to send, when the device is new and the user has a verified email. */
  mail?: OutgoingMail;
  /** Set when the device is new but no mail is planned. */
  mailSkipped?: MailSkipReason;
}

const AUTH_METHOD = /^[A-Za-z0-9_.:-]{1,40}$/;

/** The client's `authMethod` hint, when it is a short token (else ignored). */
export function authMethodOf(metadata: Record<string, string>): string | undefined {
  const raw = metadata.authMethod?.trim();
  return raw !== undefined && AUTH_METHOD.test(raw) ? raw : undefined;
}

/** The client's `mfa` hint: true/false, else unknown. */
export function mfaOf(metadata: Record<string, string>): boolean | undefined {
  const raw = metadata.mfa?.trim().toLowerCase();
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return undefined;
}

/** `2026-11-23 21:42 UTC`: readable in a mail, unambiguous across time zones. */
export function formatTime(now: number): string {
  const iso = new Date(now).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Renders the new-device mail for this sign-in. */
export function newDeviceMail(
  event: PostAuthenticationEvent,
  mail: MailConfig,
  now: number,
  to: string,
  sourceIp: string | undefined,
): OutgoingMail {
  const attributes = event.request.userAttributes;
  const values: Record<string, string> = {
    appName: mail.appName,
    name: nonEmpty(attributes.given_name) ?? nonEmpty(attributes.name) ?? 'there',
    time: formatTime(now),
    sourceIp: sourceIp ?? 'unknown',
  };
  if (mail.supportUrl !== undefined) values.supportUrl = mail.supportUrl;
  const outgoing: OutgoingMail = { ...renderMail(mail.template, values), from: mail.from, to };
  if (mail.configurationSet !== undefined) outgoing.configurationSet = mail.configurationSet;
  return outgoing;
}

/** Plans one post authentication: audit event, and the mail for a new device. */
export function planPostAuth(
  event: PostAuthenticationEvent,
  config: PostAuthConfig,
  now: number,
  options: { includeEmail?: boolean } = {},
): PostAuthPlan {
  const metadata = event.request.clientMetadata ?? {};
  const newDevice = event.request.newDeviceUsed === true;
  const ctx = auditContextFromEvent(event, now, { includeEmail: options.includeEmail ?? false });
  const facts: { newDevice: boolean; mfa?: boolean; authMethod?: string } = { newDevice };
  const mfa = mfaOf(metadata);
  if (mfa !== undefined) facts.mfa = mfa;
  const authMethod = authMethodOf(metadata);
  if (authMethod !== undefined) facts.authMethod = authMethod;
  const plan: PostAuthPlan = { audit: [logonSucceeded(ctx, facts)] };
  if (!newDevice) return plan;

  if (config.mail === undefined) return { ...plan, mailSkipped: 'mail-off' };
  const attributes = event.request.userAttributes;
  const email = nonEmpty(attributes.email);
  // A security notice goes only to an address the user proved is theirs.
  if (email === undefined || attributes.email_verified !== 'true') {
    return { ...plan, mailSkipped: 'no-verified-email' };
  }
  // The audit context validated the IP (only an IP literal from clientMetadata).
  return { ...plan, mail: newDeviceMail(event, config.mail, now, email, ctx.sourceIp) };
}
