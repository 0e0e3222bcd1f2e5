/** Revoking refresh tokens (and the access tokens issued from them): RevokeToken, GlobalSignOut, AdminUserGlobalSignOut. */
import { verifyAccessToken } from './access-token.js';
import type { EmulatorContext } from './context.js';
import { CognitoError, notAuthorized } from './errors.js';
import { type Json, str } from './input.js';
import { clientById, requirePool, requireUser } from './lookup.js';
import { safeEqual } from './secret-hash.js';
import { decodeJwt, digest } from './tokens.js';

export function revokeUserTokens(ctx: EmulatorContext, poolId: string, username: string): void {
  for (const [hash, token] of Object.entries(ctx.state.refreshTokens)) {
    if (token.poolId === poolId && token.username === username && !token.revoked) {
      token.revoked = true;
      ctx.tokenChanged(hash, token);
    }
  }
}

export function revokeToken(ctx: EmulatorContext, i: Json): Json {
  const token = str(i, 'Token');
  const { client } = clientById(ctx, i.ClientId);
  if (client.clientSecret) {
    if (typeof i.ClientSecret !== 'string' || !safeEqual(i.ClientSecret, client.clientSecret)) {
      throw notAuthorized('Client secret is incorrect.');
    }
  }
  if (!client.enableTokenRevocation) {
    throw new CognitoError(
      'UnsupportedOperationException',
      'Token revocation is not enabled for this client.',
    );
  }
  if (decodeJwt(token))
    throw new CognitoError('UnsupportedTokenTypeException', 'Unsupported token type.');
  const hash = digest(token);
  const record = ctx.state.refreshTokens[hash];
  // RFC 7009: an unknown token is not an error.
  if (record) {
    if (record.clientId !== client.clientId) throw notAuthorized('Invalid token for this client.');
    record.revoked = true;
    ctx.tokenChanged(hash, record);
  }
  return {};
}

export function globalSignOut(ctx: EmulatorContext, i: Json): Json {
  const { pool, user } = verifyAccessToken(ctx, i.AccessToken);
  revokeUserTokens(ctx, pool.id, user.username);
  return {};
}

export function adminUserGlobalSignOut(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  revokeUserTokens(ctx, pool.id, user.username);
  return {};
}
