/**
 * Finding pools, clients and users named in a request, with Cognito's not-found errors,
 * and a pool's issuer.
 */
import type { EmulatorContext } from './context.js';
import { CognitoError, userNotFound } from './errors.js';
import { type Json, shown } from './input.js';
import type { ClientRecord, PoolRecord, UserRecord } from './state.js';

/** The issuer of a pool's tokens: `<baseUrl>/<poolId>`. */
export function poolIssuer(ctx: EmulatorContext, poolId: string): string {
  return `${ctx.baseUrl}/${poolId}`;
}

export function requirePool(ctx: EmulatorContext, poolId: unknown): PoolRecord {
  const pool = typeof poolId === 'string' ? ctx.state.pools[poolId] : undefined;
  if (!pool)
    throw new CognitoError(
      'ResourceNotFoundException',
      `User pool ${shown(poolId)} does not exist.`,
    );
  return pool;
}

export function clientOf(pool: PoolRecord, clientId: unknown): ClientRecord {
  const client = typeof clientId === 'string' ? pool.clients[clientId] : undefined;
  if (!client)
    throw new CognitoError(
      'ResourceNotFoundException',
      `User pool client ${shown(clientId)} does not exist.`,
    );
  return client;
}

/** The pool and client of a call: Admin* calls name the pool, the others only the client. */
export function poolAndClient(
  ctx: EmulatorContext,
  i: Json,
  admin: boolean,
): { pool: PoolRecord; client: ClientRecord } {
  if (!admin) return clientById(ctx, i.ClientId);
  const pool = requirePool(ctx, i.UserPoolId);
  return { pool, client: clientOf(pool, i.ClientId) };
}

export function clientById(
  ctx: EmulatorContext,
  clientId: unknown,
): { pool: PoolRecord; client: ClientRecord } {
  if (typeof clientId === 'string') {
    for (const pool of Object.values(ctx.state.pools)) {
      const client = pool.clients[clientId];
      if (client) return { pool, client };
    }
  }
  throw new CognitoError(
    'ResourceNotFoundException',
    `User pool client ${shown(clientId)} does not exist.`,
  );
}

/** By username, then by email/phone when they are username attributes, then by verified alias. */
export function findUser(pool: PoolRecord, name: string): UserRecord | undefined {
  const direct = pool.users[name];
  if (direct) return direct;
  const lower = name.toLowerCase();
  const users = Object.values(pool.users);
  for (const attr of pool.usernameAttributes) {
    const found = users.find((user) =>
      attr === 'email'
        ? user.attributes.email?.toLowerCase() === lower
        : user.attributes[attr] === name,
    );
    if (found) return found;
  }
  for (const attr of pool.aliasAttributes) {
    const found = users.find(
      (user) =>
        (attr === 'email'
          ? user.attributes.email?.toLowerCase() === lower
          : user.attributes[attr] === name) &&
        (attr === 'preferred_username' || user.attributes[`${attr}_verified`] === 'true'),
    );
    if (found) return found;
  }
  return undefined;
}

export function requireUser(pool: PoolRecord, name: unknown): UserRecord {
  const user = typeof name === 'string' ? findUser(pool, name) : undefined;
  if (!user) throw userNotFound();
  return user;
}
