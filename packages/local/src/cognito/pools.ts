/**
 * User pools and app clients: the programmatic setup the stack uses (create / ensure,
 * triggers) and the CreateUserPool, DescribeUserPool, ListUserPools, CreateUserPoolClient,
 * DescribeUserPoolClient and ListUserPoolClients operations.
 */

import { readClientOAuth } from './client-config.js';
import type { EmulatorContext } from './context.js';
import { invalidParameter } from './errors.js';
import { newClientId, newClientSecret, newPoolId } from './ids.js';
import { type Json, paginate, str } from './input.js';
import { clientOf, requirePool } from './lookup.js';
import {
  DEFAULT_PASSWORD_POLICY,
  normaliseAuthFlows,
  TRIGGER_CONFIG_NAMES,
  toSeconds,
  userPoolClientType,
  userPoolType,
} from './model.js';
import { resetLambdaConfig } from './pool-config.js';
import {
  type ClientRecord,
  dict,
  type PasswordPolicy,
  type PoolRecord,
  type SchemaAttribute,
  type TriggerName,
  type TriggerVersion,
} from './state.js';
import { generatePoolKey } from './tokens.js';

/** Programmatic pool spec (the typed infra config maps onto it). */
export interface UserPoolSpec {
  name: string;
  /** Sign in with these instead of a username (`email`, `phone_number`). */
  usernameAttributes?: string[];
  aliasAttributes?: string[];
  autoVerifiedAttributes?: string[];
  passwordPolicy?: Partial<PasswordPolicy>;
  /** Custom attributes, without the `custom:` prefix. */
  customAttributes?: { name: string; type?: 'String' | 'Number'; mutable?: boolean }[];
  triggers?: Partial<Record<TriggerName, TriggerVersion>>;
}

export interface UserPoolClientSpec {
  name: string;
  generateSecret?: boolean;
  explicitAuthFlows?: string[];
  accessTokenValidityMinutes?: number;
  idTokenValidityMinutes?: number;
  refreshTokenValidityDays?: number;
  /** Minutes a challenge session stays valid (3 to 15, default 3). */
  authSessionValidityMinutes?: number;
  allowedOAuthFlows?: string[];
  allowedOAuthScopes?: string[];
  preventUserExistenceErrors?: boolean;
  enableTokenRevocation?: boolean;
}

export function createUserPool(
  ctx: EmulatorContext,
  spec: UserPoolSpec,
): { id: string; arn: string } {
  if (!spec.name) throw invalidParameter('PoolName is required');
  const id = newPoolId(ctx.region);
  const now = ctx.now();
  const schema: SchemaAttribute[] = [
    { Name: 'sub', AttributeDataType: 'String', Mutable: false, Required: true },
    { Name: 'email', AttributeDataType: 'String', Mutable: true, Required: false },
    ...(spec.customAttributes ?? []).map((attr) => ({
      Name: `custom:${attr.name.replace(/^custom:/, '')}`,
      AttributeDataType: attr.type ?? 'String',
      Mutable: attr.mutable ?? true,
      Required: false,
      DeveloperOnlyAttribute: false,
    })),
  ];
  const pool: PoolRecord = {
    id,
    name: spec.name,
    arn: `arn:aws:cognito-idp:${ctx.region}:000000000000:userpool/${id}`,
    created: now,
    modified: now,
    usernameAttributes: spec.usernameAttributes ?? [],
    aliasAttributes: spec.aliasAttributes ?? [],
    autoVerifiedAttributes: spec.autoVerifiedAttributes ?? [],
    passwordPolicy: { ...DEFAULT_PASSWORD_POLICY, ...spec.passwordPolicy },
    schema,
    triggers: { ...spec.triggers },
    key: generatePoolKey(),
    users: dict(),
    groups: dict(),
    clients: dict(),
    resourceServers: dict(),
  };
  ctx.state.pools[id] = pool;
  ctx.changed();
  return { id, arn: pool.arn };
}

/** The pool with this name, or a new one; an existing pool keeps its id, users and keys. */
export function ensureUserPool(
  ctx: EmulatorContext,
  spec: UserPoolSpec,
): { id: string; arn: string; created: boolean } {
  const existing = Object.values(ctx.state.pools).find((pool) => pool.name === spec.name);
  if (!existing) return { ...createUserPool(ctx, spec), created: true };
  if (spec.triggers) {
    existing.triggers = { ...spec.triggers };
    resetLambdaConfig(existing);
  }
  if (spec.passwordPolicy) {
    existing.passwordPolicy = { ...DEFAULT_PASSWORD_POLICY, ...spec.passwordPolicy };
  }
  for (const attr of spec.customAttributes ?? []) {
    const name = `custom:${attr.name.replace(/^custom:/, '')}`;
    if (!existing.schema.some((item) => item.Name === name)) {
      existing.schema.push({
        Name: name,
        AttributeDataType: attr.type ?? 'String',
        Mutable: attr.mutable ?? true,
      });
    }
  }
  ctx.changed();
  return { id: existing.id, arn: existing.arn, created: false };
}

export function createUserPoolClient(
  ctx: EmulatorContext,
  poolId: string,
  spec: UserPoolClientSpec,
  keep?: { clientId: string; clientSecret?: string; created: number },
): { clientId: string; clientSecret?: string } {
  const pool = requirePool(ctx, poolId);
  const now = ctx.now();
  const access = spec.accessTokenValidityMinutes ?? 60;
  const id = spec.idTokenValidityMinutes ?? 60;
  const refresh = spec.refreshTokenValidityDays ?? 30;
  const session = spec.authSessionValidityMinutes ?? 3;
  if (session < 3 || session > 15) {
    throw invalidParameter('AuthSessionValidity must be between 3 and 15 minutes');
  }
  const client: ClientRecord = {
    clientId: keep?.clientId ?? newClientId(),
    clientName: spec.name,
    ...(spec.generateSecret ? { clientSecret: keep?.clientSecret ?? newClientSecret() } : {}),
    explicitAuthFlows: normaliseAuthFlows(spec.explicitAuthFlows),
    accessTokenValidity: access * 60,
    idTokenValidity: id * 60,
    refreshTokenValidity: refresh * 86_400,
    tokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    rawValidity: { access, id, refresh },
    authSessionValidity: session,
    allowedOAuthFlows: spec.allowedOAuthFlows ?? [],
    allowedOAuthScopes: spec.allowedOAuthScopes ?? [],
    allowedOAuthFlowsUserPoolClient: (spec.allowedOAuthFlows ?? []).length > 0,
    preventUserExistenceErrors: spec.preventUserExistenceErrors === false ? 'LEGACY' : 'ENABLED',
    enableTokenRevocation: spec.enableTokenRevocation ?? true,
    created: now,
    modified: now,
  };
  pool.clients[client.clientId] = client;
  ctx.changed();
  return client.clientSecret
    ? { clientId: client.clientId, clientSecret: client.clientSecret }
    : { clientId: client.clientId };
}

/** The client with this name in the pool, or a new one (its id and secret are kept). */
export function ensureUserPoolClient(
  ctx: EmulatorContext,
  poolId: string,
  spec: UserPoolClientSpec,
): { clientId: string; clientSecret?: string } {
  const pool = requirePool(ctx, poolId);
  const existing = Object.values(pool.clients).find((client) => client.clientName === spec.name);
  // An existing client keeps its id and secret and takes the spec's current settings.
  const result = createUserPoolClient(ctx, poolId, spec, existing);
  if (existing) {
    const updated = pool.clients[existing.clientId] as ClientRecord;
    updated.created = existing.created;
  }
  return result;
}

/** Which triggers the pool has, with the event version (PreTokenGeneration: V1_0/V2_0/V3_0). */
export function setTriggers(
  ctx: EmulatorContext,
  poolId: string,
  triggers: Partial<Record<TriggerName, TriggerVersion | undefined>>,
): void {
  const pool = requirePool(ctx, poolId);
  const next: Partial<Record<TriggerName, TriggerVersion>> = {};
  for (const [name, version] of Object.entries(triggers)) {
    next[name as TriggerName] = version ?? 'V1_0';
  }
  pool.triggers = next;
  resetLambdaConfig(pool);
  ctx.changed();
}

export function listUserPools(ctx: EmulatorContext): { id: string; name: string }[] {
  return Object.values(ctx.state.pools).map((pool) => ({ id: pool.id, name: pool.name }));
}

export function createUserPoolOp(ctx: EmulatorContext, i: Json): Json {
  const policies = (i.Policies as { PasswordPolicy?: Partial<PasswordPolicy> } | undefined)
    ?.PasswordPolicy;
  const lambda = (i.LambdaConfig ?? {}) as Record<string, unknown>;
  const triggers: Partial<Record<TriggerName, TriggerVersion>> = {};
  for (const name of TRIGGER_CONFIG_NAMES) {
    if (typeof lambda[name] === 'string') triggers[name] = 'V1_0';
  }
  const ptg = lambda.PreTokenGenerationConfig as { LambdaVersion?: TriggerVersion } | undefined;
  if (ptg?.LambdaVersion) triggers.PreTokenGeneration = ptg.LambdaVersion;
  const schema = Array.isArray(i.Schema) ? (i.Schema as SchemaAttribute[]) : [];
  const { id } = createUserPool(ctx, {
    name: str(i, 'PoolName'),
    usernameAttributes: (i.UsernameAttributes as string[] | undefined) ?? [],
    aliasAttributes: (i.AliasAttributes as string[] | undefined) ?? [],
    autoVerifiedAttributes: (i.AutoVerifiedAttributes as string[] | undefined) ?? [],
    ...(policies ? { passwordPolicy: policies } : {}),
    customAttributes: schema
      .filter((attr) => typeof attr.Name === 'string' && !['sub', 'email'].includes(attr.Name))
      .map((attr) => ({
        name: attr.Name,
        type: attr.AttributeDataType === 'Number' ? ('Number' as const) : ('String' as const),
        mutable: attr.Mutable ?? true,
      })),
    triggers,
  });
  return { UserPool: userPoolType(requirePool(ctx, id)) };
}

export function describeUserPool(ctx: EmulatorContext, i: Json): Json {
  return { UserPool: userPoolType(requirePool(ctx, i.UserPoolId)) };
}

export function listUserPoolsOp(ctx: EmulatorContext): Json {
  return {
    UserPools: Object.values(ctx.state.pools).map((pool) => ({
      Id: pool.id,
      Name: pool.name,
      CreationDate: pool.created / 1000,
      LastModifiedDate: pool.modified / 1000,
    })),
  };
}

/** A client spec from CreateUserPoolClient / UpdateUserPoolClient input (left out: the defaults). */
export function clientSpecOf(i: Json, name: string): UserPoolClientSpec {
  const units = (i.TokenValidityUnits ?? {}) as {
    AccessToken?: string;
    IdToken?: string;
    RefreshToken?: string;
  };
  const minutes = (value: unknown, unit: string | undefined, fallbackUnit: string) =>
    typeof value === 'number' ? toSeconds(value, unit ?? fallbackUnit) / 60 : undefined;
  const access = minutes(i.AccessTokenValidity, units.AccessToken, 'hours');
  const idv = minutes(i.IdTokenValidity, units.IdToken, 'hours');
  const refresh = minutes(i.RefreshTokenValidity, units.RefreshToken, 'days');
  return {
    name,
    generateSecret: i.GenerateSecret === true,
    explicitAuthFlows: (i.ExplicitAuthFlows as string[] | undefined) ?? [],
    ...(access !== undefined ? { accessTokenValidityMinutes: access } : {}),
    ...(idv !== undefined ? { idTokenValidityMinutes: idv } : {}),
    ...(refresh !== undefined ? { refreshTokenValidityDays: refresh / 1440 } : {}),
    ...(typeof i.AuthSessionValidity === 'number'
      ? { authSessionValidityMinutes: i.AuthSessionValidity }
      : {}),
    allowedOAuthFlows: (i.AllowedOAuthFlows as string[] | undefined) ?? [],
    allowedOAuthScopes: (i.AllowedOAuthScopes as string[] | undefined) ?? [],
    preventUserExistenceErrors: i.PreventUserExistenceErrors !== 'LEGACY',
    enableTokenRevocation: i.EnableTokenRevocation !== false,
  };
}

export function createUserPoolClientOp(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const oauth = readClientOAuth(i, pool);
  const { clientId } = createUserPoolClient(ctx, pool.id, clientSpecOf(i, str(i, 'ClientName')));
  const client = clientOf(pool, clientId);
  if (oauth) client.oauth = oauth;
  return { UserPoolClient: userPoolClientType(pool.id, client) };
}

export function describeUserPoolClient(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  return { UserPoolClient: userPoolClientType(pool.id, clientOf(pool, i.ClientId)) };
}

export function listUserPoolClients(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const max = typeof i.MaxResults === 'number' ? i.MaxResults : 60;
  return paginate(
    Object.values(pool.clients),
    { ...i, Limit: max },
    60,
    (client) => ({ ClientId: client.clientId, ClientName: client.clientName, UserPoolId: pool.id }),
    'UserPoolClients',
    'NextToken',
  );
}
