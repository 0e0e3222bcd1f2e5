/**
 * Token claims as Cognito sets them, and a pre token generation answer applied as
 * Cognito applies it (developer guide, "Pre token generation Lambda trigger"):
 * - V1_0 (`claimsOverrideDetails`): claims to add or suppress in the ID token, string
 *   values only (anything else is InvalidLambdaResponseException), and the groups;
 * - V2_0 / V3_0 (`claimsAndScopeOverrideDetails`): claims for the ID and the access token
 *   (any JSON value), scopes to add to or suppress from the access token, and the groups.
 *
 * A member of the wrong type is ignored, as if absent; suppression wins over addition;
 * Cognito's own claims (`RESERVED_*`) are never the answer's to change.
 */
import { CognitoError } from './errors.js';
import { isJsonObject, type TriggerVersion } from './state.js';

type Json = Record<string, unknown>;

/** Claims the pre token generation response may not touch (Cognito keeps its own). */
export const RESERVED_ID_CLAIMS = new Set([
  'acr',
  'amr',
  'aud',
  'at_hash',
  'auth_time',
  'azp',
  'cognito:username',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'sub',
  'token_use',
  'event_id',
  'cognito:groups',
  'cognito:roles',
  'cognito:preferred_role',
]);
/** The access token's own claims, which no answer may touch either. */
export const RESERVED_ACCESS_CLAIMS = new Set([
  ...RESERVED_ID_CLAIMS,
  'client_id',
  'scope',
  'username',
  'version',
  'device_key',
]);

/** A JSON object from an answer, or an empty one for anything else. */
export function objectOrEmpty(value: unknown): Json {
  return isJsonObject(value) ? value : {};
}

/** The strings of an array from an answer (anything else in it is dropped), or none. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((item): item is string => typeof item === 'string')
    : [];
}

/**
 * The answer's `groupOverrideDetails` over the user's groups: a member that is given
 * replaces the user's (an array its strings, `preferredRole` a string or null); one that
 * is not keeps them.
 */
export function applyGroupOverride(
  value: unknown,
  groupNames: string[],
  roles: string[],
  preferredRole: string | null,
): { groupNames: string[]; roles: string[]; preferredRole: string | null } {
  if (typeof value !== 'object' || value === null) return { groupNames, roles, preferredRole };
  const details = value as Json;
  return {
    groupNames: Array.isArray(details.groupsToOverride)
      ? stringList(details.groupsToOverride)
      : groupNames,
    roles: Array.isArray(details.iamRolesToOverride)
      ? stringList(details.iamRolesToOverride)
      : roles,
    preferredRole:
      typeof details.preferredRole === 'string'
        ? details.preferredRole
        : details.preferredRole === null
          ? null
          : preferredRole,
  };
}

/**
 * Adds then suppresses (suppression wins); reserved claims are left to Cognito. A claim
 * is defined as the token's own property, so that one named `__proto__` is a claim like
 * any other (an assignment would set the object's prototype and drop it).
 */
export function applyClaims(
  claims: Json,
  add: Json,
  suppress: string[],
  reserved: Set<string>,
): void {
  for (const [name, value] of Object.entries(add)) {
    if (!reserved.has(name)) {
      Object.defineProperty(claims, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  for (const name of suppress) {
    if (!reserved.has(name)) delete claims[name];
  }
}

/** What a pre token generation answer asks for. */
export interface PreTokenAnswer {
  idAdd: Json;
  idSuppress: string[];
  accessAdd: Json;
  accessSuppress: string[];
  scopesAdd: string[];
  scopesSuppress: string[];
  /** `groupOverrideDetails` as given, for {@link applyGroupOverride}. */
  groupOverride: unknown;
}

/** Reads the `response` of a pre token generation answer of `version`. */
export function readPreTokenAnswer(version: TriggerVersion, response: Json): PreTokenAnswer {
  const details = objectOrEmpty(
    version === 'V1_0' ? response.claimsOverrideDetails : response.claimsAndScopeOverrideDetails,
  );
  if (version === 'V1_0') {
    const idAdd = objectOrEmpty(details.claimsToAddOrOverride);
    for (const value of Object.values(idAdd)) {
      if (typeof value !== 'string') {
        throw new CognitoError(
          'InvalidLambdaResponseException',
          'Invalid lambda response: claim values must be strings',
        );
      }
    }
    return {
      idAdd,
      idSuppress: stringList(details.claimsToSuppress),
      accessAdd: {},
      accessSuppress: [],
      scopesAdd: [],
      scopesSuppress: [],
      groupOverride: details.groupOverrideDetails,
    };
  }
  const idGen = objectOrEmpty(details.idTokenGeneration);
  const accessGen = objectOrEmpty(details.accessTokenGeneration);
  return {
    idAdd: objectOrEmpty(idGen.claimsToAddOrOverride),
    idSuppress: stringList(idGen.claimsToSuppress),
    accessAdd: objectOrEmpty(accessGen.claimsToAddOrOverride),
    accessSuppress: stringList(accessGen.claimsToSuppress),
    scopesAdd: stringList(accessGen.scopesToAdd),
    scopesSuppress: stringList(accessGen.scopesToSuppress),
    groupOverride: details.groupOverrideDetails,
  };
}
