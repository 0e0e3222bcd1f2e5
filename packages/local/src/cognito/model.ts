/**
 * Pure helpers over the state model: attribute rules, password policy, the API shapes
 * the SDK parses (`UserType`, `GroupType`, ...), and client defaults.
 */

import { clientOAuthView } from './client-config.js';
import { domainView } from './domains.js';
import { CognitoError, invalidParameter } from './errors.js';
import { poolConfigView } from './pool-config.js';
import type {
  ClientRecord,
  GroupRecord,
  PasswordPolicy,
  PoolRecord,
  SchemaAttribute,
  UserRecord,
} from './state.js';

/** Cognito's standard attributes (OIDC), writable unless noted. */
export const STANDARD_ATTRIBUTES = new Set([
  'address',
  'birthdate',
  'email',
  'email_verified',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'phone_number_verified',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
]);

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

/** Cognito's default explicit auth flows for a client that names none. */
export const DEFAULT_AUTH_FLOWS = [
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
];

const LEGACY_FLOWS: Record<string, string> = {
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  CUSTOM_AUTH_FLOW_ONLY: 'ALLOW_CUSTOM_AUTH',
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
};

export function normaliseAuthFlows(flows: readonly string[] | undefined): string[] {
  if (!flows || flows.length === 0) return [...DEFAULT_AUTH_FLOWS];
  const out = new Set<string>();
  for (const flow of flows) {
    const name = LEGACY_FLOWS[flow] ?? flow;
    if (!name.startsWith('ALLOW_')) {
      throw invalidParameter(`Invalid explicit auth flow: ${flow}`);
    }
    out.add(name);
  }
  return [...out];
}

const SYMBOLS = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;

/** Checks a password against the pool's policy, with Cognito's messages. */
export function checkPasswordPolicy(policy: PasswordPolicy, password: unknown): string {
  if (typeof password !== 'string' || password.length === 0) {
    throw invalidParameter('Missing required parameter PASSWORD');
  }
  const fail = (why: string) =>
    new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${why}`);
  if (password.length < policy.MinimumLength) throw fail('Password not long enough');
  if (password.length > 256) throw fail('Password is too long');
  if (policy.RequireLowercase && !/[a-z]/.test(password)) {
    throw fail('Password must have lowercase characters');
  }
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) {
    throw fail('Password must have uppercase characters');
  }
  if (policy.RequireNumbers && !/[0-9]/.test(password)) {
    throw fail('Password must have numeric characters');
  }
  if (policy.RequireSymbols && !SYMBOLS.test(password)) {
    throw fail('Password must have symbol characters');
  }
  return password;
}

export interface AttributeInput {
  Name?: string;
  Value?: string;
}

/** Validates `[{Name, Value}]` against the pool's schema; returns a name → value map. */
export function parseAttributes(
  pool: PoolRecord,
  list: unknown,
  options: { allowSub?: boolean } = {},
): Record<string, string> {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) throw invalidParameter('UserAttributes must be a list');
  const out: Record<string, string> = {};
  for (const item of list as AttributeInput[]) {
    const name = item?.Name;
    if (typeof name !== 'string' || name.length === 0) {
      throw invalidParameter('Attribute name is required');
    }
    const value = typeof item.Value === 'string' ? item.Value : '';
    if (name === 'sub' && !options.allowSub) {
      throw invalidParameter('Cannot modify an already provided sub');
    }
    if (!isKnownAttribute(pool.schema, name) && name !== 'sub') {
      throw invalidParameter(
        `Attributes did not conform to the schema: ${name}: Attribute does not exist in the schema.\n`,
      );
    }
    if (value.length > 2048) {
      throw invalidParameter(`Attributes did not conform to the schema: ${name}: value too long`);
    }
    out[name] = value;
  }
  return out;
}

function isKnownAttribute(schema: SchemaAttribute[], name: string): boolean {
  if (STANDARD_ATTRIBUTES.has(name)) return true;
  if (name.startsWith('custom:') || name.startsWith('dev:')) {
    const bare = name.replace(/^(custom|dev):/, '');
    return schema.some((attr) => attr.Name === name || attr.Name === bare);
  }
  return false;
}

/** Attributes as the API lists them, `sub` first. */
export function attributeList(user: UserRecord, only?: readonly string[]): AttributeInput[] {
  const names = Object.keys(user.attributes).sort((a, b) =>
    a === 'sub' ? -1 : b === 'sub' ? 1 : a.localeCompare(b),
  );
  return names
    .filter((name) => !only || only.length === 0 || only.includes(name))
    .map((name) => ({ Name: name, Value: user.attributes[name] }));
}

const seconds = (ms: number) => ms / 1000;

export function userType(user: UserRecord, only?: readonly string[]) {
  return {
    Username: user.username,
    Attributes: attributeList(user, only),
    UserCreateDate: seconds(user.created),
    UserLastModifiedDate: seconds(user.modified),
    Enabled: user.enabled,
    UserStatus: user.status,
  };
}

export function groupType(poolId: string, group: GroupRecord) {
  return {
    GroupName: group.name,
    UserPoolId: poolId,
    Description: group.description,
    Precedence: group.precedence,
    RoleArn: group.roleArn,
    CreationDate: seconds(group.created),
    LastModifiedDate: seconds(group.modified),
  };
}

/** The user-pool triggers a `LambdaConfig` names, in the order Cognito lists them. */
export const TRIGGER_CONFIG_NAMES = [
  'PreSignUp',
  'PostConfirmation',
  'PreAuthentication',
  'PostAuthentication',
  'PreTokenGeneration',
  'DefineAuthChallenge',
  'CreateAuthChallenge',
  'VerifyAuthChallengeResponse',
] as const;

export const lambdaArn = (pool: PoolRecord, name: string) =>
  `arn:aws:lambda:${pool.arn.split(':')[3]}:000000000000:function:authwatch-local-${name}`;

export function userPoolType(pool: PoolRecord) {
  const lambdaConfig: Record<string, unknown> = {};
  for (const name of TRIGGER_CONFIG_NAMES) {
    const version = pool.triggers[name];
    if (version === undefined) continue;
    lambdaConfig[name] = lambdaArn(pool, name);
    if (name === 'PreTokenGeneration') {
      lambdaConfig.PreTokenGenerationConfig = {
        LambdaArn: lambdaArn(pool, name),
        LambdaVersion: version,
      };
    }
  }
  return {
    Id: pool.id,
    Name: pool.name,
    Arn: pool.arn,
    Policies: { PasswordPolicy: pool.passwordPolicy },
    LambdaConfig: lambdaConfig,
    Status: 'Enabled',
    CreationDate: seconds(pool.created),
    LastModifiedDate: seconds(pool.modified),
    SchemaAttributes: pool.schema.map((attr) => ({
      ...attr,
      Name:
        attr.Name.startsWith('custom:') || STANDARD_ATTRIBUTES.has(attr.Name) || attr.Name === 'sub'
          ? attr.Name
          : `custom:${attr.Name}`,
    })),
    UsernameAttributes: pool.usernameAttributes.length ? pool.usernameAttributes : undefined,
    AliasAttributes: pool.aliasAttributes.length ? pool.aliasAttributes : undefined,
    AutoVerifiedAttributes: pool.autoVerifiedAttributes,
    EstimatedNumberOfUsers: Object.keys(pool.users).length,
    MfaConfiguration: 'OFF',
    UsernameConfiguration: { CaseSensitive: true },
    // UpdateUserPool / SetUserPoolMfaConfig settings, over the creation-time ones.
    ...poolConfigView(pool),
    ...domainView(pool),
  };
}

export function userPoolClientType(poolId: string, client: ClientRecord) {
  return {
    UserPoolId: poolId,
    ClientName: client.clientName,
    ClientId: client.clientId,
    ClientSecret: client.clientSecret,
    CreationDate: seconds(client.created),
    LastModifiedDate: seconds(client.modified),
    RefreshTokenValidity: client.rawValidity.refresh,
    AccessTokenValidity: client.rawValidity.access,
    IdTokenValidity: client.rawValidity.id,
    TokenValidityUnits: client.tokenValidityUnits,
    ReadAttributes: client.readAttributes,
    WriteAttributes: client.writeAttributes,
    ExplicitAuthFlows: client.explicitAuthFlows,
    AllowedOAuthFlows: client.allowedOAuthFlows.length ? client.allowedOAuthFlows : undefined,
    AllowedOAuthScopes: client.allowedOAuthScopes.length ? client.allowedOAuthScopes : undefined,
    AllowedOAuthFlowsUserPoolClient: client.allowedOAuthFlowsUserPoolClient,
    PreventUserExistenceErrors: client.preventUserExistenceErrors,
    EnableTokenRevocation: client.enableTokenRevocation,
    AuthSessionValidity: client.authSessionValidity,
    ...clientOAuthView(client),
  };
}

const UNIT_SECONDS: Record<string, number> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86_400,
};

/** Seconds of a validity in a Cognito `TimeUnitsType`. */
export function toSeconds(value: number, unit: string): number {
  const factor = UNIT_SECONDS[unit];
  if (factor === undefined) throw invalidParameter(`Invalid time unit: ${unit}`);
  return value * factor;
}

/** `j***@e***` as Cognito masks a code's destination. */
export function maskDestination(value: string): string {
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}***@${value[at + 1] ?? ''}***`;
  return `+******${value.slice(-4)}`;
}
