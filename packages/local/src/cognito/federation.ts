/**
 * Federated users: AdminLinkProviderForUser and the hosted-UI federated sign-in without the
 * IdP round trip.
 */
import { preAuthentication } from './auth-initiate.js';
import { type CallContext, DEFAULT_CONTEXT, type EmulatorContext } from './context.js';
import { CognitoError, invalidParameter, notAuthorized } from './errors.js';
import { type Json, str } from './input.js';
import { clientOf, requirePool, requireUser } from './lookup.js';
import { parseAttributes } from './model.js';
import { hasTrigger, runTrigger } from './pool-triggers.js';
import { postConfirmation } from './sign-up.js';
import { ADMIN_SCOPE, issueTokens } from './token-issue.js';
import { eventUserAttributes, identitiesOf, newUser } from './user-records.js';

export function adminLinkProviderForUser(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const destination = (i.DestinationUser ?? {}) as Json;
  const source = (i.SourceUser ?? {}) as Json;
  if (destination.ProviderName !== 'Cognito') {
    throw invalidParameter('DestinationUser ProviderName must be Cognito');
  }
  const user = requireUser(pool, destination.ProviderAttributeValue);
  const providerName = str(source, 'ProviderName');
  const attributeName = str(source, 'ProviderAttributeName');
  const attributeValue = str(source, 'ProviderAttributeValue');
  if (providerName === 'Cognito') throw invalidParameter('SourceUser cannot be a Cognito user');
  if (user.status === 'EXTERNAL_PROVIDER') {
    throw invalidParameter('DestinationUser cannot be an external provider user');
  }
  if (pool.users[`${providerName}_${attributeValue}`]) {
    throw invalidParameter(
      'Merging is not currently supported, provide a SourceUser that has not been used to sign into the user pool.',
    );
  }
  const taken = Object.values(pool.users).find((other) =>
    other.links.some(
      (link) =>
        link.providerName === providerName && link.providerAttributeValue === attributeValue,
    ),
  );
  if (taken && taken !== user)
    throw new CognitoError(
      'AliasExistsException',
      'Provider identity is already linked to another user.',
    );
  if (!taken) {
    user.links.push({
      providerName,
      providerAttributeName: attributeName,
      providerAttributeValue: attributeValue,
    });
    user.attributes.identities = JSON.stringify(identitiesOf(user, ctx.now()));
    user.modified = ctx.now();
    ctx.changed();
  }
  return {};
}

/**
 * A federated sign-in through the hosted UI, without the IdP round trip. As the
 * developer guide's "Lambda triggers for federated users" lists: a first sign-in runs
 * PreSignUp_ExternalProvider (the trigger may link the identity to a native user with
 * AdminLinkProviderForUser) and, when it creates the `<Provider>_<id>` user,
 * PostConfirmation_ConfirmSignUp; later sign-ins run PreAuthentication and
 * PostAuthentication; every one then runs PreTokenGeneration (TokenGeneration_HostedAuth).
 */
export async function federatedSignIn(
  ctx: EmulatorContext,
  poolId: string,
  clientId: string,
  provider: string,
  subject: string,
  attributes: Record<string, string> = {},
  caller: CallContext = DEFAULT_CONTEXT,
): Promise<{ username: string; linked: boolean; created: boolean; tokens: Json }> {
  const pool = requirePool(ctx, poolId);
  const client = clientOf(pool, clientId);
  const linkedUser = () =>
    Object.values(pool.users).find((user) =>
      user.links.some(
        (link) => link.providerName === provider && link.providerAttributeValue === subject,
      ),
    );
  const federatedName = `${provider}_${subject}`;
  let user = linkedUser() ?? pool.users[federatedName];
  let created = false;
  const returning = user !== undefined;
  if (!user) {
    const attrs = parseAttributes(
      pool,
      Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    );
    if (hasTrigger(ctx, pool, 'PreSignUp')) {
      await runTrigger(
        ctx,
        pool,
        'PreSignUp',
        'PreSignUp_ExternalProvider',
        client.clientId,
        federatedName,
        { userAttributes: { ...attrs }, validationData: null, clientMetadata: {} },
        { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
        caller,
      );
    }
    user = linkedUser();
    if (!user) {
      user = newUser(ctx, pool, federatedName, attrs, 'EXTERNAL_PROVIDER');
      user.links.push({
        providerName: provider,
        providerAttributeName: 'Cognito_Subject',
        providerAttributeValue: subject,
      });
      user.attributes.identities = JSON.stringify(identitiesOf(user, ctx.now()));
      user.links = [];
      pool.users[federatedName] = user;
      created = true;
      ctx.changed();
      await postConfirmation(ctx, pool, client.clientId, user, {}, caller);
    }
  }
  if (!user.enabled) throw notAuthorized('User is disabled.');
  if (returning) {
    // Later sign-ins of a federated identity run pre and post authentication
    // ("Lambda triggers for federated users" in the developer guide).
    await preAuthentication(ctx, pool, client, user, user.username, {}, caller, false);
    if (hasTrigger(ctx, pool, 'PostAuthentication')) {
      await runTrigger(
        ctx,
        pool,
        'PostAuthentication',
        'PostAuthentication_Authentication',
        client.clientId,
        user.username,
        {
          userAttributes: eventUserAttributes(user),
          newDeviceUsed: false,
          clientMetadata: {},
        },
        {},
        caller,
      );
    }
  }
  const scopes = client.allowedOAuthScopes.length
    ? client.allowedOAuthScopes
    : ['openid', ADMIN_SCOPE];
  const tokens = await issueTokens(
    ctx,
    pool,
    client,
    user,
    'TokenGeneration_HostedAuth',
    {},
    caller,
    { scopes },
  );
  return { username: user.username, linked: user.username !== federatedName, created, tokens };
}
