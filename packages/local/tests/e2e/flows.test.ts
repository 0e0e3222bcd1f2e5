/**
 * The whole system end to end, driven by the real AWS SDK clients against one local
 * stack (default config: passwordless custom challenge): sign-up policy, federated
 * linking, password / SRP / passwordless sign-ins, refresh, client credentials, the
 * customised claims, the protected API, and the audit trail with no secret in it.
 */
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER } from '../../src/stack.js';
import {
  auditRecords,
  claimsOf,
  cognitoClient,
  everythingWritten,
  newEmail,
  nextCode,
  passwordlessSignIn,
  respond,
  startTestStack,
} from './helpers.js';

const PASSWORD = 'Corr3ct-Horse!';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let client: CognitoIdentityProviderClient;
/** Mails already read, so each step reads its own. */
const seen = new Set<string>();
/** Every secret a test saw: none may appear in an audit record or a handler log. */
const secrets = new Set<string>([DEMO_USER.password, PASSWORD]);
/** Session clock offset of the Cognito emulator (expiry tests move it forward). */
let clockOffsetMs = 0;

function remember(result: AuthenticationResultType | undefined): AuthenticationResultType {
  if (!result) throw new Error('no tokens');
  for (const token of [result.AccessToken, result.IdToken, result.RefreshToken]) {
    if (token) secrets.add(token);
  }
  return result;
}

async function signUpConfirmed(email: string): Promise<void> {
  await client.send(
    new SignUpCommand({
      ClientId: stack.outputs.userPoolClientId,
      Username: email,
      Password: PASSWORD,
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  const { code } = await nextCode(stack, email, seen);
  secrets.add(code);
  await client.send(
    new ConfirmSignUpCommand({
      ClientId: stack.outputs.userPoolClientId,
      Username: email,
      ConfirmationCode: code,
    }),
  );
}

async function passwordSignIn(email: string, password: string) {
  const result = await client.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      // The local-only password client: the web client is exactly the deployed one.
      ClientId: stack.outputs.passwordClientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  return remember(result.AuthenticationResult);
}

function callApi(path: string, token?: string, method = 'GET'): Promise<Response> {
  return fetch(`${stack.outputs.apiUrl}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** An admin-only route of the protected API (POST /admin/{proxy+}, scope api/admin). */
const ADMIN_PATH = '/admin/users';

beforeAll(async () => {
  stack = await startTestStack({ now: () => Date.now() + clockOffsetMs });
  client = cognitoClient(stack);
}, 180_000);

afterAll(async () => {
  client?.destroy();
  await stack?.cleanup();
});

describe('sign-up', () => {
  it('accepts a sign-up from an allowed domain and confirms it with the mailed code', async () => {
    // Prepare
    const email = newEmail('allowed');

    // Act
    await signUpConfirmed(email);
    const user = await client.send(
      new AdminGetUserCommand({ UserPoolId: stack.outputs.userPoolId, Username: email }),
    );

    // Assess
    expect(user.UserStatus).toBe('CONFIRMED');
    const records = await auditRecords(stack);
    expect(
      records.some(
        (r) =>
          (r as { metadata: { event_code: string } }).metadata.event_code === 'PreSignUp_SignUp' &&
          (r as { status: string }).status === 'Success' &&
          JSON.stringify(r).includes(String(user.Username)),
      ),
    ).toBe(true);
  });

  it('refuses a sign-up from a disposable-mail domain with the policy reason', async () => {
    // Act
    const failure = await client
      .send(
        new SignUpCommand({
          ClientId: stack.outputs.userPoolClientId,
          Username: 'someone@mailinator.com',
          Password: PASSWORD,
          UserAttributes: [{ Name: 'email', Value: 'someone@mailinator.com' }],
        }),
      )
      .catch((error: Error) => error);

    // Assess
    expect(failure).toMatchObject({ name: 'UserLambdaValidationException' });
    expect((failure as Error).message).toMatch(/^PreSignUp failed with error .+\.$/);
    const denied = (await auditRecords(stack)).filter(
      (r) =>
        (r as { metadata: { event_code: string } }).metadata.event_code === 'PreSignUp_SignUp' &&
        (r as { status: string }).status === 'Failure',
    );
    expect(denied.length).toBeGreaterThan(0);
  });

  it('links a federated sign-in to the native user with the same verified email', async () => {
    // Prepare
    const email = newEmail('federated');
    await signUpConfirmed(email);
    const native = await client.send(
      new AdminGetUserCommand({ UserPoolId: stack.outputs.userPoolId, Username: email }),
    );

    // Act
    const result = await stack.cognito.federatedSignIn(
      stack.outputs.userPoolId,
      stack.outputs.userPoolClientId,
      'Google',
      `google-${Date.now()}`,
      { email, email_verified: 'true' },
    );

    // Assess
    expect(result.linked).toBe(true);
    expect(result.username).toBe(native.Username);
    const linked = (await auditRecords(stack)).filter(
      (r) =>
        (r as { metadata: { event_code: string } }).metadata.event_code ===
          'PreSignUp_ExternalProvider' &&
        (r as { unmapped: { linkedToUser?: string } }).unmapped.linkedToUser !== undefined,
    );
    expect(linked.length).toBeGreaterThan(0);
  });
});

describe('sign-in', () => {
  it('signs the demo user in with USER_PASSWORD_AUTH and customises the claims by the rules', async () => {
    // Act
    const tokens = await passwordSignIn(DEMO_USER.email, DEMO_USER.password);

    // Assess
    const id = claimsOf(tokens.IdToken);
    const access = claimsOf(tokens.AccessToken);
    expect(id.tenant).toBe(DEMO_USER.tenant); // rule tenant-claim
    expect(id['custom:tenant_id']).toBeUndefined(); // suppressed from the ID token
    expect(id['cognito:groups']).toEqual(['users']);
    expect(id['cognito:preferred_role']).toBe('arn:aws:iam::123456789012:role/authwatch-users');
    expect(String(access.scope).split(' ')).toContain('api/read'); // rule users-read
    expect(String(access.scope).split(' ')).not.toContain('api/admin');
    expect(access.tenant).toBe(DEMO_USER.tenant);
    expect(access.client_id).toBe(stack.outputs.passwordClientId);
    const mine = (await auditRecords(stack)).filter((r) =>
      JSON.stringify(r).includes(String(id.sub)),
    );
    expect(
      mine.map((r) => (r as { metadata: { event_code: string } }).metadata.event_code),
    ).toEqual(
      expect.arrayContaining([
        'PostAuthentication_Authentication',
        'TokenGeneration_Authentication',
      ]),
    );
  });

  it('issues tokens that aws-jwt-verify accepts with the local issuer and JWKS', async () => {
    // Prepare
    const tokens = await passwordSignIn(DEMO_USER.email, DEMO_USER.password);
    const httpFetcher = {
      fetch: async (uri: string) => (await fetch(uri)).arrayBuffer(),
    };
    const verifier = JwtRsaVerifier.create(
      {
        issuer: stack.outputs.issuer,
        jwksUri: stack.outputs.jwksUri,
        audience: stack.outputs.passwordClientId,
      },
      { jwksCache: new SimpleJwksCache({ fetcher: httpFetcher }) },
    );

    // Act
    const payload = await verifier.verify(tokens.IdToken as string);

    // Assess
    expect(payload.token_use).toBe('id');
    expect(payload.iss).toBe(stack.outputs.issuer);
  });

  it('signs in with SRP through amazon-cognito-identity-js', async () => {
    // Prepare
    const pool = new CognitoUserPool({
      UserPoolId: stack.outputs.userPoolId,
      ClientId: stack.outputs.userPoolClientId,
      endpoint: `${stack.outputs.endpoint}/`,
    });
    const user = new CognitoUser({ Username: DEMO_USER.email, Pool: pool });

    // Act
    const session = await new Promise<CognitoUserSession>((resolve, reject) =>
      user.authenticateUser(
        new AuthenticationDetails({ Username: DEMO_USER.email, Password: DEMO_USER.password }),
        { onSuccess: resolve, onFailure: reject },
      ),
    );

    // Assess
    const access = session.getAccessToken().getJwtToken();
    secrets.add(access);
    secrets.add(session.getIdToken().getJwtToken());
    secrets.add(session.getRefreshToken().getToken());
    expect(session.getIdToken().decodePayload().tenant).toBe(DEMO_USER.tenant);
    expect(claimsOf(access).scope).toContain('api/read');
  });

  it('refuses a wrong password with NotAuthorizedException', async () => {
    // Act
    const failure = await passwordSignIn(DEMO_USER.email, 'Wrong-Passw0rd!').catch((e) => e);

    // Assess
    expect(failure).toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('signs in without a password with the code mailed by the create trigger', async () => {
    // Prepare
    const email = newEmail('passwordless');
    await signUpConfirmed(email);

    // Act
    const { tokens, code } = await passwordlessSignIn(stack, client, email, seen);

    // Assess
    secrets.add(code);
    remember(tokens);
    expect(claimsOf(tokens.AccessToken).username).toBeDefined();
    const records = await auditRecords(stack);
    const mine = records.filter((r) =>
      JSON.stringify(r).includes(claimsOf(tokens.IdToken).sub as string),
    );
    const kinds = mine.map((r) => (r as { metadata: { event_code: string } }).metadata.event_code);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'CreateAuthChallenge_Authentication',
        'VerifyAuthChallengeResponse_Authentication',
        'PostAuthentication_Authentication',
        'TokenGeneration_Authentication',
      ]),
    );
  });

  it('accepts the right code after a wrong one, re-using the mailed code', async () => {
    // Prepare
    const email = newEmail('retry');
    await signUpConfirmed(email);
    const started = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'CUSTOM_AUTH',
        ClientId: stack.outputs.userPoolClientId,
        AuthParameters: { USERNAME: email },
      }),
    );
    const { code } = await nextCode(stack, email, seen);
    secrets.add(code);
    const wrong = code === '000000' ? '111111' : '000000';

    // Act
    const afterWrong = await respond(client, stack, email, started.Session, wrong);
    const afterRight = await respond(client, stack, email, afterWrong.Session, code);

    // Assess
    expect(afterWrong.ChallengeName).toBe('CUSTOM_CHALLENGE');
    expect(remember(afterRight.AuthenticationResult).AccessToken).toBeDefined();
    const failed = (await auditRecords(stack)).filter(
      (r) =>
        (r as { metadata: { event_code: string } }).metadata.event_code ===
          'VerifyAuthChallengeResponse_Authentication' &&
        (r as { status: string }).status === 'Failure',
    );
    expect(failed.length).toBeGreaterThan(0);
  });

  it('locks the sign-in out after the allowed number of wrong codes', async () => {
    // Prepare
    const email = newEmail('lockout');
    await signUpConfirmed(email);
    let session = (
      await client.send(
        new InitiateAuthCommand({
          AuthFlow: 'CUSTOM_AUTH',
          ClientId: stack.outputs.userPoolClientId,
          AuthParameters: { USERNAME: email },
        }),
      )
    ).Session;
    const { code } = await nextCode(stack, email, seen);
    secrets.add(code);
    const wrong = code === '000000' ? '111111' : '000000';

    // Act
    let failure: unknown;
    for (let attempt = 0; attempt < 10 && failure === undefined; attempt += 1) {
      try {
        session = (await respond(client, stack, email, session, wrong)).Session;
      } catch (error) {
        failure = error;
      }
    }

    // Assess
    expect(failure).toMatchObject({ name: 'NotAuthorizedException' });
    expect(JSON.stringify(await auditRecords(stack))).toContain('locked');
  });

  it('refuses an answer after the auth session has expired', async () => {
    // Prepare
    const email = newEmail('expiry');
    await signUpConfirmed(email);
    const started = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'CUSTOM_AUTH',
        ClientId: stack.outputs.userPoolClientId,
        AuthParameters: { USERNAME: email },
      }),
    );
    const { code } = await nextCode(stack, email, seen);
    secrets.add(code);

    // Act: past the client's auth session validity (at most 15 minutes)
    clockOffsetMs += 16 * 60_000;
    const failure = await respond(client, stack, email, started.Session, code).catch((e) => e);
    clockOffsetMs = 0;

    // Assess
    expect(failure).toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('never mails a code or issues tokens for a user that does not exist', async () => {
    // Prepare
    const email = newEmail('nobody');
    const started = await client
      .send(
        new InitiateAuthCommand({
          AuthFlow: 'CUSTOM_AUTH',
          ClientId: stack.outputs.userPoolClientId,
          AuthParameters: { USERNAME: email },
        }),
      )
      .catch((error: Error) => error);

    // Act: answer whatever challenge comes until the sign-in ends
    let outcome: unknown = started;
    let session = started instanceof Error ? undefined : started.Session;
    for (let round = 0; round < 10 && !(outcome instanceof Error); round += 1) {
      outcome = await respond(client, stack, email, session, '123456').catch((e: Error) => e);
      if (!(outcome instanceof Error)) {
        expect(
          (outcome as { AuthenticationResult?: unknown }).AuthenticationResult,
        ).toBeUndefined();
        session = (outcome as { Session?: string }).Session;
      }
    }

    // Assess
    expect(outcome).toBeInstanceOf(Error);
    expect(['NotAuthorizedException', 'UserNotFoundException']).toContain((outcome as Error).name);
    await expect(nextCode(stack, email, new Set(), 500)).rejects.toThrow(/no code/);
  });

  it('refreshes tokens with REFRESH_TOKEN_AUTH, customised again', async () => {
    // Prepare
    const tokens = await passwordSignIn(DEMO_USER.email, DEMO_USER.password);

    // Act
    const refreshed = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: stack.outputs.passwordClientId,
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken as string },
      }),
    );

    // Assess
    const result = remember(refreshed.AuthenticationResult);
    expect(claimsOf(result.IdToken).tenant).toBe(DEMO_USER.tenant);
    expect(claimsOf(result.AccessToken).origin_jti).toBe(claimsOf(tokens.AccessToken).origin_jti);
    const codes = (await auditRecords(stack)).map(
      (r) => (r as { metadata: { event_code: string } }).metadata.event_code,
    );
    expect(codes).toContain('TokenGeneration_RefreshTokens');
  });
});

describe('machine to machine', () => {
  const tokenRequest = (scope: string) =>
    fetch(`${stack.outputs.endpoint}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(
          `${stack.outputs.machineClientId}:${stack.outputs.machineClientSecret}`,
        ).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
    });

  it('issues a client-credentials token marked as a machine token by the rules', async () => {
    // Act
    const response = await tokenRequest('api/read');

    // Assess
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    secrets.add(access_token);
    const claims = claimsOf(access_token);
    expect(claims.token_kind).toBe('machine'); // rule machine-clients (V3_0)
    expect(String(claims.scope).split(' ')).toEqual(['api/read']);
    expect((await callApi('/reports', access_token)).status).toBe(200);
    expect((await callApi(ADMIN_PATH, access_token, 'POST')).status).toBe(403);
    const machine = (await auditRecords(stack)).filter(
      (r) =>
        (r as { metadata: { event_code: string } }).metadata.event_code ===
        'TokenGeneration_ClientCredentials',
    );
    expect(machine.length).toBeGreaterThan(0);
  });

  it('refuses a scope the machine client is not allowed (the config grants it api/read)', async () => {
    // Act
    const response = await tokenRequest('api/admin');

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_scope' });
  });
});

describe('protected API', () => {
  it('answers 401 without a token and with a token it cannot verify', async () => {
    // Act
    const none = await callApi('/me');
    const forged = await callApi('/me', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');

    // Assess
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: 'Unauthorized' });
    expect(forged.status).toBe(401);
  });

  it("answers 403 on an admin route for a token without the route's scope", async () => {
    // Prepare
    const tokens = await passwordSignIn(DEMO_USER.email, DEMO_USER.password);

    // Act
    const response = await callApi(ADMIN_PATH, tokens.AccessToken, 'POST');

    // Assess
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it("answers 200 on /me with the caller's claims from the real handler", async () => {
    // Prepare
    const tokens = await passwordSignIn(DEMO_USER.email, DEMO_USER.password);

    // Act
    const response = await callApi('/me', tokens.AccessToken);

    // Assess
    expect(response.status).toBe(200);
    expect((await callApi('/reports', tokens.AccessToken)).status).toBe(200); // api/read
    const body = await response.text();
    expect(body).toContain(claimsOf(tokens.AccessToken).sub as string);
    expect(body).not.toContain(tokens.AccessToken as string);
  });

  it('lets an admin call an admin route once the rules grant api/admin', async () => {
    // Prepare
    const email = newEmail('admin');
    await signUpConfirmed(email);
    await client.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: stack.outputs.userPoolId,
        Username: email,
        GroupName: 'admins',
      }),
    );
    const tokens = await passwordSignIn(email, PASSWORD);

    // Act
    const response = await callApi(ADMIN_PATH, tokens.AccessToken, 'POST');

    // Assess
    expect(String(claimsOf(tokens.AccessToken).scope).split(' ')).toContain('api/admin');
    expect(response.status).toBeLessThan(400);
  });
});

describe('audit batching', () => {
  it('sends the audit events of sign-ins made together in shared Firehose requests', async () => {
    // Prepare
    const before = await auditRecords(stack);
    const requestsBefore = (await stack.firehose.stats()).requests;

    // Act
    const signIns = await Promise.all(
      Array.from({ length: 8 }, () => passwordSignIn(DEMO_USER.email, DEMO_USER.password)),
    );

    // Assess: every sign-in has both of its events, in fewer requests than events.
    // Records new since `before`, by id: objects of several sources list in path order.
    const seen = new Set(before.map((r) => (r as { metadata: { uid: string } }).metadata.uid));
    const added = (await auditRecords(stack)).filter(
      (r) => !seen.has((r as { metadata: { uid: string } }).metadata.uid),
    );
    const codes = (record: Record<string, unknown>) =>
      (record as { metadata: { event_code: string } }).metadata.event_code;
    expect(added.filter((r) => codes(r) === 'PostAuthentication_Authentication')).toHaveLength(8);
    expect(added.filter((r) => codes(r) === 'TokenGeneration_Authentication')).toHaveLength(8);
    expect(signIns.every((tokens) => tokens.AccessToken)).toBe(true);
    const requests = (await stack.firehose.stats()).requests - requestsBefore;
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThan(added.length);
  });
});

describe('audit trail', () => {
  it('holds no code, password or token anywhere in the audit objects or handler logs', async () => {
    // Prepare
    await new Promise((resolve) => setTimeout(resolve, 200)); // let log streams drain

    // Act
    const written = await everythingWritten(stack);

    // Assess
    expect(secrets.size).toBeGreaterThan(10);
    expect(written.length).toBeGreaterThan(0);
    // A code is six digits: found as a value or word of its own, not as six digits inside
    // a longer number or id (an epoch-millisecond time or a uid holds any six digits now
    // and then: one run of this suite matched a code inside a time that way).
    const holds = (text: string, secret: string) =>
      /^\d+$/.test(secret)
        ? new RegExp(`(?<![0-9A-Za-z])${secret}(?![0-9A-Za-z])`).test(text)
        : text.includes(secret);
    expect(holds('{"code":"191678"}', '191678')).toBe(true);
    expect(holds('answer=191678&x', '191678')).toBe(true);
    expect(holds('code 191678.', '191678')).toBe(true);
    expect(holds('{"time":1796606191678}', '191678')).toBe(false);
    expect(holds('"uid":"4f2a191678c0"', '191678')).toBe(false);
    const leaked = [...secrets].filter((secret) => holds(written, secret));
    expect(leaked).toEqual([]);
  });
});
