/** Verifying an access token issued here (signature, expiry, revocation, user state). */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { EmulatorContext } from './context.js';
import { notAuthorized, userNotFound } from './errors.js';
import type { Json } from './input.js';
import { poolIssuer } from './lookup.js';
import type { PoolRecord, UserRecord } from './state.js';
import { decodeJwt } from './tokens.js';

function publicKey(ctx: EmulatorContext, pool: PoolRecord): KeyObject {
  let key = ctx.publicKeys.get(pool.key.kid);
  if (!key) {
    key = createPublicKey({ key: pool.key.publicJwk, format: 'jwk' });
    ctx.publicKeys.set(pool.key.kid, key);
  }
  return key;
}

/** Verifies an access token issued here; returns pool, user and claims. */
export function verifyAccessToken(
  ctx: EmulatorContext,
  token: unknown,
): { pool: PoolRecord; user: UserRecord; claims: Json } {
  if (typeof token !== 'string') throw notAuthorized('Invalid Access Token');
  const decoded = decodeJwt(token);
  const iss = decoded?.payload.iss;
  const poolId = typeof iss === 'string' ? iss.slice(iss.lastIndexOf('/') + 1) : '';
  const pool = ctx.state.pools[poolId];
  if (
    !decoded ||
    !pool ||
    iss !== poolIssuer(ctx, pool.id) ||
    decoded.header.kid !== pool.key.kid
  ) {
    throw notAuthorized('Invalid Access Token');
  }
  if (!verify('sha256', Buffer.from(decoded.input), publicKey(ctx, pool), decoded.signature)) {
    throw notAuthorized('Invalid Access Token');
  }
  const claims = decoded.payload;
  if (claims.token_use !== 'access') throw notAuthorized('Invalid Access Token');
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= ctx.now()) {
    throw notAuthorized('Access Token has expired');
  }
  const origin =
    typeof claims.origin_jti === 'string' ? ctx.originIndex.get(claims.origin_jti) : undefined;
  if (origin === undefined || ctx.state.refreshTokens[origin]?.revoked !== false) {
    throw notAuthorized('Access Token has been revoked');
  }
  const user = pool.users[String(claims.username)];
  if (!user) throw userNotFound();
  if (!user.enabled) throw notAuthorized('User is disabled.');
  return { pool, user, claims };
}
