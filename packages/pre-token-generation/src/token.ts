/**
 * The tokens as Cognito would write them: the untouched claim sets built from an event
 * (for preview diffs and size estimates), Cognito's application of a trigger response
 * to them, and the length of the resulting JWTs.
 */

import type { TokenEvent, TokenResponse } from './engine.js';
import { CLIENT_CREDENTIALS_SOURCE } from './reserved.js';
import type { JsonValue } from './schema.js';

export type Claims = Record<string, JsonValue>;

export interface TokenClaims {
  /** Absent for a client-credentials (machine) token. */
  id?: Claims;
  access: Claims;
}

/** Cognito's ID and access tokens live an hour by default. */
const TOKEN_LIFETIME_S = 3600;
/** Placeholders with the length of Cognito's own values, so size estimates are right. */
const UUID = '00000000-0000-4000-8000-000000000000';

/** Attributes Cognito writes with a non-string type. */
const BOOLEAN_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);
const NUMBER_ATTRIBUTES = new Set(['updated_at']);
/** Attributes Cognito never writes into a token. */
const HIDDEN_ATTRIBUTES = new Set(['cognito:user_status', 'cognito:mfa_enabled']);

function typed(name: string, value: string): JsonValue {
  if (BOOLEAN_ATTRIBUTES.has(name)) return value === 'true';
  if (NUMBER_ATTRIBUTES.has(name) && /^\d+$/.test(value)) return Number(value);
  return value;
}

/** The issuer URL of a user pool. */
export function issuerOf(event: Pick<TokenEvent, 'region' | 'userPoolId'>): string {
  return `https://cognito-idp.${event.region}.amazonaws.com/${event.userPoolId}`;
}

/**
 * The claims Cognito would issue without a trigger, as closely as the event tells:
 * user attributes in the ID token, groups/roles in both, scopes in the access token.
 */
export function untouchedClaims(event: TokenEvent, nowMs: number): TokenClaims {
  const iat = Math.floor(nowMs / 1000);
  const common = {
    iss: issuerOf(event),
    iat,
    exp: iat + TOKEN_LIFETIME_S,
    auth_time: iat,
    jti: UUID,
  };
  const scopes = event.request.scopes ?? [];
  if (event.triggerSource === CLIENT_CREDENTIALS_SOURCE) {
    const clientId = event.callerContext.clientId;
    return {
      access: {
        sub: clientId,
        token_use: 'access',
        scope: scopes.join(' '),
        ...common,
        version: 2,
        client_id: clientId,
      },
    };
  }
  const attributes = event.request.userAttributes;
  const groups = event.request.groupConfiguration;
  const sub = attributes.sub ?? UUID;
  const groupClaims: Claims = {};
  if (groups.groupsToOverride.length > 0)
    groupClaims['cognito:groups'] = [...groups.groupsToOverride];
  const id: Claims = { sub, ...groupClaims };
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'sub' || HIDDEN_ATTRIBUTES.has(name)) continue;
    id[name] = typed(name, value);
  }
  if (groups.iamRolesToOverride.length > 0) id['cognito:roles'] = [...groups.iamRolesToOverride];
  if (groups.preferredRole) id['cognito:preferred_role'] = groups.preferredRole;
  Object.assign(id, {
    'cognito:username': event.userName ?? '',
    origin_jti: UUID,
    aud: event.callerContext.clientId,
    event_id: UUID,
    token_use: 'id',
    ...common,
  });
  const access: Claims = {
    sub,
    ...groupClaims,
    origin_jti: UUID,
    event_id: UUID,
    token_use: 'access',
    scope: scopes.join(' '),
    ...common,
    client_id: event.callerContext.clientId,
    username: event.userName ?? '',
  };
  return { id, access };
}

function applyGroups(
  claims: Claims,
  groups: { groupsToOverride?: string[]; iamRolesToOverride?: string[]; preferredRole?: string },
  roles: boolean,
) {
  delete claims['cognito:groups'];
  if (groups.groupsToOverride && groups.groupsToOverride.length > 0)
    claims['cognito:groups'] = [...groups.groupsToOverride];
  if (!roles) return;
  delete claims['cognito:roles'];
  delete claims['cognito:preferred_role'];
  if (groups.iamRolesToOverride && groups.iamRolesToOverride.length > 0)
    claims['cognito:roles'] = [...groups.iamRolesToOverride];
  if (groups.preferredRole) claims['cognito:preferred_role'] = groups.preferredRole;
}

function applyClaims(
  claims: Claims,
  add: Record<string, unknown> | undefined,
  suppress: string[] | undefined,
) {
  for (const [name, value] of Object.entries(add ?? {})) claims[name] = value as JsonValue;
  for (const name of suppress ?? []) delete claims[name];
}

/**
 * Applies a trigger response to untouched claims the way Cognito does: overrides, then
 * suppressions (suppression wins), scopes added then suppressed, group details replacing
 * groups, roles and preferred role as a whole.
 */
export function applyResponse(base: TokenClaims, response: TokenResponse): TokenClaims {
  const id = base.id ? structuredClone(base.id) : undefined;
  const access = structuredClone(base.access);
  if ('claimsOverrideDetails' in response) {
    const details = response.claimsOverrideDetails;
    if (id) {
      applyClaims(id, details.claimsToAddOrOverride, details.claimsToSuppress);
      if (details.groupOverrideDetails) applyGroups(id, details.groupOverrideDetails, true);
    }
    if (details.groupOverrideDetails) applyGroups(access, details.groupOverrideDetails, false);
    return id ? { id, access } : { access };
  }
  const details = response.claimsAndScopeOverrideDetails;
  if (id) {
    applyClaims(
      id,
      details.idTokenGeneration?.claimsToAddOrOverride,
      details.idTokenGeneration?.claimsToSuppress,
    );
  }
  const accessDetails = details.accessTokenGeneration;
  applyClaims(access, accessDetails?.claimsToAddOrOverride, accessDetails?.claimsToSuppress);
  const scopes = String(access.scope ?? '')
    .split(' ')
    .filter((scope) => scope !== '');
  for (const scope of accessDetails?.scopesToAdd ?? [])
    if (!scopes.includes(scope)) scopes.push(scope);
  const suppressed = new Set(accessDetails?.scopesToSuppress ?? []);
  access.scope = scopes.filter((scope) => !suppressed.has(scope)).join(' ');
  if (details.groupOverrideDetails) {
    if (id) applyGroups(id, details.groupOverrideDetails, true);
    applyGroups(access, details.groupOverrideDetails, false);
  }
  return id ? { id, access } : { access };
}

/** An RS256 JWT header as Cognito writes it (kid is 44 characters). */
const HEADER_LENGTH = base64UrlLength(
  Buffer.byteLength('{"kid":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=","alg":"RS256"}'),
);
/** An RSA-2048 signature, base64url. */
const SIGNATURE_LENGTH = base64UrlLength(256);

function base64UrlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

/** The length in characters of a JWT carrying `claims` (header.payload.signature). */
export function estimateJwtLength(claims: Claims): number {
  return (
    HEADER_LENGTH +
    1 +
    base64UrlLength(Buffer.byteLength(JSON.stringify(claims))) +
    1 +
    SIGNATURE_LENGTH
  );
}

/** Default size budget per token: a 4 KB cookie holds one token with a little room. */
export const DEFAULT_TOKEN_SIZE_BUDGET = 4096;
