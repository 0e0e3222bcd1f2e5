/**
 * Identity providers of a pool: CreateIdentityProvider, DescribeIdentityProvider,
 * ListIdentityProviders, with Cognito's shapes (ProviderDetails as given, secrets
 * included: DescribeIdentityProvider returns them to an admin, as Cognito does) and
 * errors (DuplicateProviderException, ResourceNotFoundException). They are kept with the
 * pool in the state file; the hosted-UI round trip itself stays out of the emulator
 * (federatedSignIn stands in for it).
 */
import type { EmulatorContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import { type Json, paginate, record, str } from './input.js';
import { requirePool } from './lookup.js';
import { dict, type IdentityProviderRecord, type PoolRecord } from './state.js';

const PROVIDER_TYPES = new Set([
  'SAML',
  'Facebook',
  'Google',
  'LoginWithAmazon',
  'SignInWithApple',
  'OIDC',
]);

function providersOf(pool: PoolRecord): Record<string, IdentityProviderRecord> {
  pool.identityProviders ??= dict<IdentityProviderRecord>();
  return pool.identityProviders;
}

function providerType(poolId: string, idp: IdentityProviderRecord): Json {
  return {
    UserPoolId: poolId,
    ProviderName: idp.name,
    ProviderType: idp.type,
    ProviderDetails: idp.details,
    AttributeMapping: idp.attributeMapping,
    IdpIdentifiers: idp.idpIdentifiers,
    LastModifiedDate: idp.modified / 1000,
    CreationDate: idp.created / 1000,
  };
}

export function createIdentityProvider(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const name = str(i, 'ProviderName');
  if (!/^[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+$/u.test(name) || name.length > 32) {
    throw invalidParameter(
      "1 validation error detected: Value at 'providerName' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
  }
  const type = str(i, 'ProviderType');
  if (!PROVIDER_TYPES.has(type)) {
    throw invalidParameter(
      `1 validation error detected: Value '${type.slice(0, 40)}' at 'providerType' failed to satisfy constraint: Member must satisfy enum value set: [SAML, Facebook, Google, LoginWithAmazon, SignInWithApple, OIDC]`,
    );
  }
  const providers = providersOf(pool);
  if (providers[name]) {
    throw new CognitoError(
      'DuplicateProviderException',
      'A provider with the specified name already exists.',
    );
  }
  const now = ctx.now();
  const idp: IdentityProviderRecord = {
    name,
    type,
    details: record(i.ProviderDetails),
    attributeMapping: record(i.AttributeMapping),
    idpIdentifiers: Array.isArray(i.IdpIdentifiers)
      ? (i.IdpIdentifiers as unknown[]).map(String)
      : [],
    created: now,
    modified: now,
  };
  providers[name] = idp;
  ctx.changed();
  return { IdentityProvider: providerType(pool.id, idp) };
}

export function describeIdentityProvider(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const idp = providersOf(pool)[str(i, 'ProviderName')];
  if (!idp)
    throw new CognitoError('ResourceNotFoundException', 'Identity provider does not exist.');
  return { IdentityProvider: providerType(pool.id, idp) };
}

export function listIdentityProviders(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const list = Object.values(providersOf(pool)).sort((a, b) => a.created - b.created);
  const limit = typeof i.MaxResults === 'number' ? i.MaxResults : 60;
  return paginate(
    list,
    { ...i, Limit: limit },
    60,
    (idp) => ({
      ProviderName: idp.name,
      ProviderType: idp.type,
      LastModifiedDate: idp.modified / 1000,
      CreationDate: idp.created / 1000,
    }),
    'Providers',
    'NextToken',
  );
}
