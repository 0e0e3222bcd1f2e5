import {
  CreateAuthChallengeEventSchema,
  DefineAuthChallengeEventSchema,
  PostAuthenticationEventSchema,
  PreSignUpEventSchema,
  PreTokenGenerationEventSchema,
  VerifyAuthChallengeEventSchema,
} from '@authwatch/kit';
import { getTestEvent } from '@authwatch/testing';
import {
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TriggerName } from '../../src/cognito/index.js';
import { type Harness, PASSWORD, startHarness } from './helpers.js';

interface Schema {
  safeParse(value: unknown): { success: boolean; error?: { message: string } };
}

const SCHEMAS: Partial<Record<TriggerName, Schema>> = {
  PreSignUp: PreSignUpEventSchema,
  PostAuthentication: PostAuthenticationEventSchema,
  PreTokenGeneration: PreTokenGenerationEventSchema,
  DefineAuthChallenge: DefineAuthChallengeEventSchema,
  CreateAuthChallenge: CreateAuthChallengeEventSchema,
  VerifyAuthChallengeResponse: VerifyAuthChallengeEventSchema,
};

/** The fixture (developer-guide shape) each trigger source is compared with. */
const FIXTURES: Record<string, string> = {
  PreSignUp_SignUp: 'pre-signup/sign-up',
  PreSignUp_ExternalProvider: 'pre-signup/external-provider',
  PostAuthentication_Authentication: 'post-auth/authentication',
  TokenGeneration_Authentication: 'pre-token-generation/v2/authentication',
  TokenGeneration_RefreshTokens: 'pre-token-generation/v2/refresh-tokens',
  DefineAuthChallenge_Authentication: 'custom-challenge/define-first-call',
  CreateAuthChallenge_Authentication: 'custom-challenge/create',
  VerifyAuthChallengeResponse_Authentication: 'custom-challenge/verify',
};

describe('trigger events the emulator sends', () => {
  let h: Harness;

  beforeAll(async () => {
    const echo = (response: Record<string, unknown>) => (event: Record<string, unknown>) => ({
      ...event,
      response,
    });
    h = await startHarness({
      handlers: {
        PreSignUp: echo({ autoConfirmUser: true, autoVerifyEmail: true }),
        PostAuthentication: echo({}),
        PreTokenGeneration: echo({}),
        DefineAuthChallenge: (event) => {
          const session = (event.request as { session: { challengeResult: boolean }[] }).session;
          return {
            ...event,
            response: session.at(-1)?.challengeResult
              ? { issueTokens: true }
              : { challengeName: 'CUSTOM_CHALLENGE' },
          };
        },
        CreateAuthChallenge: echo({
          publicChallengeParameters: {},
          privateChallengeParameters: { code: '1' },
          challengeMetadata: 'CODE',
        }),
        VerifyAuthChallengeResponse: echo({ answerCorrect: true }),
      },
    });
    const poolId = h.emulator.createUserPool({
      name: 'shapes',
      usernameAttributes: ['email'],
      triggers: { PreTokenGeneration: 'V2_0' },
    }).id;
    const { clientId } = h.emulator.createUserPoolClient(poolId, {
      name: 'web',
      explicitAuthFlows: [
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_CUSTOM_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ],
    });
    await h.client.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'shape@example.com',
        Password: PASSWORD,
        ClientMetadata: { sourceIp: '203.0.113.1' },
      }),
    );
    const signedIn = await h.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'shape@example.com', PASSWORD },
      }),
    );
    await h.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: signedIn.AuthenticationResult?.RefreshToken as string },
      }),
    );
    const started = await h.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'CUSTOM_AUTH',
        AuthParameters: { USERNAME: 'shape@example.com' },
      }),
    );
    await h.client.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'CUSTOM_CHALLENGE',
        Session: started.Session,
        ChallengeResponses: { USERNAME: 'shape@example.com', ANSWER: '1' },
        ClientMetadata: { sourceIp: '203.0.113.1' },
      }),
    );
    await h.emulator.federatedSignIn(poolId, clientId, 'Google', '123', {
      email: 'fed@example.com',
    });
  });
  afterAll(() => h.close());

  it('covers every trigger source compared below', () => {
    const sources = new Set(h.triggers.calls.map((call) => call.event.triggerSource));

    expect([...sources].sort()).toEqual(expect.arrayContaining(Object.keys(FIXTURES)));
  });

  it('passes the kit schemas the real handlers parse events with', () => {
    for (const call of h.triggers.calls) {
      const schema = SCHEMAS[call.name];
      if (!schema) continue;
      const result = schema.safeParse(call.event);
      expect(result.success, `${call.event.triggerSource}: ${result.error?.message}`).toBe(true);
    }
  });

  it('has the top-level and request keys of the developer-guide fixtures', () => {
    for (const call of h.triggers.calls) {
      const fixtureName = FIXTURES[call.event.triggerSource as string];
      if (!fixtureName) continue;
      const fixture = getTestEvent(fixtureName) as Record<string, unknown>;
      const optional = new Set(['clientMetadata', 'validationData']);
      const requestKeys = (event: Record<string, unknown>) =>
        Object.keys(event.request as object)
          .filter((key) => !optional.has(key))
          .sort();

      expect(Object.keys(call.event).sort(), fixtureName).toEqual(Object.keys(fixture).sort());
      expect(requestKeys(call.event), fixtureName).toEqual(requestKeys(fixture));
    }
  });
});
