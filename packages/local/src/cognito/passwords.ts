/**
 * Password reset and change: ForgotPassword, ConfirmForgotPassword, ChangePassword,
 * AdminSetUserPassword, AdminResetUserPassword.
 */
import { verifyAccessToken } from './access-token.js';
import type { EmulatorContext } from './context.js';
import { invalidParameter, notAuthorized, userNotFound } from './errors.js';
import { type Json, str } from './input.js';
import { clientById, findUser, requirePool, requireUser } from './lookup.js';
import { checkPendingCode, issueResetCode } from './messages.js';
import { checkPasswordPolicy, maskDestination } from './model.js';
import { checkSecretHash } from './secret-hash.js';
import { createVerifier } from './srp.js';

export async function forgotPassword(ctx: EmulatorContext, i: Json): Promise<Json> {
  const { pool, client } = clientById(ctx, i.ClientId);
  const name = str(i, 'Username');
  const user = findUser(pool, name);
  checkSecretHash(client, user ? [name, user.username] : [name], i.SecretHash);
  if (!user) {
    if (client.preventUserExistenceErrors === 'ENABLED') {
      return {
        CodeDeliveryDetails: {
          Destination: maskDestination(name.includes('@') ? name : 'x@x'),
          DeliveryMedium: 'EMAIL',
          AttributeName: 'email',
        },
      };
    }
    throw userNotFound();
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  const email = user.attributes.email;
  if (!email || (user.attributes.email_verified !== 'true' && user.status !== 'RESET_REQUIRED')) {
    throw invalidParameter(
      'Cannot reset password for the user as there is no registered/verified email or phone_number',
    );
  }
  await issueResetCode(ctx, user, email);
  return {
    CodeDeliveryDetails: {
      Destination: maskDestination(email),
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    },
  };
}

export function confirmForgotPassword(ctx: EmulatorContext, i: Json): Json {
  const { pool, client } = clientById(ctx, i.ClientId);
  const name = str(i, 'Username');
  const user = findUser(pool, name);
  if (!user) throw userNotFound();
  checkSecretHash(client, [name, user.username], i.SecretHash);
  const code = str(i, 'ConfirmationCode');
  checkPendingCode(ctx, user, `${user.username}:reset:${code}`);
  const password = checkPasswordPolicy(pool.passwordPolicy, i.Password);
  user.verifier = createVerifier(pool.id, user.username, password);
  ctx.passwords.forget(user.username);
  delete user.confirmation;
  if (user.status === 'RESET_REQUIRED') user.status = 'CONFIRMED';
  user.modified = ctx.now();
  ctx.changed();
  return {};
}

export function changePassword(ctx: EmulatorContext, i: Json): Json {
  const { pool, user } = verifyAccessToken(ctx, i.AccessToken);
  const previous = str(i, 'PreviousPassword');
  if (!ctx.passwords.matches(pool, user, previous)) throw notAuthorized();
  const next = checkPasswordPolicy(pool.passwordPolicy, i.ProposedPassword);
  user.verifier = createVerifier(pool.id, user.username, next);
  ctx.passwords.forget(user.username);
  user.modified = ctx.now();
  ctx.changed();
  return {};
}

export function adminSetUserPassword(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  const password = checkPasswordPolicy(pool.passwordPolicy, i.Password);
  user.verifier = createVerifier(pool.id, user.username, password);
  ctx.passwords.forget(user.username);
  if (i.Permanent === true) {
    user.status = 'CONFIRMED';
    delete user.temporaryPasswordExpires;
  } else {
    user.status = 'FORCE_CHANGE_PASSWORD';
    user.temporaryPasswordExpires =
      ctx.now() + pool.passwordPolicy.TemporaryPasswordValidityDays * 86_400_000;
  }
  user.modified = ctx.now();
  ctx.changed();
  return {};
}

export async function adminResetUserPassword(ctx: EmulatorContext, i: Json): Promise<Json> {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  const email = user.attributes.email;
  if (!email) {
    throw invalidParameter(
      'Cannot reset password for the user as there is no registered/verified email or phone_number',
    );
  }
  if (user.status === 'CONFIRMED') user.status = 'RESET_REQUIRED';
  user.modified = ctx.now();
  await issueResetCode(ctx, user, email);
  return {};
}
