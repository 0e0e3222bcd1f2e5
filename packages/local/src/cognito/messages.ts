/**
 * Cognito's own messages through the mailer: confirmation and password-reset codes (stored
 * hashed, checked in constant time) and temporary passwords.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from './context.js';
import { CognitoError } from './errors.js';
import { newCode } from './ids.js';
import type { Json } from './input.js';
import { maskDestination } from './model.js';
import { safeEqual } from './secret-hash.js';
import type { PoolRecord, UserRecord } from './state.js';
import { digest } from './tokens.js';

export async function sendMail(
  ctx: EmulatorContext,
  to: string | undefined,
  subject: string,
  text: string,
): Promise<void> {
  if (!to || !ctx.mailer) return;
  try {
    await ctx.mailer.send(to, subject, text);
  } catch {
    throw new CognitoError(
      'CodeDeliveryFailureException',
      'Unable to deliver the message to the user.',
    );
  }
}

export async function issueConfirmationCode(
  ctx: EmulatorContext,
  user: UserRecord,
): Promise<Json | undefined> {
  const email = user.attributes.email;
  const code = newCode();
  user.confirmation = {
    codeHash: digest(`${user.username}:${code}`),
    expires: ctx.now() + 24 * 3600_000,
  };
  ctx.changed();
  if (!email) return undefined;
  await sendMail(ctx, email, 'Your verification code', `Your verification code is ${code}`);
  return { Destination: maskDestination(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' };
}

/** Stores a fresh password-reset code (hashed, valid 1 hour) and mails it. */
export async function issueResetCode(
  ctx: EmulatorContext,
  user: UserRecord,
  email: string,
): Promise<void> {
  const code = newCode();
  user.confirmation = {
    codeHash: digest(`${user.username}:reset:${code}`),
    expires: ctx.now() + 3600_000,
  };
  ctx.changed();
  await sendMail(ctx, email, 'Your password reset code', `Your password reset code is ${code}`);
}

/** The user's pending code (sign-up or reset) must be `keyed`'s and unexpired. */
export function checkPendingCode(ctx: EmulatorContext, user: UserRecord, keyed: string): void {
  const pending = user.confirmation;
  if (!pending || !safeEqual(pending.codeHash, digest(keyed))) {
    throw new CognitoError(
      'CodeMismatchException',
      'Invalid verification code provided, please try again.',
    );
  }
  if (pending.expires < ctx.now()) {
    throw new CognitoError(
      'ExpiredCodeException',
      'Invalid code provided, please request a code again.',
    );
  }
}

export function temporaryPassword(pool: PoolRecord): string {
  const base = `${randomBytes(9).toString('base64url')}aA1!`;
  return base.length >= pool.passwordPolicy.MinimumLength
    ? base
    : base.padEnd(pool.passwordPolicy.MinimumLength, 'x');
}

export async function sendTemporaryPassword(
  ctx: EmulatorContext,
  user: UserRecord,
  signInName: string,
  temporary: string,
): Promise<void> {
  await sendMail(
    ctx,
    user.attributes.email,
    'Your temporary password',
    `Your username is ${signInName} and temporary password is ${temporary}`,
  );
}
