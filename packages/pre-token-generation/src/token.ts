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

interface GroupDetails {
  groupsToOverride?: string[];
  iamRolesToOverride?: string[];
  preferredRole?: string;
}

/**
 * One token after a response: base claims minus suppressed ones, with overrides and
 * additions, and the group claims replaced when group details are given. Builds a new
 * object rather than deleting keys (a `delete` makes V8 objects slow to read and print).
 */
function applyToToken(
  base: Claims,
  add: Record<string, unknown> | undefined,
  suppress: string[] | undefined,
  groups: GroupDetails | undefined,
  withRoles: boolean,
): Claims {
  const suppressed = new Set(suppress);
  const replaced = new Set<string>();
  if (groups) {
    replaced.add('cognito:groups');
    if (withRoles) {
      replaced.add('cognito:roles');
      replaced.add('cognito:preferred_role');
    }
  }
  const out: Claims = {};
  for (const name in base) {
    if (suppressed.has(name) || replaced.has(name)) continue;
    out[name] = (add && Object.hasOwn(add, name) ? add[name] : base[name]) as JsonValue;
  }
  if (add) {
    for (const name in add) {
      if (!suppressed.has(name) && !Object.hasOwn(base, name)) out[name] = add[name] as JsonValue;
    }
  }
  if (groups) {
    if (groups.groupsToOverride && groups.groupsToOverride.length > 0) {
      out['cognito:groups'] = groups.groupsToOverride;
    }
    if (withRoles) {
      if (groups.iamRolesToOverride && groups.iamRolesToOverride.length > 0) {
        out['cognito:roles'] = groups.iamRolesToOverride;
      }
      if (groups.preferredRole) out['cognito:preferred_role'] = groups.preferredRole;
    }
  }
  return out;
}

/**
 * Applies a trigger response to untouched claims the way Cognito does: overrides, then
 * suppressions (suppression wins), scopes added then suppressed, group details replacing
 * groups, roles and preferred role as a whole.
 */
export function applyResponse(base: TokenClaims, response: TokenResponse): TokenClaims {
  if ('claimsOverrideDetails' in response) {
    const details = response.claimsOverrideDetails;
    const groups = details.groupOverrideDetails;
    const access = applyToToken(base.access, undefined, undefined, groups, false);
    if (!base.id) return { access };
    const id = applyToToken(
      base.id,
      details.claimsToAddOrOverride,
      details.claimsToSuppress,
      groups,
      true,
    );
    return { id, access };
  }
  const details = response.claimsAndScopeOverrideDetails;
  const groups = details.groupOverrideDetails;
  const accessDetails = details.accessTokenGeneration;
  const access = applyToToken(
    base.access,
    accessDetails?.claimsToAddOrOverride,
    accessDetails?.claimsToSuppress,
    groups,
    false,
  );
  if (
    (accessDetails?.scopesToAdd?.length ?? 0) + (accessDetails?.scopesToSuppress?.length ?? 0) >
    0
  ) {
    const scopes = String(access.scope ?? '')
      .split(' ')
      .filter((scope) => scope !== '');
    for (const scope of accessDetails?.scopesToAdd ?? [])
      if (!scopes.includes(scope)) scopes.push(scope);
    const suppressed = new Set(accessDetails?.scopesToSuppress);
    access.scope = scopes.filter((scope) => !suppressed.has(scope)).join(' ');
  }
  if (!base.id) return { access };
  const idDetails = details.idTokenGeneration;
  const id = applyToToken(
    base.id,
    idDetails?.claimsToAddOrOverride,
    idDetails?.claimsToSuppress,
    groups,
    true,
  );
  return { id, access };
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
