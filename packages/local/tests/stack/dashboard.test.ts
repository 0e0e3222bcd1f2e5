import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeHandlerEnv, SECURITY_USER } from '../../src/dashboard.js';
import { type LocalStack, startLocalStack } from '../../src/stack.js';

let stack: LocalStack;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'local-dashboard-'));
  stack = await startLocalStack({ port: 0, stateDir, quiet: true, handlerLogs: 'ignore' });
});

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe('the security page in the local stack', () => {
  it('is served on its own port with a strict CSP, and its URL is in outputs.json', async () => {
    const page = await fetch(stack.outputs.dashboardUrl as string);
    const written = JSON.parse(await readFile(stack.outputsFile, 'utf8'));

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Authwatch security</title>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(written.dashboardUrl).toBe(stack.outputs.dashboardUrl);
  });

  it("serves a config.json with the stack's pool, client, live feed and security group", async () => {
    const config = await (await fetch(`${stack.outputs.dashboardUrl}/config.json`)).json();

    expect(config).toMatchObject({
      userPoolId: stack.outputs.userPoolId,
      clientId: stack.outputs.userPoolClientId,
      cognitoEndpoint: '/local/cognito',
      apiUrl: '/local/api',
      securityGroup: 'security',
      liveFeed: { realtimeUrl: stack.outputs.liveFeedWsUrl },
    });
  });

  it('forwards Cognito calls and API calls on the same origin', async () => {
    const cognito = await fetch(`${stack.outputs.dashboardUrl}/local/cognito`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: JSON.stringify({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: stack.outputs.passwordClientId,
        AuthParameters: { USERNAME: SECURITY_USER.email, PASSWORD: SECURITY_USER.password },
      }),
    });
    const tokens = (await cognito.json()) as { AuthenticationResult: { AccessToken: string } };
    const api = await fetch(`${stack.outputs.dashboardUrl}/local/api/security/summary?range=15m`, {
      headers: { authorization: `Bearer ${tokens.AuthenticationResult.AccessToken}` },
    });
    const unauthenticated = await fetch(`${stack.outputs.dashboardUrl}/local/api/security/summary`);

    expect(cognito.status).toBe(200);
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ signIns: expect.any(Number) });
    expect(unauthenticated.status).toBe(401);
  });

  it('seeds the security user in the security group', async () => {
    const client = new CognitoIdentityProviderClient({
      endpoint: stack.outputs.endpoint,
      region: stack.outputs.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const groups = await client.send(
      new AdminListGroupsForUserCommand({
        UserPoolId: stack.outputs.userPoolId,
        Username: SECURITY_USER.email,
      }),
    );
    client.destroy();

    expect(groups.Groups?.map((group) => group.GroupName)).toEqual(['security']);
  });

  it("merges the history settings with a caller's handler variables, the caller's winning", () => {
    expect(
      mergeHandlerEnv(
        { 'protected-api': { HISTORY_ENGINE: 'duckdb', SECURITY_GROUP: 'security' } },
        { 'protected-api': { SECURITY_GROUP: 'secops' }, 'post-auth': { X: '1' } },
      ),
    ).toEqual({
      'protected-api': { HISTORY_ENGINE: 'duckdb', SECURITY_GROUP: 'secops' },
      'post-auth': { X: '1' },
    });
  });
});
