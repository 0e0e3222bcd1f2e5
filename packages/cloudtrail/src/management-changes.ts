/**
 * What an admin call changed, read from its CloudTrail `requestParameters` by allowlist:
 * for each operation only the members that say what changed (names, flags, numbers,
 * ARNs, URLs), never a value that could be a password, secret, token or a user's
 * personal data. A user's attributes are named, not copied; an identity provider's
 * details keep only their public members (never `client_secret` or a private key). Then
 * every value goes through {@link scrub}, so even a record that AWS failed to redact, or
 * an allowlisted member holding a secret-looking value, cannot carry one out.
 */
import { REDACTION_MARKERS } from './record.js';

type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Key names never copied, whatever the operation (compared lower case, without `_`). */
const SECRET_KEY =
  /(secret|password(?!policy|validity)|passwd|privatekey|token$|^session$|code$|authparameters|challengeresponses|clientmetadata|validationdata)/;
/** Values never copied: a JWT, a PEM block, or a long opaque string. */
const SECRET_VALUE = /^eyJ[\w-]+\.|-----BEGIN|^[A-Za-z0-9+/=_-]{41,}$/;

/**
 * A copy of `value` without secret-named members, secret-looking strings, redaction
 * markers, or anything but plain JSON; strings cut to 512 characters, lists to 50 items.
 */
export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 6) return undefined;
  if (typeof value === 'string') {
    if (REDACTION_MARKERS.includes(value) || SECRET_VALUE.test(value)) return undefined;
    return value.slice(0, 512);
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return Number.isFinite(value as number) || typeof value === 'boolean' ? value : undefined;
  }
  if (Array.isArray(value)) {
    const items = value
      .slice(0, 50)
      .map((item) => scrub(item, depth + 1))
      .filter((item) => item !== undefined);
    return items;
  }
  if (isObject(value)) {
    const out: Json = {};
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEY.test(key.toLowerCase().replaceAll('_', ''))) continue;
      const clean = scrub(item, depth + 1);
      if (clean !== undefined) out[key] = clean;
    }
    return out;
  }
  return undefined;
}

function pick(source: Json, names: readonly string[]): Json {
  const out: Json = {};
  for (const name of names) if (source[name] !== undefined) out[name] = source[name];
  return out;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** The names of the attributes a call sets (values may be personal data: never copied). */
function attributeNames(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .map((item) => (isObject(item) ? (item.name ?? item.Name) : undefined))
    .filter((name): name is string => typeof name === 'string');
}

/** Identity provider details that are not secret (OIDC, SAML, social providers). */
const PUBLIC_PROVIDER_DETAILS = [
  'client_id',
  'authorize_scopes',
  'oidc_issuer',
  'attributes_request_method',
  'authorize_url',
  'token_url',
  'attributes_url',
  'jwks_uri',
  'MetadataURL',
  'IDPSignout',
  'IDPInit',
  'EncryptedResponses',
  'RequestSigningAlgorithm',
  'team_id',
  'key_id',
];

const CLIENT_MEMBERS = [
  'clientName',
  'callbackURLs',
  'logoutURLs',
  'defaultRedirectURI',
  'allowedOAuthFlows',
  'allowedOAuthScopes',
  'allowedOAuthFlowsUserPoolClient',
  'explicitAuthFlows',
  'supportedIdentityProviders',
  'generateSecret',
  'preventUserExistenceErrors',
  'enableTokenRevocation',
  'accessTokenValidity',
  'idTokenValidity',
  'refreshTokenValidity',
  'tokenValidityUnits',
  'authSessionValidity',
  'readAttributes',
  'writeAttributes',
];

const POOL_MEMBERS = [
  'policies',
  'lambdaConfig',
  'mfaConfiguration',
  'deletionProtection',
  'autoVerifiedAttributes',
  'adminCreateUserConfig',
  'userPoolAddOns',
  'accountRecoverySetting',
  'userAttributeUpdateSettings',
  'deviceConfiguration',
  'emailConfiguration',
  'smsConfiguration',
  'userPoolTier',
  'poolName',
];

/** The members of `request` that say what the call set, by operation (before {@link scrub}). */
export function changedMembers(operation: string, request: Json): Json {
  switch (operation) {
    case 'UpdateUserPool':
    case 'CreateUserPool':
      return pick(request, POOL_MEMBERS);
    case 'SetUserPoolMfaConfig': {
      const out = pick(request, ['mfaConfiguration', 'softwareTokenMfaConfiguration']);
      if (request.smsMfaConfiguration !== undefined) out.smsMfaConfiguration = 'set';
      if (request.emailMfaConfiguration !== undefined) out.emailMfaConfiguration = 'set';
      if (isObject(request.webAuthnConfiguration)) {
        out.webAuthnConfiguration = pick(request.webAuthnConfiguration, [
          'relyingPartyId',
          'userVerification',
        ]);
      }
      return out;
    }
    case 'CreateUserPoolClient':
    case 'UpdateUserPoolClient':
    case 'DeleteUserPoolClient':
      return pick(request, ['clientId', ...CLIENT_MEMBERS]);
    case 'CreateGroup':
    case 'UpdateGroup':
    case 'DeleteGroup':
      return pick(request, ['groupName', 'description', 'precedence', 'roleArn']);
    case 'CreateIdentityProvider':
    case 'UpdateIdentityProvider':
    case 'DeleteIdentityProvider': {
      const out = pick(request, ['providerName', 'providerType', 'idpIdentifiers']);
      if (isObject(request.providerDetails)) {
        out.providerDetails = pick(request.providerDetails, PUBLIC_PROVIDER_DETAILS);
      }
      if (isObject(request.attributeMapping)) {
        out.attributeMapping = Object.keys(request.attributeMapping);
      }
      return out;
    }
    case 'AddCustomAttributes':
      return {
        customAttributes: Array.isArray(request.customAttributes)
          ? request.customAttributes.map((attr) =>
              isObject(attr) ? pick(attr, ['name', 'attributeDataType', 'mutable']) : undefined,
            )
          : undefined,
      };
    case 'CreateUserPoolDomain':
    case 'UpdateUserPoolDomain':
    case 'DeleteUserPoolDomain':
      return pick(request, ['domain', 'customDomainConfig', 'managedLoginVersion']);
    case 'SetRiskConfiguration': {
      const out = pick(request, ['clientId']);
      for (const name of [
        'compromisedCredentialsRiskConfiguration',
        'accountTakeoverRiskConfiguration',
        'riskExceptionConfiguration',
      ]) {
        if (request[name] !== undefined) out[name] = 'set';
      }
      return out;
    }
    case 'CreateUserImportJob':
    case 'StartUserImportJob':
    case 'StopUserImportJob':
      return pick(request, ['jobName', 'jobId', 'cloudWatchLogsRoleArn']);
    case 'AdminAddUserToGroup':
    case 'AdminRemoveUserFromGroup':
      return pick(request, ['groupName']);
    case 'AdminSetUserPassword':
      return pick(request, ['permanent']);
    case 'AdminCreateUser':
      return {
        ...pick(request, ['messageAction', 'desiredDeliveryMediums', 'forceAliasCreation']),
        ...(attributeNames(request.userAttributes)
          ? { userAttributes: attributeNames(request.userAttributes) }
          : {}),
      };
    case 'AdminUpdateUserAttributes':
      return attributeNames(request.userAttributes)
        ? { userAttributes: attributeNames(request.userAttributes) }
        : {};
    case 'AdminDeleteUserAttributes':
      return { userAttributeNames: strings(request.userAttributeNames) };
    case 'AdminSetUserMFAPreference':
      return pick(request, ['sMSMfaSettings', 'softwareTokenMfaSettings', 'emailMfaSettings']);
    case 'AdminLinkProviderForUser':
    case 'AdminDisableProviderForUser': {
      const source = isObject(request.sourceUser) ? request.sourceUser : request.user;
      return isObject(source) ? { providerName: source.providerName } : {};
    }
    default:
      return {};
  }
}

/** Member paths set, for `unmapped.changes`: top-level names, and LambdaConfig's triggers. */
export function changePaths(after: Json): string[] {
  const paths: string[] = [];
  for (const [name, value] of Object.entries(after)) {
    if (name === 'lambdaConfig' && isObject(value)) {
      for (const trigger of Object.keys(value)) paths.push(`lambdaConfig.${trigger}`);
      if (Object.keys(value).length === 0) paths.push('lambdaConfig');
    } else paths.push(name);
  }
  return paths.slice(0, 50);
}

export { strings };
