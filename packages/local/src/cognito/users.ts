/**
 * Users and their attributes: seeding, AdminGetUser, AdminDeleteUser, AdminDisableUser,
 * AdminEnableUser, AdminUpdateUserAttributes, ListUsers, and the access-token calls GetUser,
 * UpdateUserAttributes and DeleteUser.
 */
import { verifyAccessToken } from './access-token.js';
import type { EmulatorContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import { matchesFilter, parseUserFilter } from './filter.js';
import { type Json, paginate } from './input.js';
import { findUser, requirePool, requireUser } from './lookup.js';
import { checkPasswordPolicy, parseAttributes, userType } from './model.js';
import { revokeUserTokens } from './revocation.js';
import { createVerifier } from './srp.js';
import { userMfaView } from './user-mfa.js';
import { newUser, resolveNewUsername } from './user-records.js';

/** Creates a confirmed user with a permanent password (seeding, tests). */
export async function seedUser(
  ctx: EmulatorContext,
  poolId: string,
  username: string,
  password: string,
  attributes: Record<string, string> = {},
): Promise<{ username: string; sub: string }> {
  const pool = requirePool(ctx, poolId);
  const { username: name, attributes: attrs } = resolveNewUsername(pool, username, attributes);
  if (findUser(pool, username))
    throw new CognitoError('UsernameExistsException', 'User account already exists');
  const user = newUser(ctx, pool, name, attrs, 'CONFIRMED');
  user.verifier = createVerifier(
    pool.id,
    user.username,
    checkPasswordPolicy(pool.passwordPolicy, password),
  );
  pool.users[user.username] = user;
  ctx.changed();
  return { username: user.username, sub: user.attributes.sub as string };
}

export function adminGetUser(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  const { Attributes, ...rest } = userType(user);
  return { ...rest, UserAttributes: Attributes, MFAOptions: [], ...userMfaView(user) };
}

export function adminDeleteUser(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  delete pool.users[user.username];
  ctx.passwords.forget(user.username);
  revokeUserTokens(ctx, pool.id, user.username);
  ctx.changed();
  return {};
}

function adminSetEnabled(ctx: EmulatorContext, i: Json, enabled: boolean): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  user.enabled = enabled;
  user.modified = ctx.now();
  ctx.changed();
  return {};
}

export function adminDisableUser(ctx: EmulatorContext, i: Json): Json {
  return adminSetEnabled(ctx, i, false);
}

export function adminEnableUser(ctx: EmulatorContext, i: Json): Json {
  return adminSetEnabled(ctx, i, true);
}

export function adminUpdateUserAttributes(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  const updates = parseAttributes(pool, i.UserAttributes);
  for (const [name, value] of Object.entries(updates)) {
    const schema = pool.schema.find((attr) => attr.Name === name);
    if (schema && schema.Mutable === false && user.attributes[name] !== undefined) {
      throw invalidParameter(`Cannot modify the non-mutable attribute ${name}`);
    }
    if ((name === 'email' || name === 'phone_number') && pool.usernameAttributes.includes(name)) {
      const other = findUser(pool, value);
      if (other && other !== user) {
        throw new CognitoError(
          'AliasExistsException',
          'An account with the given email already exists.',
        );
      }
    }
    if (
      (name === 'email' || name === 'phone_number') &&
      user.attributes[name] !== value &&
      updates[`${name}_verified`] === undefined
    ) {
      user.attributes[`${name}_verified`] = 'false';
    }
    if (value === '') delete user.attributes[name];
    else user.attributes[name] = value;
  }
  user.modified = ctx.now();
  ctx.changed();
  return {};
}

export function listUsers(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const filter = parseUserFilter(typeof i.Filter === 'string' ? i.Filter : undefined);
  const only = Array.isArray(i.AttributesToGet) ? (i.AttributesToGet as string[]) : undefined;
  const users = Object.values(pool.users)
    .filter((user) => matchesFilter(user, filter))
    .sort((a, b) => a.created - b.created || a.username.localeCompare(b.username));
  return paginate(users, i, 60, (user) => userType(user, only), 'Users', 'PaginationToken');
}

export function getUser(ctx: EmulatorContext, i: Json): Json {
  const { user } = verifyAccessToken(ctx, i.AccessToken);
  return {
    Username: user.username,
    UserAttributes: userType(user).Attributes,
    MFAOptions: [],
    ...userMfaView(user),
  };
}

export function updateUserAttributes(ctx: EmulatorContext, i: Json): Json {
  const { pool, user } = verifyAccessToken(ctx, i.AccessToken);
  return adminUpdateUserAttributes(ctx, { ...i, UserPoolId: pool.id, Username: user.username });
}

export function deleteUser(ctx: EmulatorContext, i: Json): Json {
  const { pool, user } = verifyAccessToken(ctx, i.AccessToken);
  return adminDeleteUser(ctx, { UserPoolId: pool.id, Username: user.username });
}
