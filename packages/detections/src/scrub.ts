/**
 * What may leave in a finding or an alert. Evidence values come from upstream events;
 * if a producer forgot to redact a secret (a JWT, a code, a `password=` pair) it is
 * cut here, and emails are masked in alerts.
 */
import { maskEmail, REDACTED } from '@authwatch/kit';

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const SECRET_PAIR = /\b(password|passwd|pwd|secret|token|code|otp|answer)\s*[=:]\s*\S+/gi;
/**
 * A run of 4-8 digits (an OTP), or a long opaque string (a refresh token, a client
 * secret, a key): 40 or more base64 characters without a dash, so a UUID (a Cognito user
 * name, an event id) is kept.
 */
const CODE = /\b\d{4,8}\b/g;
const OPAQUE = /[A-Za-z0-9+/_]{40,}={0,2}/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:/\\]+\.[A-Za-z]{2,}/g;

/** Removes anything that looks like a credential from a free-text value. */
export function scrubSecrets(text: string): string {
  return text
    .replace(JWT, REDACTED)
    .replace(SECRET_PAIR, (_, key: string) => `${key}=${REDACTED}`)
    .replace(OPAQUE, REDACTED)
    .replace(CODE, REDACTED);
}

/**
 * Scrubs a value of a given field. IPs, countries, ids and numbers stay; free text
 * (a reason) is scrubbed.
 */
export function scrubEvidence(field: string, value: string): string {
  if (
    field === 'src_endpoint.ip' ||
    field.startsWith('src_endpoint.location') ||
    field === 'finding_info.analytic.uid'
  ) {
    return value;
  }
  // A Cognito sub is a UUID, which the opaque-string pattern would otherwise cut.
  if (field === 'user.uid' && UUID.test(value)) return value;
  if (field === 'user.name' || field === 'user.uid' || field === 'user.email_domain') {
    // A user name can be anything a client typed: a code pasted in the wrong box too.
    return value.replace(JWT, REDACTED).replace(OPAQUE, REDACTED);
  }
  return scrubSecrets(value);
}

/** Masks every email in a text (alerts never carry a full address). */
export function maskEmails(text: string): string {
  return text.replace(EMAIL, (email) => maskEmail(email));
}
