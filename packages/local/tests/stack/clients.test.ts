/**
 * The local pool's clients are the deployed ones: the web and machine clients read back
 * with DescribeUserPoolClient equal what the CDK app synthesises from the same config
 * (dev: passwordless; prod: password-then-otp, where the web client has no SRP), and
 * plain password sign-in works only on the local-only password client.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizedAppClients } from '@authwatch/infra';
import { loadConfig } from '@authwatch/infra/config';
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  InitiateAuthCommand,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USER, type LocalStack, startLocalStack } from '../../src/stack.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const MINUTES = { seconds: 1 / 60, minutes: 1, hours: 60, days: 1_440 } as const;

/** A described client in the terms of infra's AppClientSpec. */
function asSpec(client: UserPoolClientType) {
  const units = client.TokenValidityUnits ?? {};
  const minutes = (value: number | undefined, unit: string | undefined) =>
    value === undefined ? undefined : value * MINUTES[(unit ?? 'minutes') as keyof typeof MINUTES];
  const user = (client.AllowedOAuthFlows ?? []).includes('client_credentials') === false;
  return {
    name: client.ClientName,
    generateSecret: client.ClientSecret !== undefined,
    explicitAuthFlows: client.ExplicitAuthFlows,
    allowedOAuthFlows: client.AllowedOAuthFlows ?? [],
    allowedOAuthScopes: client.AllowedOAuthScopes ?? [],
    accessTokenValidityMinutes: minutes(client.AccessTokenValidity, units.AccessToken),
    // A client without users has no ID or refresh token settings in the template.
    ...(user
      ? {
          idTokenValidityMinutes: minutes(client.IdTokenValidity, units.IdToken),
          refreshTokenValidityMinutes: minutes(client.RefreshTokenValidity, units.RefreshToken),
          authSessionValidityMinutes: client.AuthSessionValidity,
        }
      : {}),
    preventUserExistenceErrors: client.PreventUserExistenceErrors === 'ENABLED',
    enableTokenRevocation: client.EnableTokenRevocation === true,
  };
}

describe.each(['dev', 'prod'])('the local stack of %s', (envName) => {
  let stack: LocalStack;
  let cognito: CognitoIdentityProviderClient;
  let synthesized: ReturnType<typeof synthesizedAppClients>;

  beforeAll(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'authwatch-clients-'));
    dirs.push(stateDir);
    const config = loadConfig(envName);
    stack = await startLocalStack({ port: 0, stateDir, quiet: true, config });
    cognito = new CognitoIdentityProviderClient({
      endpoint: stack.outputs.endpoint,
      region: stack.outputs.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    synthesized = synthesizedAppClients(config);
  });

  afterAll(async () => {
    cognito?.destroy();
    await stack?.stop();
  });

  it('has the web and machine clients the CDK app synthesises, and a password client besides', async () => {
    const describe = async (ClientId: string) =>
      (
        await cognito.send(
          new DescribeUserPoolClientCommand({ UserPoolId: stack.outputs.userPoolId, ClientId }),
        )
      ).UserPoolClient as UserPoolClientType;

    expect(asSpec(await describe(stack.outputs.userPoolClientId))).toEqual(synthesized.web);
    expect(asSpec(await describe(stack.outputs.machineClientId))).toEqual(synthesized.machine);
    const password = await describe(stack.outputs.passwordClientId);
    expect(password.ClientName).toBe('local-password');
    expect(password.ExplicitAuthFlows).toContain('ALLOW_USER_PASSWORD_AUTH');
    if (envName === 'prod') {
      expect(synthesized.web?.explicitAuthFlows).not.toContain('ALLOW_USER_SRP_AUTH');
    }
  });

  it('refuses USER_PASSWORD_AUTH on the web client, as Cognito would, and allows it on the password client', async () => {
    const signIn = (ClientId: string) =>
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId,
          AuthParameters: { USERNAME: DEMO_USER.email, PASSWORD: DEMO_USER.password },
        }),
      );
    const refused = await signIn(stack.outputs.userPoolClientId).catch((error: Error) => error);
    expect((refused as Error).name).toBe('InvalidParameterException');
    const allowed = await signIn(stack.outputs.passwordClientId);
    expect(allowed.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });
});
