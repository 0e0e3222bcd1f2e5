/** New users' names and records, uniqueness checks, and the user attributes triggers see. */
import type { EmulatorContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import { newSub } from './ids.js';
import type { Json } from './input.js';
import { findUser } from './lookup.js';
import type { PoolRecord, UserRecord } from './state.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function resolveNewUsername(
  pool: PoolRecord,
  requested: string,
  attributes: Record<string, string>,
): { username: string; attributes: Record<string, string> } {
  if (pool.usernameAttributes.length === 0) {
    if (/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u.test(requested) === false) {
      throw invalidParameter(
        "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
      );
    }
    return { username: requested, attributes };
  }
  const attrs = { ...attributes };
  if (pool.usernameAttributes.includes('email') && requested.includes('@')) {
    attrs.email = requested;
  } else if (pool.usernameAttributes.includes('phone_number') && /^\+\d{4,15}$/.test(requested)) {
    attrs.phone_number = requested;
  } else {
    throw invalidParameter(
      pool.usernameAttributes.includes('email')
        ? 'Username should be an email.'
        : 'Username should be a phone number.',
    );
  }
  return { username: newSub(), attributes: attrs };
}

export function newUser(
  ctx: EmulatorContext,
  pool: PoolRecord,
  username: string,
  attributes: Record<string, string>,
  status: UserRecord['status'],
): UserRecord {
  const now = ctx.now();
  // With username attributes Cognito's username is a UUID equal to `sub`.
  const sub = pool.usernameAttributes.length > 0 && UUID.test(username) ? username : newSub();
  return {
    username,
    attributes: { sub, ...attributes },
    status,
    enabled: true,
    created: now,
    modified: now,
    groups: [],
    links: [],
  };
}

export function assertUnique(
  pool: PoolRecord,
  username: string,
  attributes: Record<string, string>,
): void {
  if (pool.users[username])
    throw new CognitoError('UsernameExistsException', 'User already exists');
  for (const attr of pool.usernameAttributes) {
    const value = attributes[attr];
    if (value && findUser(pool, value)) {
      throw new CognitoError(
        'UsernameExistsException',
        attr === 'email'
          ? 'An account with the given email already exists.'
          : 'An account with the given phone_number already exists.',
      );
    }
  }
}

export function eventUserAttributes(user: UserRecord): Record<string, string> {
  return { ...user.attributes, 'cognito:user_status': user.status };
}

export function identitiesOf(user: UserRecord, now: number): Json[] {
  return user.links.map((link, index) => ({
    userId: link.providerAttributeValue,
    providerName: link.providerName,
    providerType: ['Google', 'Facebook', 'LoginWithAmazon', 'SignInWithApple'].includes(
      link.providerName,
    )
      ? link.providerName
      : 'OIDC',
    issuer: null,
    primary: index === 0 ? 'true' : 'false',
    dateCreated: String(now),
  }));
}
