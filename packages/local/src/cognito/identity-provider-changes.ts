/**
 * Changing and removing a pool's identity providers: UpdateIdentityProvider and
 * DeleteIdentityProvider (creating, describing and listing them: `identity-providers.ts`).
 * UpdateIdentityProvider replaces the members the call names (ProviderDetails,
 * AttributeMapping, IdpIdentifiers) and keeps the others; deleting a provider also takes
 * it off the clients that offered it.
 */
import type { EmulatorContext } from './context.js';
import { CognitoError } from './errors.js';
import { describeIdentityProvider } from './identity-providers.js';
import { type Json, record, str } from './input.js';
import { requirePool } from './lookup.js';
import type { IdentityProviderRecord, PoolRecord } from './state.js';

function requireProvider(pool: PoolRecord, name: string): IdentityProviderRecord {
  const idp = pool.identityProviders?.[name];
  if (!idp)
    throw new CognitoError('ResourceNotFoundException', 'Identity provider does not exist.');
  return idp;
}

export function updateIdentityProvider(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const name = str(i, 'ProviderName');
  const idp = requireProvider(pool, name);
  // Read all before changing anything: a refused call changes nothing.
  const details = i.ProviderDetails === undefined ? undefined : record(i.ProviderDetails);
  const mapping = i.AttributeMapping === undefined ? undefined : record(i.AttributeMapping);
  const identifiers = Array.isArray(i.IdpIdentifiers)
    ? (i.IdpIdentifiers as unknown[]).map(String)
    : undefined;
  if (details) idp.details = { ...idp.details, ...details };
  if (mapping) idp.attributeMapping = mapping;
  if (identifiers) idp.idpIdentifiers = identifiers;
  idp.modified = ctx.now();
  ctx.changed();
  return describeIdentityProvider(ctx, { UserPoolId: pool.id, ProviderName: name });
}

export function deleteIdentityProvider(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const name = str(i, 'ProviderName');
  requireProvider(pool, name);
  delete pool.identityProviders?.[name];
  for (const client of Object.values(pool.clients)) {
    const offered = client.oauth?.supportedIdentityProviders;
    if (offered?.includes(name) && client.oauth) {
      client.oauth.supportedIdentityProviders = offered.filter((provider) => provider !== name);
    }
  }
  ctx.changed();
  return {};
}
