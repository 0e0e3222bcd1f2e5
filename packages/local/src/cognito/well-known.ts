/** A pool's public signing key (JWKS) and OpenID configuration; GetSigningCertificate. */
import type { EmulatorContext } from './context.js';
import { CognitoError } from './errors.js';
import type { Json } from './input.js';
import { poolIssuer, requirePool } from './lookup.js';
import { ADMIN_SCOPE } from './token-issue.js';

/** The public JWKS of a pool. */
export function jwks(ctx: EmulatorContext, poolId: string): { keys: Record<string, string>[] } {
  return { keys: [requirePool(ctx, poolId).key.publicJwk] };
}

export function openIdConfiguration(ctx: EmulatorContext, poolId: string): Json {
  const pool = requirePool(ctx, poolId);
  const issuer = poolIssuer(ctx, pool.id);
  const scopes = new Set(['openid', 'email', 'phone', 'profile', ADMIN_SCOPE]);
  for (const server of Object.values(pool.resourceServers)) {
    for (const scope of server.scopes) scopes.add(`${server.identifier}/${scope.ScopeName}`);
  }
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${ctx.baseUrl}/oauth2/token`,
    authorization_endpoint: `${ctx.baseUrl}/oauth2/authorize`,
    userinfo_endpoint: `${ctx.baseUrl}/oauth2/userInfo`,
    response_types_supported: ['code', 'token'],
    grant_types_supported: ['client_credentials', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...scopes],
  };
}

export function getSigningCertificate(): never {
  throw new CognitoError(
    'UnsupportedOperationException',
    'GetSigningCertificate is not supported locally',
  );
}
