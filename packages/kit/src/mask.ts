/**
 * PII masking for logs. Emails and phone numbers are masked; secrets (passwords,
 * OTPs, challenge answers, tokens) are replaced outright, so a trigger cannot log one
 * by mistake even when it logs a whole object.
 */

const EMAIL = /^([^\s@]+)@([^\s@]+\.[^\s@]+)$/;
// A local part may contain an apostrophe (o'brien@...) but not start with one, so an
// email quoted in a message ('user@example.com') keeps its quote and is still masked whole.
// The domain has no slash, so a file path such as `pkg@1.2.3/node_modules/@scope/x.js`
// in a stack trace is not taken for an address.
const EMAIL_ANYWHERE = /[^\s@"'<>(),;:][^\s@"<>(),;:]*@[^\s@"'<>(),;:/\\]+\.[A-Za-z]{2,}/g;
const JWT_ANYWHERE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/**
 * A phone number in free text: one written with a leading `+` (E.164, as Cognito stores
 * `phone_number`; spaces, dashes, dots or a parenthesised group allowed between digits),
 * 8 to 15 digits in all; or a North American number in one of its usual national
 * forms (`415-555-2671`, `415.555.2671`, `(415) 555-2671`, `415 555 2671`). Bare digit
 * runs (ids, epoch times, ports) and dates are left alone: without a plus or one of
 * those shapes nothing tells a phone number from a number. Never part of a longer word,
 * number or id (a UUID's digit groups are not taken for one).
 */
const PHONE_ANYWHERE =
  /(?<![\w+.-])(?:\+\d(?:[ .-]?(?:\(\d{1,4}\)|\d)){7,18}|(?:\(\d{3}\) ?|\d{3}([-. ]))\d{3}(?:\1|-)\d{4}|\(\d{3}\) ?\d{3}-\d{4})(?![\w-]|\.\d)/g;
/** Cheap pre-check: without a `+digit` or three digits in a row, no phone number. */
const MAYBE_PHONE = /\d{3}|\+\d/;

/** Replacement for a value that must never be logged. */
export const REDACTED = '[REDACTED]';

/**
 * Masks an email address, keeping its first character and domain.
 *
 * @example maskEmail('user.one@example.com') // 'u***@example.com'
 */
export function maskEmail(email: string): string {
  const match = EMAIL.exec(email.trim());
  if (!match) return '***';
  return `${match[1]?.charAt(0) ?? ''}***@${match[2]}`;
}

/**
 * Masks a phone number, keeping the leading `+` and the last two digits.
 *
 * @example maskPhone('+14155552671') // '+*********71'
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d]/g, '');
  if (digits.length < 4) return '***';
  const plus = phone.trim().startsWith('+') ? '+' : '';
  return `${plus}${'*'.repeat(digits.length - 2)}${digits.slice(-2)}`;
}

/** Lower-cased key names whose values are secrets wherever they appear. */
const SECRET_KEYS = new Set([
  'password',
  'newpassword',
  'previouspassword',
  'proposedpassword',
  'temporarypassword',
  'secret',
  'secrethash',
  'clientsecret',
  'otp',
  'code',
  'confirmationcode',
  'codeparameter',
  'answer',
  'challengeanswer',
  'challengeresponses',
  'privatechallengeparameters',
  'token',
  'accesstoken',
  'idtoken',
  'refreshtoken',
  'session',
  'authorization',
  'cookie',
  'srp_a',
  'srp_b',
  'password_claim_signature',
]);

const SECRET_SUFFIXES = ['password', 'secret', 'token', '_otp'];

/** True when a key's value must never be logged. */
export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  return SECRET_KEYS.has(lower) || SECRET_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

function isEmailKey(lower: string): boolean {
  return lower === 'email' || lower.endsWith('_email') || lower.endsWith('email');
}

/** Key names (lower-cased, `_` and `-` removed) whose value is a phone number. */
const PHONE_KEYS = new Set([
  'phone',
  'mobile',
  'cell',
  'cellphone',
  'tel',
  'telephone',
  'fax',
  'msisdn',
  'sms',
]);

function isPhoneKey(lower: string): boolean {
  const bare = lower.replace(/[_-]/g, '');
  return (
    PHONE_KEYS.has(bare) ||
    bare.includes('phone') ||
    bare.endsWith('mobile') ||
    bare.endsWith('msisdn') ||
    bare.endsWith('mobilenumber')
  );
}

function maskPhoneInText(match: string): string {
  const digits = match.replace(/\D/g, '').length;
  // A `+` number of fewer than 8 or more than 15 digits is no E.164 number.
  if (match.startsWith('+') && (digits < 8 || digits > 15)) return match;
  return maskPhone(match);
}

/**
 * Masks emails and phone numbers and strips JWTs inside free text (e.g. an error
 * message): emails as {@link maskEmail}; phone numbers written with a leading `+`, or in
 * a North American national form, as {@link maskPhone}.
 */
export function maskText(text: string): string {
  // No pattern can match without its marker; most log strings have none.
  const email = text.includes('@');
  const jwt = text.includes('eyJ');
  const phone = MAYBE_PHONE.test(text);
  if (!email && !jwt && !phone) return text;
  let out = jwt ? text.replace(JWT_ANYWHERE, REDACTED) : text;
  if (email) out = out.replace(EMAIL_ANYWHERE, (found) => maskEmail(found));
  if (phone) out = out.replace(PHONE_ANYWHERE, maskPhoneInText);
  return out;
}

type KeyKind = 'plain' | 'secret' | 'email' | 'phone';

/** Key names seen so far and their kind: log items repeat the same few dozen keys. */
const keyKinds = new Map<string, KeyKind>();
/** Keys can come from outside input (client metadata), so the memo stops growing here. */
const KEY_KINDS_MAX = 1024;

function keyKind(key: string): KeyKind {
  let kind = keyKinds.get(key);
  if (kind !== undefined) return kind;
  const lower = key.toLowerCase();
  kind = isSecretKey(key)
    ? 'secret'
    : isEmailKey(lower)
      ? 'email'
      : isPhoneKey(lower)
        ? 'phone'
        : 'plain';
  if (keyKinds.size < KEY_KINDS_MAX) keyKinds.set(key, kind);
  return kind;
}

/**
 * A `JSON.stringify` replacer that redacts secrets by key, masks emails and phone
 * numbers by key (a phone-like key: `phone`, `phone_number`, `mobile`, `cell`, `tel`,
 * `fax`, `msisdn`, any key containing `phone`; string or number), and masks emails,
 * phone numbers and JWTs inside any other string under any key ({@link maskText}). Give it to the
 * Powertools Logger as `jsonReplacerFn`.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '') {
    const kind = keyKind(key);
    if (kind === 'secret') return value === undefined || value === null ? value : REDACTED;
    if (typeof value === 'string') {
      if (kind === 'email') return maskEmail(value);
      if (kind === 'phone') return maskPhone(value);
    }
    // A phone number given as a number (`"mobile": 14155552671`).
    if (kind === 'phone' && typeof value === 'number') return maskPhone(String(value));
  }
  if (typeof value === 'string') return maskText(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A deep copy of `value` with {@link redactingReplacer} applied. */
export function redact<T>(value: T): unknown {
  const text = JSON.stringify(value, redactingReplacer);
  return text === undefined ? undefined : JSON.parse(text);
}
