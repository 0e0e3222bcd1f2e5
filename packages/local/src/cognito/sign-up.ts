/**
 * Sign-up and confirmation: SignUp, ConfirmSignUp, ResendConfirmationCode, AdminCreateUser,
 * AdminConfirmSignUp, with the pre sign-up and post confirmation triggers.
 */
import type { CallContext, EmulatorContext } from './context.js';
import { CognitoError, invalidParameter, notAuthorized } from './errors.js';
import { attributesMap, type Json, record, str } from './input.js';
import { clientById, findUser, requirePool, requireUser } from './lookup.js';
import {
  checkPendingCode,
  issueConfirmationCode,
  sendTemporaryPassword,
  temporaryPassword,
} from './messages.js';
import { checkPasswordPolicy, parseAttributes, userType } from './model.js';
import { hasTrigger, runTrigger } from './pool-triggers.js';
import { checkSecretHash } from './secret-hash.js';
import { createVerifier } from './srp.js';
import type { PoolRecord, UserRecord } from './state.js';
import { assertUnique, eventUserAttributes, newUser, resolveNewUsername } from './user-records.js';

export async function signUp(ctx: EmulatorContext, i: Json, caller: CallContext): Promise<Json> {
  const { pool, client } = clientById(ctx, i.ClientId);
  const requested = str(i, 'Username');
  checkSecretHash(client, [requested], i.SecretHash);
  const password = checkPasswordPolicy(pool.passwordPolicy, i.Password);
  const { username, attributes } = resolveNewUsername(
    pool,
    requested,
    parseAttributes(pool, i.UserAttributes),
  );
  assertUnique(pool, username, attributes);
  let confirmed = false;
  if (hasTrigger(ctx, pool, 'PreSignUp')) {
    const response = await runTrigger(
      ctx,
      pool,
      'PreSignUp',
      'PreSignUp_SignUp',
      client.clientId,
      username,
      preSignUpRequest(attributes, i),
      { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
      caller,
    );
    confirmed = response.autoConfirmUser === true;
    if (response.autoVerifyEmail === true && attributes.email) attributes.email_verified = 'true';
    if (response.autoVerifyPhone === true && attributes.phone_number)
      attributes.phone_number_verified = 'true';
    // The user may have been created meanwhile (the trigger ran asynchronously).
    assertUnique(pool, username, attributes);
  }
  const user = newUser(ctx, pool, username, attributes, confirmed ? 'CONFIRMED' : 'UNCONFIRMED');
  user.verifier = createVerifier(pool.id, user.username, password);
  pool.users[user.username] = user;
  ctx.changed();
  let delivery: Json | undefined;
  if (confirmed) {
    await postConfirmation(ctx, pool, client.clientId, user, record(i.ClientMetadata), caller);
  } else if (
    pool.autoVerifiedAttributes.includes('email') ||
    pool.usernameAttributes.includes('email')
  ) {
    delivery = await issueConfirmationCode(ctx, user);
  }
  return {
    UserConfirmed: confirmed,
    UserSub: user.attributes.sub,
    ...(delivery ? { CodeDeliveryDetails: delivery } : {}),
  };
}

export async function confirmSignUp(
  ctx: EmulatorContext,
  i: Json,
  caller: CallContext,
): Promise<Json> {
  const { pool, client } = clientById(ctx, i.ClientId);
  const name = str(i, 'Username');
  const code = str(i, 'ConfirmationCode');
  const user = findUser(pool, name);
  if (!user)
    throw new CognitoError('UserNotFoundException', 'Username/client id combination not found.');
  checkSecretHash(client, [name, user.username], i.SecretHash);
  if (user.status !== 'UNCONFIRMED') {
    throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  }
  checkPendingCode(ctx, user, `${user.username}:${code}`);
  user.status = 'CONFIRMED';
  delete user.confirmation;
  if (user.attributes.email) user.attributes.email_verified = 'true';
  user.modified = ctx.now();
  ctx.changed();
  await postConfirmation(ctx, pool, client.clientId, user, record(i.ClientMetadata), caller);
  return {};
}

export async function resendConfirmationCode(ctx: EmulatorContext, i: Json): Promise<Json> {
  const { pool, client } = clientById(ctx, i.ClientId);
  const name = str(i, 'Username');
  const user = findUser(pool, name);
  if (!user)
    throw new CognitoError('UserNotFoundException', 'Username/client id combination not found.');
  checkSecretHash(client, [name, user.username], i.SecretHash);
  if (user.status !== 'UNCONFIRMED') throw invalidParameter('User is already confirmed.');
  const delivery = await issueConfirmationCode(ctx, user);
  return delivery ? { CodeDeliveryDetails: delivery } : {};
}

export async function adminCreateUser(
  ctx: EmulatorContext,
  i: Json,
  caller: CallContext,
): Promise<Json> {
  const pool = requirePool(ctx, i.UserPoolId);
  const requested = str(i, 'Username');
  const action = i.MessageAction;
  if (action === 'RESEND') {
    const user = requireUser(pool, requested);
    if (user.status !== 'FORCE_CHANGE_PASSWORD')
      throw new CognitoError('UnsupportedOperationException', 'Resend not possible.');
    const temporary = temporaryPassword(pool);
    user.verifier = createVerifier(pool.id, user.username, temporary);
    user.temporaryPasswordExpires =
      ctx.now() + pool.passwordPolicy.TemporaryPasswordValidityDays * 86_400_000;
    ctx.passwords.forget(user.username);
    ctx.changed();
    await sendTemporaryPassword(ctx, user, requested, temporary);
    return { User: userType(user) };
  }
  const { username, attributes } = resolveNewUsername(
    pool,
    requested,
    parseAttributes(pool, i.UserAttributes),
  );
  assertUnique(pool, username, attributes);
  const temporary =
    typeof i.TemporaryPassword === 'string' && i.TemporaryPassword.length > 0
      ? checkPasswordPolicy(pool.passwordPolicy, i.TemporaryPassword)
      : temporaryPassword(pool);
  if (hasTrigger(ctx, pool, 'PreSignUp')) {
    // AdminCreateUser ignores the auto-confirm/verify flags: the user is FORCE_CHANGE_PASSWORD.
    await runTrigger(
      ctx,
      pool,
      'PreSignUp',
      'PreSignUp_AdminCreateUser',
      'CLIENT_ID_NOT_APPLICABLE',
      username,
      preSignUpRequest(attributes, i),
      { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
      caller,
    );
    assertUnique(pool, username, attributes);
  }
  const user = newUser(ctx, pool, username, attributes, 'FORCE_CHANGE_PASSWORD');
  user.verifier = createVerifier(pool.id, user.username, temporary);
  user.temporaryPasswordExpires =
    ctx.now() + pool.passwordPolicy.TemporaryPasswordValidityDays * 86_400_000;
  pool.users[user.username] = user;
  ctx.changed();
  if (action !== 'SUPPRESS') await sendTemporaryPassword(ctx, user, requested, temporary);
  return { User: userType(user) };
}

export async function adminConfirmSignUp(
  ctx: EmulatorContext,
  i: Json,
  caller: CallContext,
): Promise<Json> {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  if (user.status !== 'UNCONFIRMED') {
    throw notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  }
  user.status = 'CONFIRMED';
  delete user.confirmation;
  user.modified = ctx.now();
  ctx.changed();
  await postConfirmation(
    ctx,
    pool,
    'CLIENT_ID_NOT_APPLICABLE',
    user,
    record(i.ClientMetadata),
    caller,
  );
  return {};
}

export async function postConfirmation(
  ctx: EmulatorContext,
  pool: PoolRecord,
  clientId: string,
  user: UserRecord,
  clientMetadata: Record<string, string>,
  caller: CallContext,
): Promise<void> {
  if (!hasTrigger(ctx, pool, 'PostConfirmation')) return;
  await runTrigger(
    ctx,
    pool,
    'PostConfirmation',
    'PostConfirmation_ConfirmSignUp',
    clientId,
    user.username,
    { userAttributes: eventUserAttributes(user), clientMetadata },
    {},
    caller,
  );
}

/** The pre sign-up event's request: validation data is null when the caller sent none. */
function preSignUpRequest(attributes: Record<string, string>, input: Json): Json {
  const validationData = attributesMap(input.ValidationData);
  return {
    userAttributes: { ...attributes },
    validationData: Object.keys(validationData).length > 0 ? validationData : null,
    clientMetadata: record(input.ClientMetadata),
  };
}
