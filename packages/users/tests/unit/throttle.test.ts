import {
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import { allowedRate } from '../../src/quotas.js';
import { PoolApi } from '../../src/throttle.js';

const cognito = mockClient(CognitoIdentityProviderClient);

const tooMany = () =>
  new CognitoIdentityProviderServiceException({
    name: 'TooManyRequestsException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Too many requests',
  });

function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

describe('PoolApi', () => {
  beforeEach(() => cognito.reset());

  it('backs off with growing, jittered delays on TooManyRequestsException and then succeeds', async () => {
    cognito
      .on(ListUsersCommand)
      .rejectsOnce(tooMany())
      .rejectsOnce(tooMany())
      .resolves({ Users: [] });
    const time = fakeTime();
    const api = new PoolApi(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), {
      share: Infinity,
      ...time,
      random: () => 0.5,
      baseDelayMs: 100,
    });
    const answer = await api.send(new ListUsersCommand({ UserPoolId: 'eu-west-1_a' }));
    expect(answer.Users).toEqual([]);
    expect(time.sleeps).toEqual([50, 100]);
    expect(api.throttled).toBe(2);
  });

  it('tries again when a connection is reset before any answer', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), {
      name: 'TimeoutError',
      code: 'ECONNRESET',
      $metadata: {},
    });
    cognito.on(ListUsersCommand).rejectsOnce(reset).resolves({ Users: [] });
    const api = new PoolApi(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), {
      share: Infinity,
      ...fakeTime(),
    });
    await expect(
      api.send(new ListUsersCommand({ UserPoolId: 'eu-west-1_a' })),
    ).resolves.toMatchObject({ Users: [] });
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(2);
    expect(api.throttled).toBe(0);
  });

  it('gives up after the last attempt with one line naming the operation', async () => {
    cognito.on(ListUsersCommand).rejects(tooMany());
    const api = new PoolApi(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), {
      share: Infinity,
      ...fakeTime(),
      maxAttempts: 3,
    });
    const failure = api.send(new ListUsersCommand({ UserPoolId: 'eu-west-1_a' }));
    await expect(failure).rejects.toBeInstanceOf(CliError);
    await expect(failure).rejects.toThrow(/^ListUsers: still throttled after retries/);
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(3);
  });

  it('does not retry other errors and says which permission is missing', async () => {
    cognito.on(ListUsersCommand).rejects(
      new CognitoIdentityProviderServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not allowed',
      }),
    );
    const api = new PoolApi(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), {
      share: Infinity,
      ...fakeTime(),
    });
    await expect(api.send(new ListUsersCommand({ UserPoolId: 'eu-west-1_a' }))).rejects.toThrow(
      'ListUsers: permission denied (AccessDeniedException: not allowed); the credentials need cognito-idp:ListUsers',
    );
    expect(cognito.commandCalls(ListUsersCommand)).toHaveLength(1);
  });

  it("paces calls of one category at the allowed share of Cognito's quota", async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [] });
    const time = fakeTime();
    const api = new PoolApi(new CognitoIdentityProviderClient({ region: 'eu-west-1' }), {
      share: 0.5,
      ...time,
    });
    for (let i = 0; i < 4; i += 1)
      await api.send(new ListUsersCommand({ UserPoolId: 'eu-west-1_a' }));
    // UserList is 30 RPS for the account; half of it is 15 RPS, one call every 66.7 ms.
    expect(time.now()).toBeCloseTo(3 * (1000 / 15), 5);
  });

  it('keeps per-pool categories under 5 requests per second whatever the share', () => {
    expect(allowedRate('ListGroups', 1)).toBe(5);
    expect(allowedRate('DescribeUserImportJob', 1)).toBe(5);
    expect(allowedRate('ListUsers', 1)).toBe(30);
    expect(allowedRate('AdminListGroupsForUser', 0.5)).toBe(25);
  });
});
