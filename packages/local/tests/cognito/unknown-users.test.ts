/**
 * With PreventUserExistenceErrors on, an unknown user name must look like a real one in
 * what the emulator answers: the same error for a password, and an SRP challenge whose
 * SALT is stable across attempts (a real user's salt is; a fresh one per attempt would
 * say "no such account"). Their cost is compared by `bench/enumeration.ts`, not here.
 */
import { InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { g, modPowN } from '../../src/cognito/srp.js';
import { failure, type Harness, PASSWORD, startHarness } from './helpers.js';

describe('an unknown user name', () => {
  let h: Harness;
  let clientId: string;
  const srpA = modPowN(g, 123456789n).toString(16);

  beforeEach(async () => {
    h = await startHarness({ handlers: {} });
    const poolId = h.emulator.createUserPool({ name: 'ghosts', usernameAttributes: ['email'] }).id;
    ({ clientId } = h.emulator.createUserPoolClient(poolId, {
      name: 'web',
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH'],
    }));
    await h.emulator.seedUser(poolId, 'user@example.com', PASSWORD, { email_verified: 'true' });
  });
  afterEach(() => h.close());

  const srpStart = (name: string) =>
    h.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: name, SRP_A: srpA },
      }),
    );

  it('gets the same SALT at every SRP attempt, like a real user, and a fresh SRP_B', async () => {
    const [one, two] = [await srpStart('ghost@example.com'), await srpStart('ghost@example.com')];
    const [real1, real2] = [await srpStart('user@example.com'), await srpStart('user@example.com')];
    expect(one.ChallengeParameters?.SALT).toBe(two.ChallengeParameters?.SALT);
    expect(real1.ChallengeParameters?.SALT).toBe(real2.ChallengeParameters?.SALT);
    expect(one.ChallengeParameters?.SRP_B).not.toBe(two.ChallengeParameters?.SRP_B);
    expect(Object.keys(one.ChallengeParameters ?? {}).sort()).toEqual(
      Object.keys(real1.ChallengeParameters ?? {}).sort(),
    );
  });

  it('gets a different SALT from another unknown name', async () => {
    const a = await srpStart('ghost-a@example.com');
    const b = await srpStart('ghost-b@example.com');
    expect(a.ChallengeParameters?.SALT).not.toBe(b.ChallengeParameters?.SALT);
  });

  it('is refused a password sign-in with the words a wrong password gets', async () => {
    const send = (name: string, password: string) =>
      failure(
        h.client.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: name, PASSWORD: password },
          }),
        ),
      );
    const ghost = await send('ghost@example.com', PASSWORD);
    const wrong = await send('user@example.com', 'Wrong-Horse-9');
    expect(ghost.name).toBe(wrong.name);
    expect(ghost.message).toBe(wrong.message);
  });
});
