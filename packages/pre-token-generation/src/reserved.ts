/**
 * What Amazon Cognito lets a pre token generation trigger change, and what it does not.
 * The loader refuses a rules file that touches anything here, so a policy is never
 * half-applied at sign-in (Cognito would otherwise fail the token request).
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html
 */

/** The trigger event versions (LambdaVersion), as the rules engine names them. */
export const TRIGGER_VERSIONS = ['V1_0', 'V2_0', 'V3_0'] as const;
export type TriggerVersion = (typeof TRIGGER_VERSIONS)[number];

/** `event.version` as Cognito sends it, by trigger version. */
export const EVENT_VERSION_OF: Readonly<Record<TriggerVersion, string>> = {
  V1_0: '1',
  V2_0: '2',
  V3_0: '3',
};

/** Every trigger source of pre token generation. */
export const TOKEN_TRIGGER_SOURCES = [
  'TokenGeneration_HostedAuth',
  'TokenGeneration_Authentication',
  'TokenGeneration_NewPasswordChallenge',
  'TokenGeneration_AuthenticateDevice',
  'TokenGeneration_RefreshTokens',
  'TokenGeneration_ClientCredentials',
] as const;
export type TokenTriggerSource = (typeof TOKEN_TRIGGER_SOURCES)[number];

/** The machine-to-machine source: V3_0 only, no user, no ID token. */
export const CLIENT_CREDENTIALS_SOURCE = 'TokenGeneration_ClientCredentials';

/** Claims Cognito sets itself in either token; a trigger cannot add, change or suppress them. */
const COMMON_RESERVED = [
  'sub',
  'iss',
  'token_use',
  'exp',
  'iat',
  'auth_time',
  'nbf',
  'jti',
  'origin_jti',
  'event_id',
  'nonce',
  'at_hash',
  'c_hash',
  'acr',
  'amr',
  'azp',
  'identities',
];

/** Reserved in the ID token (`aud` is the app client id there). */
export const ID_TOKEN_RESERVED_CLAIMS: ReadonlySet<string> = new Set([...COMMON_RESERVED, 'aud']);

/**
 * Reserved in the access token. `scope` is changed with scopesToAdd / scopesToSuppress,
 * never as a claim. `aud` is handled apart: see {@link ACCESS_TOKEN_AUD_TEMPLATE}.
 */
export const ACCESS_TOKEN_RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  ...COMMON_RESERVED,
  'client_id',
  'username',
  'version',
  'device_key',
  'scope',
]);

/**
 * The group claims: changed only through groupOverrideDetails (the rule's `groups`,
 * `iamRoles`, `preferredRole`, `roleMapping`), never as claims; they may be suppressed.
 */
export const GROUP_CLAIMS: ReadonlySet<string> = new Set([
  'cognito:groups',
  'cognito:roles',
  'cognito:preferred_role',
]);

/**
 * Cognito accepts an `aud` claim in the access token only when it equals the app
 * client id of the request. A rule may therefore set it to exactly this template,
 * which resolves to `callerContext.clientId`; any other value is refused at load.
 */
export const ACCESS_TOKEN_AUD_TEMPLATE = '${clientId}';

/** ID-token claims that keep their OIDC type: no array or JSON object value. */
export const ID_TOKEN_SIMPLE_ONLY_CLAIMS: ReadonlySet<string> = new Set([
  'email_verified',
  'phone_number_verified',
  'updated_at',
  'address',
]);

/**
 * Scopes a rule may not add: `aws.cognito.signin.user.admin` lets the token's holder
 * call Cognito's user APIs (change attributes, including ones the policy reads), so
 * handing it out by rule would be a privilege escalation.
 */
export const NON_ADDABLE_SCOPES: ReadonlySet<string> = new Set(['aws.cognito.signin.user.admin']);

/** Why a claim name is refused in a token, or undefined when a rule may set it. */
export function reservedReason(
  token: 'id' | 'access',
  claim: string,
  action: 'set' | 'suppress',
): string | undefined {
  if (GROUP_CLAIMS.has(claim)) {
    return action === 'set'
      ? `is a group claim: change it with then.groups, then.iamRoles, then.preferredRole or then.roleMapping`
      : undefined;
  }
  if (claim.startsWith('cognito:')) return 'is reserved: Cognito sets every cognito: claim itself';
  if (token === 'id' && ID_TOKEN_RESERVED_CLAIMS.has(claim)) {
    return 'is reserved in the ID token: Cognito sets it itself';
  }
  if (token === 'access') {
    if (claim === 'scope') return 'is reserved: change scopes with scopesToAdd / scopesToSuppress';
    if (claim === 'aud' && action === 'suppress') return 'cannot be suppressed';
    if (ACCESS_TOKEN_RESERVED_CLAIMS.has(claim)) {
      return 'is reserved in the access token: Cognito sets it itself';
    }
  }
  return undefined;
}
