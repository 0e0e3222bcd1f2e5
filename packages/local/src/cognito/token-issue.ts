/** Issuing a sign-in's ID, access and refresh tokens, with the pre token generation trigger. */
import { randomUUID } from 'node:crypto';
import {
  applyClaims,
  applyGroupOverride,
  RESERVED_ACCESS_CLAIMS,
  RESERVED_ID_CLAIMS,
  readPreTokenAnswer,
} from './claims.js';
import type { CallContext, EmulatorContext } from './context.js';
import { sortedGroups } from './groups.js';
import { type Json, safeJson } from './input.js';
import { poolIssuer } from './lookup.js';
import { hasTrigger, runTrigger } from './pool-triggers.js';
import type { ClientRecord, PoolRecord, RefreshTokenRecord, UserRecord } from './state.js';
import { digest, newRefreshToken, signJwt, signJwtAsync } from './tokens.js';
import { eventUserAttributes } from './user-records.js';

export const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

export async function issueTokens(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  triggerSource: string,
  clientMetadata: Record<string, string>,
  caller: CallContext,
  options: { refresh?: RefreshTokenRecord; scopes?: string[] } = {},
): Promise<Json> {
  const now = ctx.now();
  const iat = Math.floor(now / 1000);
  const authTime = options.refresh ? Math.floor(options.refresh.authTime / 1000) : iat;
  const originJti = options.refresh?.originJti ?? randomUUID();
  const groups = sortedGroups(pool, user);
  let groupNames = groups.map((group) => group.name);
  let roles = groups.map((group) => group.roleArn).filter((arn): arn is string => !!arn);
  let preferredRole: string | null = roles[0] ?? null;
  let scopes = options.scopes ?? [ADMIN_SCOPE];
  const issuer = poolIssuer(ctx, pool.id);
  const eventId = randomUUID();

  const idClaims: Json = { sub: user.attributes.sub };
  for (const [name, value] of Object.entries(user.attributes)) {
    if (name === 'sub') continue;
    if (name === 'email_verified' || name === 'phone_number_verified')
      idClaims[name] = value === 'true';
    else if (name === 'identities') idClaims[name] = safeJson(value);
    else idClaims[name] = value;
  }
  let idAdd: Json = {};
  let idSuppress: string[] = [];
  let accessAdd: Json = {};
  let accessSuppress: string[] = [];
  let scopesAdd: string[] = [];
  let scopesSuppress: string[] = [];

  if (hasTrigger(ctx, pool, 'PreTokenGeneration')) {
    const version = pool.triggers.PreTokenGeneration ?? 'V1_0';
    const request: Json = {
      userAttributes: eventUserAttributes(user),
      groupConfiguration: {
        groupsToOverride: groupNames,
        iamRolesToOverride: roles,
        preferredRole,
      },
      clientMetadata,
    };
    if (version !== 'V1_0') request.scopes = scopes;
    const response = await runTrigger(
      ctx,
      pool,
      'PreTokenGeneration',
      triggerSource,
      client.clientId,
      user.username,
      request,
      version === 'V1_0'
        ? { claimsOverrideDetails: null }
        : { claimsAndScopeOverrideDetails: null },
      caller,
      version,
    );
    const answer = readPreTokenAnswer(version, response);
    ({ idAdd, idSuppress, accessAdd, accessSuppress, scopesAdd, scopesSuppress } = answer);
    ({ groupNames, roles, preferredRole } = applyGroupOverride(
      answer.groupOverride,
      groupNames,
      roles,
      preferredRole,
    ));
  }

  // Claims the response may change are applied first; suppression wins over addition,
  // and Cognito's own claims (RESERVED_*) are set last so no response can override them.
  applyClaims(idClaims, idAdd, idSuppress, RESERVED_ID_CLAIMS);
  scopes = [...new Set([...scopes, ...scopesAdd])].filter(
    (scope) => !scopesSuppress.includes(scope),
  );

  const idExp = iat + client.idTokenValidity;
  const accessExp = iat + client.accessTokenValidity;
  Object.assign(idClaims, {
    ...(groupNames.length ? { 'cognito:groups': groupNames } : {}),
    ...(roles.length ? { 'cognito:roles': roles } : {}),
    ...(preferredRole ? { 'cognito:preferred_role': preferredRole } : {}),
    iss: issuer,
    'cognito:username': user.username,
    origin_jti: originJti,
    aud: client.clientId,
    event_id: eventId,
    token_use: 'id',
    auth_time: authTime,
    exp: idExp,
    iat,
    jti: randomUUID(),
  });
  const accessClaims: Json = {
    sub: user.attributes.sub,
    ...(groupNames.length ? { 'cognito:groups': groupNames } : {}),
  };
  applyClaims(accessClaims, accessAdd, accessSuppress, RESERVED_ACCESS_CLAIMS);
  Object.assign(accessClaims, {
    iss: issuer,
    client_id: client.clientId,
    origin_jti: originJti,
    event_id: eventId,
    token_use: 'access',
    scope: scopes.join(' '),
    auth_time: authTime,
    exp: accessExp,
    iat,
    jti: randomUUID(),
    username: user.username,
  });
  // One token on libuv's thread pool, the other on this thread meanwhile. Measured in
  // the stack: 0.65-0.70 ms for both, against 0.98 ms with both on the pool (thread
  // hand-offs) and 0.76 ms with both here.
  const idSigned = signJwtAsync(pool.key, idClaims);
  let accessToken: string;
  try {
    accessToken = signJwt(pool.key, accessClaims);
  } finally {
    // Never leave the pool's promise unobserved, even if this thread's signing threw.
    idSigned.catch(() => undefined);
  }
  const idToken = await idSigned;
  const result: Json = {
    AccessToken: accessToken,
    ExpiresIn: client.accessTokenValidity,
    TokenType: 'Bearer',
    IdToken: idToken,
  };
  if (!options.refresh) {
    const refreshToken = newRefreshToken();
    const hash = digest(refreshToken);
    const token: RefreshTokenRecord = {
      poolId: pool.id,
      clientId: client.clientId,
      username: user.username,
      originJti,
      authTime: now,
      issued: now,
      expires: now + client.refreshTokenValidity * 1000,
      revoked: false,
    };
    ctx.state.refreshTokens[hash] = token;
    ctx.originIndex.set(originJti, hash);
    result.RefreshToken = refreshToken;
    ctx.tokenChanged(hash, token);
  }
  return result;
}
