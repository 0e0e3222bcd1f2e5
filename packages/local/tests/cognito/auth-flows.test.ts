import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TriggerInvocationError } from '../../src/cognito/index.js';
import { claims, failure, type Harness, PASSWORD, startHarness } from './helpers.js';

type Event = Record<string, unknown> & {
  request: Record<string, unknown> & {
    session?: { challengeName: string; challengeResult: boolean }[];
  };
};

/** The define trigger of a one-challenge passwordless flow allowing `attempts` tries. */
function define(attempts = 3) {
  return (raw: Record<string, unknown>) => {
    const event = raw as Event;
    const session = event.request.session ?? [];
    const last = session.at(-1);
    let response: Record<string, unknown>;
    if (event.request.userNotFound === true && session.length >= 1)
      response = { issueTokens: false, failAuthentication: true };
    else if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult)
      response = { issueTokens: true, failAuthentication: false };
    else if (session.length >= attempts)
      response = { issueTokens: false, failAuthentication: true };
    else
      response = {
        challengeName: 'CUSTOM_CHALLENGE',
        issueTokens: false,
        failAuthentication: false,
      };
    return { ...event, response };
  };
}

const handlers = () => ({
  PreSignUp: (e: Record<string, unknown>) => ({
    ...e,
    response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
  }),
  PreAuthentication: (e: Record<string, unknown>) => ({ ...e, response: {} }),
  PostAuthentication: (e: Record<string, unknown>) => ({ ...e, response: {} }),
  PreTokenGeneration: (e: Record<string, unknown>) => ({ ...e, response: {} }),
  DefineAuthChallenge: define(),
  CreateAuthChallenge: (e: Record<string, unknown>) => ({
    ...e,
    response: {
      publicChallengeParameters: { email: 'u***@example.com' },
      privateChallengeParameters: { code: '123456' },
      challengeMetadata: 'EMAIL_OTP',
    },
  }),
  VerifyAuthChallengeResponse: (raw: Record<string, unknown>) => {
    const event = raw as Event;
    const code = (event.request.privateChallengeParameters as { code: string }).code;
    return { ...event, response: { answerCorrect: event.request.challengeAnswer === code } };
  },
});

describe('sign-in flows and trigger semantics', () => {
  let h: Harness;
  let poolId: string;
  let clientId: string;
  let now: number;
  let username: string;

  beforeEach(async () => {
    now = Date.UTC(2026, 10, 23, 12, 0, 0);
    h = await startHarness({ handlers: handlers(), now: () => now });
    poolId = h.emulator.createUserPool({ name: 'flows', usernameAttributes: ['email'] }).id;
    ({ clientId } = h.emulator.createUserPoolClient(poolId, {
      name: 'web',
      explicitAuthFlows: [
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_CUSTOM_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
        'ALLOW_ADMIN_USER_PASSWORD_AUTH',
      ],
      authSessionValidityMinutes: 3,
    }));
    ({ username } = await h.emulator.seedUser(poolId, 'user@example.com', PASSWORD, {
      email_verified: 'true',
    }));
    h.triggers.calls.length = 0;
  });
  afterEach(() => h.close());

  const startCustom = (
    name = 'user@example.com',
    metadata: Record<string, string> = { sourceIp: '203.0.113.10' },
  ) =>
    h.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'CUSTOM_AUTH',
        AuthParameters: { USERNAME: name },
        ClientMetadata: metadata,
      }),
    );
  const answer = (session: string | undefined, value: string, name = 'user@example.com') =>
    h.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'CUSTOM_CHALLENGE',
        Session: session,
        ChallengeResponses: { USERNAME: name, ANSWER: value },
      }),
    );

  describe('sign-up', () => {
    it('sends PreSignUp_SignUp with attributes, validation data and client metadata', async () => {
      await h.client.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: 'new@example.com',
          Password: PASSWORD,
          UserAttributes: [{ Name: 'given_name', Value: 'New' }],
          ValidationData: [{ Name: 'inviteCode', Value: 'WELCOME' }],
          ClientMetadata: { sourceIp: '198.51.100.1' },
        }),
      );

      const event = h.triggers.last('PreSignUp');
      expect(event).toMatchObject({
        version: '1',
        triggerSource: 'PreSignUp_SignUp',
        region: 'eu-west-1',
        userPoolId: poolId,
        callerContext: { clientId, awsSdkVersion: expect.stringMatching(/^aws-sdk-/) },
        request: {
          userAttributes: { email: 'new@example.com', given_name: 'New' },
          validationData: { inviteCode: 'WELCOME' },
          clientMetadata: { sourceIp: '198.51.100.1' },
        },
        response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
      });
      expect(event.userName).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('auto-confirms and auto-verifies when PreSignUp says so, then runs PostConfirmation', async () => {
      h.triggers.handlers.PreSignUp = (e) => ({
        ...e,
        response: { autoConfirmUser: true, autoVerifyEmail: true },
      });
      h.triggers.handlers.PostConfirmation = (e) => ({ ...e, response: {} });

      const result = await h.client.send(
        new SignUpCommand({ ClientId: clientId, Username: 'auto@example.com', Password: PASSWORD }),
      );

      expect(result.UserConfirmed).toBe(true);
      expect(h.triggers.names()).toEqual(['PreSignUp', 'PostConfirmation']);
      expect(h.triggers.last('PostConfirmation')).toMatchObject({
        triggerSource: 'PostConfirmation_ConfirmSignUp',
        request: {
          userAttributes: {
            email: 'auto@example.com',
            email_verified: 'true',
            'cognito:user_status': 'CONFIRMED',
          },
        },
      });
    });

    it('maps a PreSignUp error to UserLambdaValidationException and creates no user', async () => {
      h.triggers.handlers.PreSignUp = () => {
        throw new TriggerInvocationError('error', 'Sign-up is not allowed for this email domain');
      };

      const error = await failure(
        h.client.send(
          new SignUpCommand({ ClientId: clientId, Username: 'no@example.com', Password: PASSWORD }),
        ),
      );

      expect(error.name).toBe('UserLambdaValidationException');
      expect(error.message).toBe(
        'PreSignUp failed with error Sign-up is not allowed for this email domain.',
      );
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(h.emulator.findUser(h.emulator.pool(poolId), 'no@example.com')).toBeUndefined();
    });

    it('maps a timeout to UnexpectedLambdaException and a bad answer to InvalidLambdaResponseException', async () => {
      h.triggers.handlers.PreSignUp = () => {
        throw new TriggerInvocationError('timeout', 'Task timed out after 5.00 seconds');
      };
      const timeout = await failure(
        h.client.send(
          new SignUpCommand({ ClientId: clientId, Username: 't@example.com', Password: PASSWORD }),
        ),
      );
      h.triggers.handlers.PreSignUp = () => {
        throw new TriggerInvocationError('invalid-response', 'not an object');
      };
      const invalid = await failure(
        h.client.send(
          new SignUpCommand({ ClientId: clientId, Username: 't@example.com', Password: PASSWORD }),
        ),
      );

      expect(timeout.name).toBe('UnexpectedLambdaException');
      expect(timeout.message).toBe(
        'PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.',
      );
      expect(invalid.name).toBe('InvalidLambdaResponseException');
    });

    it('sends PreSignUp_AdminCreateUser for AdminCreateUser, without PostConfirmation', async () => {
      h.triggers.handlers.PostConfirmation = (e) => ({ ...e, response: {} });

      await h.client.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'admin-made@example.com',
          MessageAction: 'SUPPRESS',
        }),
      );

      expect(h.triggers.names()).toEqual(['PreSignUp']);
      expect(h.triggers.last('PreSignUp')).toMatchObject({
        triggerSource: 'PreSignUp_AdminCreateUser',
      });
    });
  });

  describe('USER_PASSWORD_AUTH', () => {
    it('runs pre authentication, post authentication then pre token generation, InitiateAuth metadata reaching pre authentication only', async () => {
      const result = await h.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'user@example.com', PASSWORD },
          ClientMetadata: { sourceIp: '203.0.113.10' },
        }),
      );

      expect(result.AuthenticationResult?.TokenType).toBe('Bearer');
      expect(h.triggers.names()).toEqual([
        'PreAuthentication',
        'PostAuthentication',
        'PreTokenGeneration',
      ]);
      expect(h.triggers.last('PreAuthentication')).toMatchObject({
        triggerSource: 'PreAuthentication_Authentication',
        request: { validationData: { sourceIp: '203.0.113.10' }, userNotFound: false },
      });
      expect(h.triggers.last('PostAuthentication')).toMatchObject({
        triggerSource: 'PostAuthentication_Authentication',
        userName: username,
        request: {
          newDeviceUsed: false,
          clientMetadata: {},
          userAttributes: { sub: username, 'cognito:user_status': 'CONFIRMED' },
        },
      });
      expect(h.triggers.last('PreTokenGeneration')).toMatchObject({
        triggerSource: 'TokenGeneration_Authentication',
        version: '1',
      });
    });

    it('refuses a wrong password with "Incorrect username or password."', async () => {
      const error = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'user@example.com', PASSWORD: 'Wrong-Password-1' },
          }),
        ),
      );

      expect(error.name).toBe('NotAuthorizedException');
      expect(error.message).toBe('Incorrect username or password.');
    });

    it('hides unknown users behind NotAuthorizedException when PreventUserExistenceErrors is on', async () => {
      const error = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'ghost@example.com', PASSWORD },
          }),
        ),
      );

      expect(error.name).toBe('NotAuthorizedException');
    });

    it('answers UserNotFoundException for unknown users with a LEGACY client', async () => {
      const legacy = h.emulator.createUserPoolClient(poolId, {
        name: 'legacy',
        explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
        preventUserExistenceErrors: false,
      });

      const error = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: legacy.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'ghost@example.com', PASSWORD },
          }),
        ),
      );

      expect(error.name).toBe('UserNotFoundException');
    });

    it('answers UserNotConfirmedException for an unconfirmed user with the right password', async () => {
      await h.client.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: 'pending@example.com',
          Password: PASSWORD,
        }),
      );

      const error = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'pending@example.com', PASSWORD },
          }),
        ),
      );

      expect(error.name).toBe('UserNotConfirmedException');
    });

    it('enforces the client explicit auth flows', async () => {
      const srpOnly = h.emulator.createUserPoolClient(poolId, {
        name: 'srp-only',
        explicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
      });

      const error = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: srpOnly.clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'user@example.com', PASSWORD },
          }),
        ),
      );

      expect(error.name).toBe('InvalidParameterException');
      expect(error.message).toBe('USER_PASSWORD_AUTH flow not enabled for this client');
    });

    it('fails the sign-in when PostAuthentication fails', async () => {
      h.triggers.handlers.PostAuthentication = () => {
        throw new TriggerInvocationError('error', 'Audit unavailable');
      };

      const error = await failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'user@example.com', PASSWORD },
          }),
        ),
      );

      expect(error.name).toBe('UserLambdaValidationException');
      expect(error.message).toBe('PostAuthentication failed with error Audit unavailable.');
      expect(h.triggers.names()).not.toContain('PreTokenGeneration');
    });
  });

  describe('NEW_PASSWORD_REQUIRED for admin-created users', () => {
    it('asks for a new password, then issues tokens with TokenGeneration_NewPasswordChallenge', async () => {
      await h.client.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'temp@example.com',
          TemporaryPassword: 'Temporary-Pass-1',
          MessageAction: 'SUPPRESS',
        }),
      );
      const started = await h.client.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'temp@example.com', PASSWORD: 'Temporary-Pass-1' },
        }),
      );
      expect(started.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');

      const done = await h.client.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: started.Session,
          ChallengeResponses: {
            USERNAME: 'temp@example.com',
            NEW_PASSWORD: PASSWORD,
            'userAttributes.given_name': 'Temp',
          },
        }),
      );

      expect(claims(done.AuthenticationResult?.IdToken).given_name).toBe('Temp');
      expect(h.triggers.last('PreTokenGeneration')).toMatchObject({
        triggerSource: 'TokenGeneration_NewPasswordChallenge',
      });
      const again = await h.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'temp@example.com', PASSWORD },
        }),
      );
      expect(again.AuthenticationResult).toBeDefined();
    });
  });

  describe('CUSTOM_AUTH without SRP', () => {
    it('runs define → create → verify → define → post auth → pre token with Cognito event shapes', async () => {
      const started = await startCustom();
      expect(h.triggers.last('DefineAuthChallenge').request).not.toHaveProperty('clientMetadata');
      expect(started.ChallengeName).toBe('CUSTOM_CHALLENGE');
      expect(started.ChallengeParameters).toEqual({
        email: 'u***@example.com',
        USERNAME: username,
      });
      expect(started.Session).toMatch(/^[A-Za-z0-9_-]{100,}$/);

      const done = await h.client.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'CUSTOM_CHALLENGE',
          Session: started.Session,
          ChallengeResponses: { USERNAME: 'user@example.com', ANSWER: '123456' },
          ClientMetadata: { sourceIp: '198.51.100.7' },
        }),
      );

      expect(done.AuthenticationResult?.IdToken).toBeDefined();
      for (const name of [
        'VerifyAuthChallengeResponse',
        'PostAuthentication',
        'PreTokenGeneration',
      ] as const) {
        expect(h.triggers.last(name).request).toMatchObject({
          clientMetadata: { sourceIp: '198.51.100.7' },
        });
      }
      expect(h.triggers.names()).toEqual([
        'PreAuthentication',
        'DefineAuthChallenge',
        'CreateAuthChallenge',
        'VerifyAuthChallengeResponse',
        'DefineAuthChallenge',
        'PostAuthentication',
        'PreTokenGeneration',
      ]);
      const [firstDefine, secondDefine] = h.triggers.calls
        .filter((call) => call.name === 'DefineAuthChallenge')
        .map((call) => call.event);
      expect(firstDefine).toMatchObject({
        triggerSource: 'DefineAuthChallenge_Authentication',
        request: { session: [], userNotFound: false },
      });
      expect(secondDefine).toMatchObject({
        request: {
          clientMetadata: { sourceIp: '198.51.100.7' },
          session: [
            {
              challengeName: 'CUSTOM_CHALLENGE',
              challengeResult: true,
              challengeMetadata: 'EMAIL_OTP',
            },
          ],
        },
      });
      expect(h.triggers.last('CreateAuthChallenge')).toMatchObject({
        triggerSource: 'CreateAuthChallenge_Authentication',
        request: { challengeName: 'CUSTOM_CHALLENGE', session: [] },
      });
      expect(h.triggers.last('VerifyAuthChallengeResponse')).toMatchObject({
        triggerSource: 'VerifyAuthChallengeResponse_Authentication',
        request: {
          privateChallengeParameters: { code: '123456' },
          challengeAnswer: '123456',
          userAttributes: { email: 'user@example.com' },
        },
      });
    });

    it('lets the define trigger retry after a wrong answer, with a new session each round', async () => {
      const started = await startCustom();
      const retry = await answer(started.Session, '000000');
      expect(retry.ChallengeName).toBe('CUSTOM_CHALLENGE');
      expect(retry.Session).not.toBe(started.Session);

      const done = await answer(retry.Session, '123456');

      expect(done.AuthenticationResult).toBeDefined();
    });

    it('fails with "Incorrect username or password." when the define trigger fails authentication', async () => {
      h.triggers.handlers.DefineAuthChallenge = define(1);
      const started = await startCustom();

      const error = await failure(answer(started.Session, '000000'));

      expect(error.name).toBe('NotAuthorizedException');
      expect(error.message).toBe('Incorrect username or password.');
    });

    it('refuses a reused session', async () => {
      const started = await startCustom();
      await answer(started.Session, '000000');

      const error = await failure(answer(started.Session, '123456'));

      expect(error.name).toBe('NotAuthorizedException');
      expect(error.message).toBe('Invalid session for the user.');
    });

    it('refuses a session older than the client auth session validity', async () => {
      const started = await startCustom();
      now += 3 * 60_000 + 1;

      const error = await failure(answer(started.Session, '123456'));

      expect(error.name).toBe('NotAuthorizedException');
      expect(error.message).toMatch(/^Invalid session for the user/);
    });

    it('runs the triggers with userNotFound for an unknown user, and never issues tokens', async () => {
      const started = await startCustom('ghost@example.com');
      expect(h.triggers.last('DefineAuthChallenge')).toMatchObject({
        userName: 'ghost@example.com',
        request: { userNotFound: true, userAttributes: {} },
      });

      const error = await failure(answer(started.Session, '123456', 'ghost@example.com'));

      expect(error.name).toBe('NotAuthorizedException');
    });

    it('runs the same flow through AdminInitiateAuth and AdminRespondToAuthChallenge', async () => {
      const started = await h.client.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: 'CUSTOM_AUTH',
          AuthParameters: { USERNAME: 'user@example.com' },
        }),
      );

      const done = await h.client.send(
        new AdminRespondToAuthChallengeCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          ChallengeName: 'CUSTOM_CHALLENGE',
          Session: started.Session,
          ChallengeResponses: { USERNAME: 'user@example.com', ANSWER: '123456' },
        }),
      );

      expect(claims(done.AuthenticationResult?.AccessToken).username).toBe(username);
    });

    it('refuses an answer to another pool client than the one that started the session', async () => {
      const other = h.emulator.createUserPoolClient(poolId, { name: 'other' });
      const started = await startCustom();

      const error = await failure(
        h.client.send(
          new RespondToAuthChallengeCommand({
            ClientId: other.clientId,
            ChallengeName: 'CUSTOM_CHALLENGE',
            Session: started.Session,
            ChallengeResponses: { USERNAME: 'user@example.com', ANSWER: '123456' },
          }),
        ),
      );

      expect(error.message).toBe('Invalid session for the user.');
    });

    it('maps a failing create trigger with its Cognito name', async () => {
      h.triggers.handlers.CreateAuthChallenge = () => {
        throw new TriggerInvocationError('error', 'Mail unavailable');
      };

      const error = await failure(startCustom());

      expect(error.name).toBe('UserLambdaValidationException');
      expect(error.message).toBe('CreateAuthChallenge failed with error Mail unavailable.');
    });
  });
});
