/**
 * A pool's configuration after creation: UpdateUserPool, SetUserPoolMfaConfig,
 * GetUserPoolMfaConfig and DeleteUserPool, and which triggers a LambdaConfig set through
 * the API leaves attached.
 *
 * UpdateUserPool does what Cognito's does (API reference: "If you don't provide a value
 * for an attribute, Amazon Cognito sets it to its default value"; developer guide,
 * "Updating user pool and app client configuration"): every member the call leaves out
 * goes back to its default. A call naming only `MfaConfiguration` therefore also sets the
 * default password policy and detaches every Lambda trigger. The settings that cannot
 * change after creation (schema, username and alias attributes) stay.
 *
 * Once a LambdaConfig has been set through the API it decides which triggers run: a
 * trigger runs only while the pool names the local function's ARN for it
 * (`arn:aws:lambda:<region>:000000000000:function:authwatch-local-<Trigger>`, what
 * DescribeUserPool shows), so a trigger detached or pointed at another function is no
 * longer called. The programmatic setup (`ensureUserPool`, `setTriggers`) wires them again.
 */
import type { EmulatorContext } from './context.js';
import { type CognitoError, invalidParameter } from './errors.js';
import { type Json, shown } from './input.js';
import { requirePool } from './lookup.js';
import { DEFAULT_PASSWORD_POLICY, lambdaArn, TRIGGER_CONFIG_NAMES } from './model.js';
import {
  isJsonObject,
  type PasswordPolicy,
  type PoolRecord,
  type TriggerName,
  type TriggerVersion,
} from './state.js';

export type MfaMode = 'OFF' | 'ON' | 'OPTIONAL';

/** What the calls of this module set on a pool (kept in the state file). */
export interface PoolConfigRecord {
  /** MfaConfiguration. */
  mfa: MfaMode;
  /** SetUserPoolMfaConfig's factor settings, as given. */
  smsMfa?: Json;
  softwareTokenMfa?: boolean;
  emailMfa?: Json;
  webAuthn?: Json;
  /** The LambdaConfig as last set through the API; when present it decides which triggers run. */
  lambdaConfig?: Json;
  /** The other members UpdateUserPool sets, echoed by DescribeUserPool. */
  settings?: Json;
}

/** The members of UpdateUserPool stored as given and reset to these defaults when left out. */
const SETTING_DEFAULTS: Record<string, unknown> = {
  DeletionProtection: 'INACTIVE',
  VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE' },
  EmailVerificationMessage: undefined,
  EmailVerificationSubject: undefined,
  SmsVerificationMessage: undefined,
  SmsAuthenticationMessage: undefined,
  UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: [] },
  DeviceConfiguration: undefined,
  EmailConfiguration: { EmailSendingAccount: 'COGNITO_DEFAULT' },
  SmsConfiguration: undefined,
  UserPoolTags: undefined,
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, UnusedAccountValidityDays: 7 },
  UserPoolAddOns: undefined,
  AccountRecoverySetting: undefined,
  UserPoolTier: 'ESSENTIALS',
};

const STRING_SETTINGS = new Set([
  'DeletionProtection',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'SmsVerificationMessage',
  'SmsAuthenticationMessage',
  'UserPoolTier',
]);

const ARN =
  /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/;

const lowerFirst = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

/** Cognito's message for a member that fails its constraint (`path` in lower camel case). */
export function validation(value: unknown, path: string, constraint: string): CognitoError {
  return invalidParameter(
    `1 validation error detected: Value '${shown(value).slice(0, 64)}' at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}

function arnAt(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length < 20 || value.length > 2048 || !ARN.test(value)) {
    throw validation(value, path, `Member must satisfy regular expression pattern: ${ARN.source}`);
  }
  return value;
}

/** The user-pool triggers plus the members of LambdaConfig the emulator keeps but never runs. */
const OTHER_LAMBDA_MEMBERS = ['CustomMessage', 'UserMigration'] as const;
const SENDER_MEMBERS = ['CustomSMSSender', 'CustomEmailSender'] as const;
const VERSIONS = new Set(['V1_0', 'V2_0', 'V3_0']);

/** Checks a LambdaConfig and returns it as DescribeUserPool shows it. */
export function readLambdaConfig(value: unknown): Json {
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value)) throw invalidParameter('LambdaConfig must be an object');
  const out: Json = {};
  for (const name of [...TRIGGER_CONFIG_NAMES, ...OTHER_LAMBDA_MEMBERS]) {
    if (value[name] !== undefined)
      out[name] = arnAt(value[name], `lambdaConfig.${lowerFirst(name)}`);
  }
  for (const name of SENDER_MEMBERS) {
    const sender = value[name];
    if (sender === undefined) continue;
    if (!isJsonObject(sender)) throw invalidParameter(`${name} must be an object`);
    out[name] = {
      LambdaVersion: sender.LambdaVersion === undefined ? 'V1_0' : String(sender.LambdaVersion),
      LambdaArn: arnAt(sender.LambdaArn, `lambdaConfig.${lowerFirst(name)}.lambdaArn`),
    };
  }
  if (value.KMSKeyID !== undefined) out.KMSKeyID = arnAt(value.KMSKeyID, 'lambdaConfig.kMSKeyID');
  const ptg = value.PreTokenGenerationConfig;
  if (ptg !== undefined) {
    if (!isJsonObject(ptg)) throw invalidParameter('PreTokenGenerationConfig must be an object');
    const arn = arnAt(ptg.LambdaArn, 'lambdaConfig.preTokenGenerationConfig.lambdaArn');
    if (!VERSIONS.has(String(ptg.LambdaVersion))) {
      throw validation(
        ptg.LambdaVersion,
        'lambdaConfig.preTokenGenerationConfig.lambdaVersion',
        'Member must satisfy enum value set: [V1_0, V2_0, V3_0]',
      );
    }
    if (out.PreTokenGeneration !== undefined && out.PreTokenGeneration !== arn) {
      throw invalidParameter(
        'PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same function',
      );
    }
    out.PreTokenGeneration = arn;
    out.PreTokenGenerationConfig = { LambdaArn: arn, LambdaVersion: ptg.LambdaVersion };
  } else if (typeof out.PreTokenGeneration === 'string') {
    out.PreTokenGenerationConfig = { LambdaArn: out.PreTokenGeneration, LambdaVersion: 'V1_0' };
  }
  return out;
}

/** The event version of each trigger a LambdaConfig names. */
function triggersOf(lambda: Json): Partial<Record<TriggerName, TriggerVersion>> {
  const out: Partial<Record<TriggerName, TriggerVersion>> = {};
  for (const name of TRIGGER_CONFIG_NAMES) {
    if (typeof lambda[name] !== 'string') continue;
    out[name] =
      name === 'PreTokenGeneration'
        ? ((lambda.PreTokenGenerationConfig as { LambdaVersion: TriggerVersion }).LambdaVersion ??
          'V1_0')
        : 'V1_0';
  }
  return out;
}

/**
 * Whether the pool's LambdaConfig has the local function for `name`: always, until a
 * LambdaConfig is set through the API; then only while it names that function's ARN.
 */
export function triggerAttached(pool: PoolRecord, name: TriggerName): boolean {
  const lambda = pool.config?.lambdaConfig;
  if (lambda === undefined) return true;
  return lambda[name] === lambdaArn(pool, name);
}

/** Forgets an API-set LambdaConfig (the programmatic setup wires the triggers again). */
export function resetLambdaConfig(pool: PoolRecord): void {
  if (pool.config) delete pool.config.lambdaConfig;
}

/** What DescribeUserPool shows of this module's settings (over the creation-time ones). */
export function poolConfigView(pool: PoolRecord): Json {
  const config = pool.config;
  if (!config) return {};
  const view: Json = { MfaConfiguration: config.mfa };
  if (config.lambdaConfig !== undefined) view.LambdaConfig = config.lambdaConfig;
  for (const [name, value] of Object.entries(config.settings ?? {})) {
    if (value !== undefined) view[name] = value;
  }
  return view;
}

function readPasswordPolicy(policies: unknown): PasswordPolicy {
  if (policies === undefined || policies === null) return { ...DEFAULT_PASSWORD_POLICY };
  if (!isJsonObject(policies)) throw invalidParameter('Policies must be an object');
  const given = policies.PasswordPolicy;
  if (given === undefined || given === null) return { ...DEFAULT_PASSWORD_POLICY };
  if (!isJsonObject(given)) throw invalidParameter('PasswordPolicy must be an object');
  const policy: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY };
  const length = given.MinimumLength;
  if (length !== undefined) {
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 6 || length > 99) {
      throw validation(
        length,
        'policies.passwordPolicy.minimumLength',
        'Member must have value between 6 and 99',
      );
    }
    policy.MinimumLength = length;
  }
  for (const flag of [
    'RequireUppercase',
    'RequireLowercase',
    'RequireNumbers',
    'RequireSymbols',
  ] as const) {
    // Left out of the policy object, a requirement is off (its default in the API).
    const value = given[flag];
    if (value !== undefined && typeof value !== 'boolean') {
      throw validation(
        value,
        `policies.passwordPolicy.${lowerFirst(flag)}`,
        'Member must be a boolean',
      );
    }
    policy[flag] = value === true;
  }
  const days = given.TemporaryPasswordValidityDays;
  if (days !== undefined) {
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > 365) {
      throw validation(
        days,
        'policies.passwordPolicy.temporaryPasswordValidityDays',
        'Member must have value between 0 and 365',
      );
    }
    policy.TemporaryPasswordValidityDays = days;
  }
  return policy;
}

function readMfaMode(value: unknown, path: string): MfaMode {
  if (value === 'OFF' || value === 'ON' || value === 'OPTIONAL') return value;
  throw validation(value, path, 'Member must satisfy enum value set: [OPTIONAL, OFF, ON]');
}

function hasFactor(config: PoolConfigRecord | undefined): boolean {
  return (
    config !== undefined &&
    (config.smsMfa !== undefined ||
      config.softwareTokenMfa === true ||
      config.emailMfa !== undefined)
  );
}

function readSettings(i: Json): Json {
  const settings: Json = {};
  for (const [name, fallback] of Object.entries(SETTING_DEFAULTS)) {
    const value = i[name];
    if (value === undefined || value === null) {
      if (fallback !== undefined) settings[name] = structuredClone(fallback);
      continue;
    }
    const wanted = STRING_SETTINGS.has(name)
      ? 'string'
      : name === 'UserPoolTags'
        ? 'map'
        : 'object';
    const ok = wanted === 'string' ? typeof value === 'string' : isJsonObject(value);
    if (!ok)
      throw invalidParameter(`${name} must be ${wanted === 'string' ? 'a string' : 'an object'}`);
    settings[name] = structuredClone(value);
  }
  const protection = settings.DeletionProtection;
  if (protection !== 'ACTIVE' && protection !== 'INACTIVE') {
    throw validation(
      protection,
      'deletionProtection',
      'Member must satisfy enum value set: [ACTIVE, INACTIVE]',
    );
  }
  return settings;
}

export function updateUserPool(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  // Everything is read and checked before anything changes: a refused call changes nothing.
  const passwordPolicy = readPasswordPolicy(i.Policies);
  const lambdaConfig = readLambdaConfig(i.LambdaConfig);
  const mfa =
    i.MfaConfiguration === undefined ? 'OFF' : readMfaMode(i.MfaConfiguration, 'mfaConfiguration');
  const current = pool.config?.mfa ?? 'OFF';
  if (mfa === 'ON' && current !== 'ON') {
    throw invalidParameter(
      'Cannot turn MFA functionality ON, once the user pool has been created.',
    );
  }
  if (mfa !== 'OFF' && !hasFactor(pool.config) && !isJsonObject(i.SmsConfiguration)) {
    throw invalidParameter(
      'SMS configuration and Auto verification for phone_number are required when MFA is required/optional',
    );
  }
  const settings = readSettings(i);
  const verified = i.AutoVerifiedAttributes;
  if (
    verified !== undefined &&
    (!Array.isArray(verified) || verified.some((a) => a !== 'email' && a !== 'phone_number'))
  ) {
    throw validation(
      verified,
      'autoVerifiedAttributes',
      'Member must satisfy enum value set: [phone_number, email]',
    );
  }
  if (i.PoolName !== undefined && (typeof i.PoolName !== 'string' || i.PoolName === '')) {
    throw validation(i.PoolName, 'poolName', 'Member must have length greater than or equal to 1');
  }
  pool.passwordPolicy = passwordPolicy;
  pool.autoVerifiedAttributes = (verified as string[] | undefined) ?? [];
  pool.triggers = triggersOf(lambdaConfig);
  if (typeof i.PoolName === 'string') pool.name = i.PoolName;
  const factors: Partial<PoolConfigRecord> = mfa === 'OFF' ? {} : { ...pool.config, mfa };
  delete factors.lambdaConfig;
  delete factors.settings;
  pool.config = { ...factors, mfa, lambdaConfig, settings };
  pool.modified = ctx.now();
  ctx.changed();
  return {};
}

function mfaView(config: PoolConfigRecord | undefined): Json {
  const view: Json = { MfaConfiguration: config?.mfa ?? 'OFF' };
  if (config?.smsMfa !== undefined) view.SmsMfaConfiguration = config.smsMfa;
  view.SoftwareTokenMfaConfiguration = { Enabled: config?.softwareTokenMfa === true };
  if (config?.emailMfa !== undefined) view.EmailMfaConfiguration = config.emailMfa;
  if (config?.webAuthn !== undefined) view.WebAuthnConfiguration = config.webAuthn;
  return view;
}

function optionalObject(i: Json, name: string): Json | undefined {
  const value = i[name];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidParameter(`${name} must be an object`);
  return structuredClone(value);
}

/**
 * SetUserPoolMfaConfig: the factors the call leaves out are off afterwards (as Cognito: a
 * call with only MfaConfiguration OPTIONAL is refused when it would leave no factor).
 */
export function setUserPoolMfaConfig(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const mfa =
    i.MfaConfiguration === undefined
      ? (pool.config?.mfa ?? 'OFF')
      : readMfaMode(i.MfaConfiguration, 'mfaConfiguration');
  const smsMfa = optionalObject(i, 'SmsMfaConfiguration');
  const token = optionalObject(i, 'SoftwareTokenMfaConfiguration');
  const emailMfa = optionalObject(i, 'EmailMfaConfiguration');
  const webAuthn = optionalObject(i, 'WebAuthnConfiguration');
  if (token !== undefined && token.Enabled !== undefined && typeof token.Enabled !== 'boolean') {
    throw validation(
      token.Enabled,
      'softwareTokenMfaConfiguration.enabled',
      'Member must be a boolean',
    );
  }
  const softwareTokenMfa = token?.Enabled === true;
  const anyFactor = smsMfa !== undefined || softwareTokenMfa || emailMfa !== undefined;
  if (mfa === 'OFF' && anyFactor) {
    throw invalidParameter(
      "Invalid MFA configuration given, can't turn off MFA and configure an MFA together.",
    );
  }
  if (mfa !== 'OFF' && !anyFactor) {
    throw invalidParameter(
      "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.",
    );
  }
  const next: PoolConfigRecord = { ...pool.config, mfa, softwareTokenMfa };
  if (smsMfa !== undefined) next.smsMfa = smsMfa;
  else delete next.smsMfa;
  if (emailMfa !== undefined) next.emailMfa = emailMfa;
  else delete next.emailMfa;
  if (webAuthn !== undefined) next.webAuthn = webAuthn;
  pool.config = next;
  pool.modified = ctx.now();
  ctx.changed();
  return mfaView(next);
}

export function getUserPoolMfaConfig(ctx: EmulatorContext, i: Json): Json {
  return mfaView(requirePool(ctx, i.UserPoolId).config);
}

/** DeleteUserPool: refused while deletion protection is active or a domain is configured, as Cognito does. */
export function deleteUserPool(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  if (pool.config?.settings?.DeletionProtection === 'ACTIVE') {
    throw invalidParameter(
      'The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.',
    );
  }
  if (Object.keys(pool.domains ?? {}).length > 0) {
    throw invalidParameter(
      'User pool cannot be deleted. It has a domain configured that should be deleted first.',
    );
  }
  delete ctx.state.pools[pool.id];
  for (const [hash, token] of Object.entries(ctx.state.refreshTokens)) {
    if (token.poolId === pool.id) delete ctx.state.refreshTokens[hash];
  }
  ctx.changed();
  return {};
}
