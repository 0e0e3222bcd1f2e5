import type { PoolBaseline } from '@authwatch/cloudtrail';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkDrift, loadDriftBaseline, poolDrift } from '../../src/drift.js';
import { MemoryFindingStore } from '../../src/store.js';

const POOL = 'us-east-1_EXAMPLE1a';
const arn = (name: string) =>
  `arn:aws:lambda:us-east-1:123456789012:function:authwatch-dev-${name}`;
const BASELINE: PoolBaseline = {
  triggers: { PreAuthentication: arn('pre-auth'), PreTokenGeneration: arn('pre-token') },
  mfa: 'OPTIONAL',
  passwordPolicy: {
    minimumLength: 12,
    requireUppercase: true,
    requireLowercase: true,
    requireNumbers: true,
    requireSymbols: true,
  },
  clients: { callbackURLs: ['https://app.example.com/callback'], oauthFlows: ['code'] },
};

/** DescribeUserPool's answer for the deployed pool (the API reference's UserPoolType shape). */
const deployedPool = (): UserPoolType => ({
  Id: POOL,
  Name: 'authwatch-dev',
  LambdaConfig: {
    PreAuthentication: arn('pre-auth'),
    PreTokenGeneration: arn('pre-token'),
    PreTokenGenerationConfig: { LambdaArn: arn('pre-token'), LambdaVersion: 'V2_0' },
  },
  MfaConfiguration: 'OPTIONAL',
  Policies: {
    PasswordPolicy: {
      MinimumLength: 12,
      RequireUppercase: true,
      RequireLowercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 7,
    },
  },
});

const cognito = mockClient(CognitoIdentityProviderClient);

function answer(pool: UserPoolType, callbackURLs = ['https://app.example.com/callback']) {
  cognito.reset();
  cognito.on(DescribeUserPoolCommand).resolves({ UserPool: pool });
  cognito
    .on(ListUserPoolClientsCommand)
    .resolvesOnce({
      UserPoolClients: [{ ClientId: 'webclient1', UserPoolId: POOL }],
      NextToken: 'p2',
    })
    .resolvesOnce({ UserPoolClients: [{ ClientId: 'partner01', UserPoolId: POOL }] });
  cognito.on(DescribeUserPoolClientCommand, { ClientId: 'webclient1' }).resolves({
    UserPoolClient: {
      ClientId: 'webclient1',
      CallbackURLs: callbackURLs,
      AllowedOAuthFlows: ['code'],
    },
  });
  cognito
    .on(DescribeUserPoolClientCommand, { ClientId: 'partner01' })
    .resolves({ UserPoolClient: { ClientId: 'partner01' } });
}

const run = (store: MemoryFindingStore, now: number) =>
  checkDrift({
    cognito: new CognitoIdentityProviderClient({ region: 'us-east-1' }),
    userPoolId: POOL,
    baseline: BASELINE,
    store,
    now,
  });

describe('the pool drift check', () => {
  beforeEach(() => cognito.reset());

  it('finds nothing when the pool is as deployed (both pages of clients read)', async () => {
    answer(deployedPool());

    expect(await run(new MemoryFindingStore(), 1_000)).toEqual([]);
    expect(cognito.commandCalls(DescribeUserPoolClientCommand)).toHaveLength(2);
  });

  it('reports a detached trigger, MFA off, a shorter password and a new callback URL as one finding', async () => {
    const pool = deployedPool();
    delete pool.LambdaConfig?.PreAuthentication;
    pool.MfaConfiguration = 'OFF';
    if (pool.Policies?.PasswordPolicy) pool.Policies.PasswordPolicy.MinimumLength = 8;
    answer(pool, ['https://app.example.com/callback', 'https://evil.example.net/cb']);
    const store = new MemoryFindingStore();

    const changes = await run(store, 1_000);

    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      kind: 'new',
      alert: true,
      rule: { id: 'pool-config-drift' },
    });
    expect(changes[0]?.event).toMatchObject({
      class_uid: 2004,
      severity_id: 4,
      finding_info: { analytic: { uid: 'pool-config-drift' } },
    });
    expect(changes[0]?.state.values.drift).toEqual([
      'Client.webclient1.CallbackURLs: (not deployed) -> https://evil.example.net/cb',
      `LambdaConfig.PreAuthentication: ${arn('pre-auth')} -> (detached)`,
      'MfaConfiguration: OPTIONAL -> OFF',
      'PasswordPolicy.MinimumLength: 12 -> 8',
    ]);
  });

  it('reports the same drift once, and a different one as an update that alerts', async () => {
    const pool = deployedPool();
    pool.MfaConfiguration = 'OFF';
    const store = new MemoryFindingStore();
    answer(pool);
    const first = await run(store, 1_000);
    const stored = first[0]?.state;
    if (stored)
      await store.save(
        { ...stored, pending: undefined, revision: stored.revision + 1 },
        stored.revision,
      );

    answer(pool);
    const again = await run(store, 2_000);
    if (pool.LambdaConfig)
      pool.LambdaConfig.PreAuthentication = 'arn:aws:lambda:us-east-1:999999999999:function:x';
    answer(pool);
    const other = await run(store, 3_000);

    expect(again).toEqual([]);
    expect(other.map((change) => [change.kind, change.alert])).toEqual([['updated', true]]);
    expect(other[0]?.state.uid).toBe(stored?.uid);
  });

  it('compares PreTokenGeneration through its config, and MFA ON above OPTIONAL as no drift', () => {
    const pool = deployedPool();
    expect(
      poolDrift(
        {
          lambdaConfig: pool.LambdaConfig as Record<string, unknown>,
          mfa: 'ON',
          passwordPolicy: {
            MinimumLength: 14,
            RequireUppercase: true,
            RequireLowercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          },
          clients: [],
        },
        BASELINE,
      ),
    ).toEqual([]);
  });

  it('refuses a baseline that is not JSON or has a bad field, naming the variable', () => {
    expect(() => loadDriftBaseline({ DETECT_POOL_BASELINE: 'nope' })).toThrow(
      'Environment variable DETECT_POOL_BASELINE is not JSON',
    );
    expect(() =>
      loadDriftBaseline({ DETECT_POOL_BASELINE: '{"triggers":{"PreAuthentication":1}}' }),
    ).toThrow(/DETECT_POOL_BASELINE field triggers.PreAuthentication/);
    expect(loadDriftBaseline({})).toBeUndefined();
  });
});
