import {
  AdminUserGlobalSignOutCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackJwksFetcher } from '../../src/cognito/index.js';
import { claims, failure, type Harness, PASSWORD, startHarness } from './helpers.js';

const local = () => ({ jwksCache: new SimpleJwksCache({ fetcher: loopbackJwksFetcher }) });

describe('tokens', () => {
  let h: Harness;
  let poolId: string;
  let clientId: string;
  let username: string;
  let machine: { clientId: string; clientSecret?: string };
  const signIn = (id = clientId) =>
    h.client.send(
      new InitiateAuthCommand({
        ClientId: id,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'tok@example.com', PASSWORD },
      }),
    );

  beforeAll(async () => {
    h = await startHarness();
    poolId = h.emulator.createUserPool({
      name: 'tokens',
      usernameAttributes: ['email'],
      customAttributes: [{ name: 'tenant_id' }],
    }).id;
    ({ clientId } = h.emulator.createUserPoolClient(poolId, {
      name: 'web',
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      accessTokenValidityMinutes: 15,
      idTokenValidityMinutes: 20,
    }));
    h.emulator.createResourceServer(poolId, {
      identifier: 'api',
      scopes: [{ name: 'read' }, { name: 'write' }],
    });
    machine = h.emulator.createUserPoolClient(poolId, {
      name: 'machine',
      generateSecret: true,
      allowedOAuthFlows: ['client_credentials'],
      allowedOAuthScopes: ['api/read', 'api/write'],
    });
    h.emulator.createGroup(poolId, { name: 'users' });
    ({ username } = await h.emulator.seedUser(poolId, 'tok@example.com', PASSWORD, {
      email_verified: 'true',
      'custom:tenant_id': 'tenant-42',
    }));
  });
  afterAll(() => h.close());

  describe('claims and verification', () => {
    it('issues ID and access tokens with Cognito claim sets that aws-jwt-verify accepts', async () => {
      const result = await signIn();
      const issuer = `${h.endpoint}/${poolId}`;
      const idVerifier = JwtVerifier.create(
        {
          issuer,
          audience: clientId,
          jwksUri: `${issuer}/.well-known/jwks.json`,
          customJwtCheck: ({ payload }) => {
            if (payload.token_use !== 'id') throw new Error('not an ID token');
          },
        },
        local(),
      );
      const accessVerifier = JwtVerifier.create(
        {
          issuer,
          audience: null,
          jwksUri: `${issuer}/.well-known/jwks.json`,
          scope: 'aws.cognito.signin.user.admin',
        },
        local(),
      );

      const id = await idVerifier.verify(result.AuthenticationResult?.IdToken as string);
      const access = await accessVerifier.verify(
        result.AuthenticationResult?.AccessToken as string,
      );

      expect(id).toMatchObject({
        sub: username,
        email_verified: true,
        email: 'tok@example.com',
        'custom:tenant_id': 'tenant-42',
        iss: issuer,
        'cognito:username': username,
        aud: clientId,
        token_use: 'id',
      });
      for (const claim of ['origin_jti', 'event_id', 'jti', 'auth_time', 'iat', 'exp']) {
        expect(id).toHaveProperty(claim);
      }
      expect(Number(id.exp) - Number(id.iat)).toBe(20 * 60);
      expect(access).toMatchObject({
        sub: username,
        iss: issuer,
        client_id: clientId,
        token_use: 'access',
        scope: 'aws.cognito.signin.user.admin',
        username,
        origin_jti: id.origin_jti,
        event_id: id.event_id,
      });
      expect(Number(access.exp) - Number(access.iat)).toBe(15 * 60);
      expect(result.AuthenticationResult?.ExpiresIn).toBe(15 * 60);
      expect(result.AuthenticationResult?.RefreshToken).not.toMatch(/^ey/);
    });

    it('serves the JWKS and an openid-configuration naming the issuer', async () => {
      const config = (await (
        await fetch(`${h.endpoint}/${poolId}/.well-known/openid-configuration`)
      ).json()) as Record<string, unknown>;
      const jwks = (await (await fetch(config.jwks_uri as string)).json()) as {
        keys: Record<string, string>[];
      };

      expect(config.issuer).toBe(`${h.endpoint}/${poolId}`);
      expect(config.token_endpoint).toBe(`${h.endpoint}/oauth2/token`);
      expect(jwks.keys).toEqual([
        expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig' }),
      ]);
    });

    it('answers 404 for the JWKS of an unknown pool', async () => {
      const response = await fetch(`${h.endpoint}/eu-west-1_unknown00/.well-known/jwks.json`);

      expect(response.status).toBe(404);
    });
  });

  describe('pre token generation', () => {
    it('applies a V1 response to the ID token: add, override groups, suppression wins, reserved claims kept', async () => {
      h.emulator.setTriggers(poolId, { PreTokenGeneration: 'V1_0' });
      h.triggers.handlers.PreTokenGeneration = (event) => ({
        ...event,
        response: {
          claimsOverrideDetails: {
            claimsToAddOrOverride: { tier: 'gold', both: 'x', sub: 'forged', iss: 'https://evil' },
            claimsToSuppress: ['both', 'custom:tenant_id'],
            groupOverrideDetails: { groupsToOverride: ['vip'] },
          },
        },
      });

      const result = await signIn();
      delete h.triggers.handlers.PreTokenGeneration;

      const id = claims(result.AuthenticationResult?.IdToken);
      expect(id.tier).toBe('gold');
      expect(id).not.toHaveProperty('both');
      expect(id).not.toHaveProperty('custom:tenant_id');
      expect(id.sub).toBe(username);
      expect(id.iss).toBe(`${h.endpoint}/${poolId}`);
      expect(id['cognito:groups']).toEqual(['vip']);
      expect(claims(result.AuthenticationResult?.AccessToken)).not.toHaveProperty('tier');
      expect(h.triggers.last('PreTokenGeneration')).toMatchObject({
        version: '1',
        triggerSource: 'TokenGeneration_Authentication',
        request: {
          groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [], preferredRole: null },
        },
      });
    });

    it('applies a V2 response to both tokens, with scopes added and suppressed', async () => {
      h.emulator.setTriggers(poolId, { PreTokenGeneration: 'V2_0' });
      h.triggers.handlers.PreTokenGeneration = (event) => ({
        ...event,
        response: {
          claimsAndScopeOverrideDetails: {
            idTokenGeneration: { claimsToAddOrOverride: { department: 'eng' } },
            accessTokenGeneration: {
              claimsToAddOrOverride: { tenant: 'tenant-42', client_id: 'forged' },
              scopesToAdd: ['api/read', 'api/write'],
              scopesToSuppress: ['api/write'],
            },
            groupOverrideDetails: { groupsToOverride: ['vip'] },
          },
        },
      });

      const result = await signIn();
      delete h.triggers.handlers.PreTokenGeneration;

      const access = claims(result.AuthenticationResult?.AccessToken);
      expect(claims(result.AuthenticationResult?.IdToken).department).toBe('eng');
      expect(access.tenant).toBe('tenant-42');
      expect(access.client_id).toBe(clientId);
      expect(access.scope).toBe('aws.cognito.signin.user.admin api/read');
      expect(access['cognito:groups']).toEqual(['vip']);
      expect(claims(result.AuthenticationResult?.IdToken)['cognito:groups']).toEqual(['vip']);
      expect(h.triggers.last('PreTokenGeneration')).toMatchObject({
        version: '2',
        request: { scopes: ['aws.cognito.signin.user.admin'] },
      });
    });

    it('maps an unexpected invoker failure to UnexpectedLambdaException', async () => {
      h.triggers.handlers.PreTokenGeneration = () => {
        throw Object.assign(new Error('rules file invalid'), { name: 'TriggerInvocationError' });
      };

      const error = await failure(signIn());
      delete h.triggers.handlers.PreTokenGeneration;

      expect(error.name).toBe('UnexpectedLambdaException');
    });
  });

  describe('refresh, revoke and sign-out', () => {
    it('refreshes without a new refresh token, keeping origin_jti and auth_time', async () => {
      const first = await signIn();
      const refreshed = await h.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: first.AuthenticationResult?.RefreshToken as string },
        }),
      );

      expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
      const before = claims(first.AuthenticationResult?.AccessToken);
      const after = claims(refreshed.AuthenticationResult?.AccessToken);
      expect(after.origin_jti).toBe(before.origin_jti);
      expect(after.auth_time).toBe(before.auth_time);
      expect(after.jti).not.toBe(before.jti);
    });

    it('answers GetUser for a valid access token', async () => {
      const result = await signIn();

      const user = await h.client.send(
        new GetUserCommand({ AccessToken: result.AuthenticationResult?.AccessToken }),
      );

      expect(user.Username).toBe(username);
      expect(user.UserAttributes).toContainEqual({ Name: 'email', Value: 'tok@example.com' });
    });

    it('revokes a refresh token and the access tokens issued from it', async () => {
      const result = await signIn();
      await h.client.send(
        new RevokeTokenCommand({
          ClientId: clientId,
          Token: result.AuthenticationResult?.RefreshToken,
        }),
      );

      const refresh = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: result.AuthenticationResult?.RefreshToken as string },
          }),
        ),
      );
      const getUser = await failure(
        h.client.send(
          new GetUserCommand({ AccessToken: result.AuthenticationResult?.AccessToken }),
        ),
      );

      expect(refresh.name).toBe('NotAuthorizedException');
      expect(refresh.message).toBe('Refresh Token has been revoked');
      expect(getUser.message).toBe('Access Token has been revoked');
    });

    it('refuses to revoke an access token with UnsupportedTokenTypeException', async () => {
      const result = await signIn();

      const error = await failure(
        h.client.send(
          new RevokeTokenCommand({
            ClientId: clientId,
            Token: result.AuthenticationResult?.AccessToken,
          }),
        ),
      );

      expect(error.name).toBe('UnsupportedTokenTypeException');
    });

    it('signs the user out everywhere with GlobalSignOut and AdminUserGlobalSignOut', async () => {
      const a = await signIn();
      const b = await signIn();
      await h.client.send(
        new GlobalSignOutCommand({ AccessToken: a.AuthenticationResult?.AccessToken }),
      );

      const error = await failure(
        h.client.send(new GetUserCommand({ AccessToken: b.AuthenticationResult?.AccessToken })),
      );
      expect(error.name).toBe('NotAuthorizedException');

      const c = await signIn();
      await h.client.send(
        new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: username }),
      );
      const refresh = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: c.AuthenticationResult?.RefreshToken as string },
          }),
        ),
      );
      expect(refresh.name).toBe('NotAuthorizedException');
    });

    it('refuses a tampered access token', async () => {
      const result = await signIn();
      const token = result.AuthenticationResult?.AccessToken as string;
      const [header, , signature] = token.split('.');
      const forged = Buffer.from(
        JSON.stringify({ ...claims(token), username: 'someone' }),
      ).toString('base64url');

      const error = await failure(
        h.client.send(new GetUserCommand({ AccessToken: `${header}.${forged}.${signature}` })),
      );

      expect(error.name).toBe('NotAuthorizedException');
      expect(error.message).toBe('Invalid Access Token');
    });
  });

  describe('OAuth2 client credentials', () => {
    const token = (body: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${h.endpoint}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body),
      });
    const basic = () =>
      `Basic ${Buffer.from(`${machine.clientId}:${machine.clientSecret}`).toString('base64')}`;

    it('issues an access token with the requested scopes to a confidential client (Basic auth)', async () => {
      const response = await token(
        { grant_type: 'client_credentials', scope: 'api/read' },
        { authorization: basic() },
      );

      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        access_token: string;
        expires_in: number;
        token_type: string;
      };
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBe(3600);
      const verifier = JwtVerifier.create(
        {
          issuer: `${h.endpoint}/${poolId}`,
          audience: null,
          jwksUri: `${h.endpoint}/${poolId}/.well-known/jwks.json`,
          scope: 'api/read',
        },
        local(),
      );
      const payload = await verifier.verify(body.access_token);
      expect(payload).toMatchObject({
        sub: machine.clientId,
        client_id: machine.clientId,
        token_use: 'access',
        scope: 'api/read',
      });
    });

    it('accepts body credentials and grants every allowed scope when none is asked', async () => {
      const response = await token({
        grant_type: 'client_credentials',
        client_id: machine.clientId,
        client_secret: machine.clientSecret as string,
      });

      const body = (await response.json()) as { access_token: string };
      expect(claims(body.access_token).scope).toBe('api/read api/write');
    });

    it('sends a V3_0 TokenGeneration_ClientCredentials event and applies its scopes', async () => {
      h.emulator.setTriggers(poolId, { PreTokenGeneration: 'V3_0' });
      h.triggers.handlers.PreTokenGeneration = (event) => ({
        ...event,
        response: {
          claimsAndScopeOverrideDetails: {
            accessTokenGeneration: {
              claimsToAddOrOverride: { partner: 'acme' },
              scopesToSuppress: ['api/write'],
            },
          },
        },
      });

      const response = await token(
        { grant_type: 'client_credentials' },
        { authorization: basic() },
      );
      delete h.triggers.handlers.PreTokenGeneration;

      const body = (await response.json()) as { access_token: string };
      expect(claims(body.access_token)).toMatchObject({ partner: 'acme', scope: 'api/read' });
      expect(h.triggers.last('PreTokenGeneration')).toMatchObject({
        version: '3',
        triggerSource: 'TokenGeneration_ClientCredentials',
        callerContext: { clientId: machine.clientId },
        request: { scopes: ['api/read', 'api/write'] },
      });
    });

    it('answers OAuth errors: invalid_client 401, invalid_scope 400, unsupported_grant_type 400', async () => {
      const wrongSecret = await token(
        { grant_type: 'client_credentials' },
        { authorization: `Basic ${Buffer.from(`${machine.clientId}:nope`).toString('base64')}` },
      );
      const badScope = await token(
        { grant_type: 'client_credentials', scope: 'api/admin' },
        { authorization: basic() },
      );
      const badGrant = await token({ grant_type: 'password' }, { authorization: basic() });
      const publicClient = await token({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: 'x',
      });

      expect([wrongSecret.status, await wrongSecret.json()]).toEqual([
        401,
        { error: 'invalid_client' },
      ]);
      expect([badScope.status, await badScope.json()]).toEqual([400, { error: 'invalid_scope' }]);
      expect([badGrant.status, await badGrant.json()]).toEqual([
        400,
        { error: 'unsupported_grant_type' },
      ]);
      expect(await publicClient.json()).toEqual({ error: 'invalid_client' });
    });
  });
});
