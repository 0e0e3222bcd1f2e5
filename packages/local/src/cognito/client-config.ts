/**
 * App clients after creation: UpdateUserPoolClient and DeleteUserPoolClient, and the
 * hosted-UI settings (callback and sign-out URLs, identity providers, OAuth flows) that
 * CreateUserPoolClient and UpdateUserPoolClient take.
 *
 * UpdateUserPoolClient does what Cognito's does (API reference: "If you don't provide a
 * value for an attribute, Amazon Cognito sets it to its default value"): the auth flows,
 * token validities, OAuth flows, scopes and URLs the call leaves out go back to their
 * defaults. The client keeps its id, secret, creation date and (when the call names none)
 * its name.
 */
import type { EmulatorContext } from './context.js';
import { invalidParameter } from './errors.js';
import { type Json, shown, str } from './input.js';
import { clientOf, requirePool } from './lookup.js';
import { userPoolClientType } from './model.js';
import { clientSpecOf, createUserPoolClient } from './pools.js';
import type { ClientRecord, PoolRecord } from './state.js';

/** A client's hosted-UI settings (CreateUserPoolClient / UpdateUserPoolClient). */
export interface ClientOAuthRecord {
  callbackURLs: string[];
  logoutURLs: string[];
  supportedIdentityProviders: string[];
  defaultRedirectURI?: string;
}

const OAUTH_FLOWS = new Set(['code', 'implicit', 'client_credentials']);

function stringList(i: Json, name: string, max: number): string[] {
  const value = i[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw invalidParameter(`${name} must be a list of strings`);
  }
  if (value.length > max) {
    throw invalidParameter(
      `1 validation error detected: Value at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  return [...new Set(value as string[])];
}

/**
 * Checks the OAuth members of a create or update call against the pool (its identity
 * providers) and the client (its secret); undefined when the call sets none of them.
 */
export function readClientOAuth(
  i: Json,
  pool: PoolRecord,
  hasSecret = i.GenerateSecret === true,
): ClientOAuthRecord | undefined {
  const flows = stringList(i, 'AllowedOAuthFlows', 3);
  for (const flow of flows) {
    if (!OAUTH_FLOWS.has(flow)) {
      throw invalidParameter(
        `1 validation error detected: Value '[${flows.map(shown).join(', ')}]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [implicit, client_credentials, code]]`,
      );
    }
  }
  if (flows.includes('client_credentials')) {
    if (flows.includes('code') || flows.includes('implicit')) {
      throw invalidParameter(
        'client_credentials flow can not be selected along with code flow or implicit flow.',
      );
    }
    if (!hasSecret) {
      throw invalidParameter(
        'client_credentials flow can not be selected if client does not have a client secret.',
      );
    }
  }
  const callbackURLs = stringList(i, 'CallbackURLs', 100);
  const logoutURLs = stringList(i, 'LogoutURLs', 100);
  const providers = stringList(i, 'SupportedIdentityProviders', 50);
  for (const provider of providers) {
    if (provider !== 'COGNITO' && !pool.identityProviders?.[provider]) {
      throw invalidParameter(`The provider ${provider} does not exist for User Pool ${pool.id}`);
    }
  }
  const redirect = i.DefaultRedirectURI;
  if (
    redirect !== undefined &&
    (typeof redirect !== 'string' || !callbackURLs.includes(redirect))
  ) {
    throw invalidParameter('DefaultRedirectURI must be one of the CallbackURLs');
  }
  if ((flows.includes('code') || flows.includes('implicit')) && callbackURLs.length === 0) {
    throw invalidParameter('CallbackURLs must be provided for the code and implicit flows');
  }
  if (callbackURLs.length + logoutURLs.length + providers.length === 0) return undefined;
  return {
    callbackURLs,
    logoutURLs,
    supportedIdentityProviders: providers,
    ...(typeof redirect === 'string' ? { defaultRedirectURI: redirect } : {}),
  };
}

/** What DescribeUserPoolClient shows of the hosted-UI settings (only the ones set). */
export function clientOAuthView(client: ClientRecord): Json {
  const oauth = client.oauth;
  if (!oauth) return {};
  return {
    ...(oauth.callbackURLs.length ? { CallbackURLs: oauth.callbackURLs } : {}),
    ...(oauth.logoutURLs.length ? { LogoutURLs: oauth.logoutURLs } : {}),
    ...(oauth.supportedIdentityProviders.length
      ? { SupportedIdentityProviders: oauth.supportedIdentityProviders }
      : {}),
    ...(oauth.defaultRedirectURI !== undefined
      ? { DefaultRedirectURI: oauth.defaultRedirectURI }
      : {}),
  };
}

export function updateUserPoolClient(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const client = clientOf(pool, i.ClientId);
  const name = i.ClientName === undefined ? client.clientName : str(i, 'ClientName');
  const hasSecret = client.clientSecret !== undefined;
  const oauth = readClientOAuth(i, pool, hasSecret);
  createUserPoolClient(
    ctx,
    pool.id,
    { ...clientSpecOf(i, name), generateSecret: hasSecret },
    {
      clientId: client.clientId,
      ...(client.clientSecret !== undefined ? { clientSecret: client.clientSecret } : {}),
      created: client.created,
    },
  );
  const updated = clientOf(pool, client.clientId);
  updated.created = client.created;
  if (oauth) updated.oauth = oauth;
  return { UserPoolClient: userPoolClientType(pool.id, updated) };
}

export function deleteUserPoolClient(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const client = clientOf(pool, i.ClientId);
  delete pool.clients[client.clientId];
  ctx.changed();
  return {};
}
