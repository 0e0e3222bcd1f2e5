/** REFRESH_TOKEN_AUTH / REFRESH_TOKEN: new ID and access tokens from a refresh token. */
import type { CallContext, EmulatorContext } from './context.js';
import { invalidParameter, notAuthorized } from './errors.js';
import type { Json } from './input.js';
import { checkSecretHash } from './secret-hash.js';
import type { ClientRecord, PoolRecord } from './state.js';
import { issueTokens } from './token-issue.js';
import { digest } from './tokens.js';

export async function refreshAuth(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  params: Record<string, string>,
  clientMetadata: Record<string, string>,
  caller: CallContext,
): Promise<Json> {
  const token = params.REFRESH_TOKEN;
  if (!token) throw invalidParameter('Missing required parameter REFRESH_TOKEN');
  const stored = ctx.state.refreshTokens[digest(token)];
  if (!stored || stored.poolId !== pool.id || stored.clientId !== client.clientId) {
    throw notAuthorized('Invalid Refresh Token');
  }
  if (stored.revoked) throw notAuthorized('Refresh Token has been revoked');
  if (stored.expires <= ctx.now()) throw notAuthorized('Refresh Token has expired');
  const user = pool.users[stored.username];
  if (!user) throw notAuthorized('User does not exist.');
  checkSecretHash(
    client,
    [stored.username, params.USERNAME ?? '', user.attributes.email ?? ''].filter(Boolean),
    params.SECRET_HASH,
  );
  if (!user.enabled) throw notAuthorized('User is disabled.');
  const tokens = await issueTokens(
    ctx,
    pool,
    client,
    user,
    'TokenGeneration_RefreshTokens',
    clientMetadata,
    caller,
    {
      refresh: stored,
    },
  );
  return { ChallengeParameters: {}, AuthenticationResult: tokens };
}
