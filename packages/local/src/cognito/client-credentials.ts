/** The OAuth2 client_credentials grant (`POST /oauth2/token`) for confidential clients. */
import { randomUUID } from 'node:crypto';
import { applyClaims, RESERVED_ACCESS_CLAIMS, readPreTokenAnswer } from './claims.js';
import { type CallContext, DEFAULT_CONTEXT, type EmulatorContext } from './context.js';
import { OAuthError } from './errors.js';
import type { Json } from './input.js';
import { clientById, poolIssuer } from './lookup.js';
import { hasTrigger, runTrigger } from './pool-triggers.js';
import { safeEqual } from './secret-hash.js';
import type { ClientRecord, PoolRecord } from './state.js';
import { signJwtAsync } from './tokens.js';

/** OAuth2 client_credentials for a confidential client (M2M), with the V3_0 event. */
export async function clientCredentials(
  ctx: EmulatorContext,
  clientId: string,
  clientSecret: string,
  scopeParam: string | undefined,
  caller: CallContext = DEFAULT_CONTEXT,
  viaBasic = false,
): Promise<{ access_token: string; expires_in: number; token_type: 'Bearer' }> {
  const invalidClient = new OAuthError('invalid_client', viaBasic ? 401 : 400);
  let found: { pool: PoolRecord; client: ClientRecord };
  try {
    found = clientById(ctx, clientId);
  } catch {
    throw invalidClient;
  }
  const { pool, client } = found;
  if (!client.clientSecret || !safeEqual(client.clientSecret, clientSecret)) throw invalidClient;
  if (!client.allowedOAuthFlows.includes('client_credentials')) {
    throw new OAuthError('unauthorized_client', 400);
  }
  const allowed = client.allowedOAuthScopes.filter((scope) => scope.includes('/'));
  let scopes = scopeParam ? scopeParam.split(/\s+/).filter(Boolean) : allowed;
  if (scopes.length === 0 || scopes.some((scope) => !allowed.includes(scope))) {
    throw new OAuthError('invalid_scope', 400);
  }
  const now = ctx.now();
  const iat = Math.floor(now / 1000);
  let add: Json = {};
  let suppress: string[] = [];
  if (pool.triggers.PreTokenGeneration === 'V3_0' && hasTrigger(ctx, pool, 'PreTokenGeneration')) {
    let response: Json;
    try {
      response = await runTrigger(
        ctx,
        pool,
        'PreTokenGeneration',
        'TokenGeneration_ClientCredentials',
        client.clientId,
        undefined,
        {
          userAttributes: {},
          groupConfiguration: {
            groupsToOverride: [],
            iamRolesToOverride: [],
            preferredRole: null,
          },
          scopes,
        },
        { claimsAndScopeOverrideDetails: null },
        caller,
        'V3_0',
      );
    } catch {
      throw new OAuthError('invalid_request', 400);
    }
    const answer = readPreTokenAnswer('V3_0', response);
    add = answer.accessAdd;
    suppress = answer.accessSuppress;
    const { scopesAdd, scopesSuppress } = answer;
    scopes = [...new Set([...scopes, ...scopesAdd])].filter(
      (scope) => !scopesSuppress.includes(scope),
    );
  }
  const claims: Json = { sub: client.clientId };
  applyClaims(claims, add, suppress, RESERVED_ACCESS_CLAIMS);
  Object.assign(claims, {
    token_use: 'access',
    scope: scopes.join(' '),
    auth_time: iat,
    iss: poolIssuer(ctx, pool.id),
    exp: iat + client.accessTokenValidity,
    iat,
    version: 2,
    jti: randomUUID(),
    client_id: client.clientId,
  });
  return {
    access_token: await signJwtAsync(pool.key, claims),
    expires_in: client.accessTokenValidity,
    token_type: 'Bearer',
  };
}
