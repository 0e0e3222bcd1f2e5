import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp as parseTimestampForTest } from '../../src/cognito/srp.js';
import { claims, type Harness, PASSWORD, startHarness } from './helpers.js';

function signIn(
  pool: CognitoUserPool,
  username: string,
  password: string,
  flow: 'USER_SRP_AUTH' | 'CUSTOM_AUTH' = 'USER_SRP_AUTH',
  answer?: string,
): Promise<CognitoUserSession> {
  const user = new CognitoUser({ Username: username, Pool: pool });
  user.setAuthenticationFlowType(flow);
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
      customChallenge: () =>
        user.sendCustomChallengeAnswer(answer ?? '', {
          onSuccess: resolve,
          onFailure: reject,
          customChallenge: () => reject(new Error('unexpected second challenge')),
        }),
    });
  });
}

describe('SRP with the real amazon-cognito-identity-js client', () => {
  let h: Harness;
  let poolId: string;
  let clientId: string;
  let userPool: CognitoUserPool;
  let sub: string;

  beforeAll(async () => {
    h = await startHarness({
      handlers: {
        DefineAuthChallenge: (event) => {
          const request = event.request as {
            session: { challengeName: string; challengeResult: boolean }[];
          };
          const last = request.session.at(-1);
          let response: Record<string, unknown>;
          if (last?.challengeName === 'SRP_A')
            response = {
              challengeName: 'PASSWORD_VERIFIER',
              issueTokens: false,
              failAuthentication: false,
            };
          else if (last?.challengeName === 'PASSWORD_VERIFIER')
            response = {
              challengeName: 'CUSTOM_CHALLENGE',
              issueTokens: false,
              failAuthentication: false,
            };
          else if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult)
            response = { issueTokens: true, failAuthentication: false };
          else response = { issueTokens: false, failAuthentication: true };
          return { ...event, response };
        },
        CreateAuthChallenge: (event) => ({
          ...event,
          response: {
            publicChallengeParameters: { hint: 'colour' },
            privateChallengeParameters: { answer: 'blue' },
            challengeMetadata: 'COLOUR',
          },
        }),
        VerifyAuthChallengeResponse: (event) => {
          const request = event.request as {
            privateChallengeParameters: { answer: string };
            challengeAnswer: string;
          };
          return {
            ...event,
            response: {
              answerCorrect: request.challengeAnswer === request.privateChallengeParameters.answer,
            },
          };
        },
      },
    });
    poolId = h.emulator.createUserPool({ name: 'srp', usernameAttributes: ['email'] }).id;
    ({ clientId } = h.emulator.createUserPoolClient(poolId, { name: 'spa' }));
    ({ sub } = await h.emulator.seedUser(poolId, 'srp.user@example.com', PASSWORD, {
      email_verified: 'true',
    }));
    userPool = new CognitoUserPool({
      UserPoolId: poolId,
      ClientId: clientId,
      endpoint: `${h.endpoint}/`,
    });
  });
  afterAll(() => h.close());

  it('signs in with USER_SRP_AUTH and the right password', async () => {
    const session = await signIn(userPool, 'srp.user@example.com', PASSWORD);

    expect(session.isValid()).toBe(true);
    expect(claims(session.getIdToken().getJwtToken())['cognito:username']).toBe(sub);
  });

  it('refuses USER_SRP_AUTH with a wrong password as Cognito does', async () => {
    const error = (await signIn(userPool, 'srp.user@example.com', 'Wrong-Password-1').catch(
      (e) => e,
    )) as { code: string; message: string };

    expect(error.code).toBe('NotAuthorizedException');
    expect(error.message).toBe('Incorrect username or password.');
  });

  it('answers an unknown user with a challenge that can only fail, as PreventUserExistenceErrors does', async () => {
    const error = (await signIn(userPool, 'nobody@example.com', PASSWORD).catch((e) => e)) as {
      code: string;
      message: string;
    };

    expect(error.code).toBe('NotAuthorizedException');
    expect(error.message).toBe('Incorrect username or password.');
  });

  it('runs CUSTOM_AUTH with SRP_A: password verifier first, then the custom challenge', async () => {
    const session = await signIn(userPool, 'srp.user@example.com', PASSWORD, 'CUSTOM_AUTH', 'blue');

    expect(session.isValid()).toBe(true);
    const defines = h.triggers.calls
      .filter((call) => call.name === 'DefineAuthChallenge')
      .slice(-3);
    expect(
      defines.map((call) =>
        (call.event.request as { session: { challengeName: string }[] }).session.map(
          (s) => s.challengeName,
        ),
      ),
    ).toEqual([
      ['SRP_A'],
      ['SRP_A', 'PASSWORD_VERIFIER'],
      ['SRP_A', 'PASSWORD_VERIFIER', 'CUSTOM_CHALLENGE'],
    ]);
  });

  it('fails CUSTOM_AUTH with SRP_A when the password is wrong, before any custom challenge', async () => {
    const before = h.triggers.calls.filter((call) => call.name === 'CreateAuthChallenge').length;

    const error = (await signIn(
      userPool,
      'srp.user@example.com',
      'Wrong-Password-1',
      'CUSTOM_AUTH',
      'blue',
    ).catch((e) => e)) as { code: string };

    expect(error.code).toBe('NotAuthorizedException');
    expect(h.triggers.calls.filter((call) => call.name === 'CreateAuthChallenge').length).toBe(
      before,
    );
  });

  it('refreshes the session with the client and completes a new-password challenge over SRP', async () => {
    const session = await signIn(userPool, 'srp.user@example.com', PASSWORD);
    const user = new CognitoUser({ Username: 'srp.user@example.com', Pool: userPool });
    const refreshed = await new Promise<CognitoUserSession>((resolve, reject) =>
      user.refreshSession(session.getRefreshToken(), (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    );
    expect(refreshed.getAccessToken().getJwtToken()).not.toBe(
      session.getAccessToken().getJwtToken(),
    );

    await h.emulator.call('AdminCreateUser', {
      UserPoolId: poolId,
      Username: 'fresh@example.com',
      TemporaryPassword: 'Temporary-Pass-1',
      MessageAction: 'SUPPRESS',
    });
    const fresh = new CognitoUser({ Username: 'fresh@example.com', Pool: userPool });
    const completed = await new Promise<CognitoUserSession>((resolve, reject) => {
      fresh.authenticateUser(
        new AuthenticationDetails({ Username: 'fresh@example.com', Password: 'Temporary-Pass-1' }),
        {
          onSuccess: resolve,
          onFailure: reject,
          newPasswordRequired: () =>
            fresh.completeNewPasswordChallenge(
              PASSWORD,
              {},
              { onSuccess: resolve, onFailure: reject },
            ),
        },
      );
    });
    expect(completed.isValid()).toBe(true);
    await expect(signIn(userPool, 'fresh@example.com', PASSWORD)).resolves.toBeDefined();
  });

  it('formats TIMESTAMP like the client, day without a leading zero', () => {
    expect(formatTimestamp(Date.UTC(2026, 10, 3, 4, 5, 6))).toBe('Tue Nov 3 04:05:06 UTC 2026');
    expect(parseTimestampForTest('Tue Nov 3 04:05:06 UTC 2026')).toBe(
      Date.UTC(2026, 10, 3, 4, 5, 6),
    );
    expect(parseTimestampForTest('Tue Nov 03 04:05:06 UTC 2026')).toBeUndefined();
  });
});
