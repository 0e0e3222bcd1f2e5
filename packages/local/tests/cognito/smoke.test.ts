import { InitiateAuthCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claims, type Harness, PASSWORD, startHarness } from './helpers.js';

describe('sign-up and password sign-in through the real SDK', () => {
  let h: Harness;
  let clientId: string;
  beforeAll(async () => {
    h = await startHarness({
      handlers: {
        PreSignUp: (e) => ({ ...e, response: { autoConfirmUser: true, autoVerifyEmail: true } }),
      },
    });
    const pool = h.emulator.createUserPool({ name: 'smoke', usernameAttributes: ['email'] });
    ({ clientId } = h.emulator.createUserPoolClient(pool.id, {
      name: 'web',
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }));
  });
  afterAll(() => h.close());

  it('issues tokens to an auto-confirmed user', async () => {
    const signUp = await h.client.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'user@example.com',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 'user@example.com' }],
      }),
    );
    expect(signUp.UserConfirmed).toBe(true);
    const auth = await h.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'user@example.com', PASSWORD },
      }),
    );
    const id = claims(auth.AuthenticationResult?.IdToken);
    expect(id.sub).toBe(signUp.UserSub);
    expect(id.email_verified).toBe(true);
    expect(id['cognito:username']).toBe(signUp.UserSub);
  });
});
