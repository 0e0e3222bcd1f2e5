import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InitiateAuthCommand, RevokeTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, describe, expect, it } from 'vitest';
import { createCognitoEmulator } from '../../src/cognito/index.js';
import { claims, failure, PASSWORD, REGION, startHarness } from './helpers.js';

describe('persistence', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cognito-state-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('starts empty without a state file', () => {
    const emulator = createCognitoEmulator({
      region: REGION,
      baseUrl: 'http://127.0.0.1:1',
      stateFile: join(tempDir(), 'missing.json'),
    });

    expect(emulator.listUserPools()).toEqual([]);
  });

  it('restores pools, clients, users, keys and refresh tokens from the state file, never a password', async () => {
    const stateFile = join(tempDir(), 'state', 'cognito.json');
    const first = await startHarness({ stateFile });
    const { id: poolId } = first.emulator.createUserPool({
      name: 'kept',
      usernameAttributes: ['email'],
    });
    const { clientId } = first.emulator.createUserPoolClient(poolId, {
      name: 'web',
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    await first.emulator.seedUser(poolId, 'kept@example.com', PASSWORD);
    const signedIn = await first.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'kept@example.com', PASSWORD },
      }),
    );
    await first.emulator.save();
    await first.close();
    const text = readFileSync(stateFile, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(signedIn.AuthenticationResult?.RefreshToken as string);

    const second = await startHarness({ stateFile });
    const again = await second.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'kept@example.com', PASSWORD },
      }),
    );
    const refreshed = await second.client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: signedIn.AuthenticationResult?.RefreshToken as string },
      }),
    );

    expect(second.emulator.listUserPools()).toEqual([{ id: poolId, name: 'kept' }]);
    expect(claims(again.AuthenticationResult?.IdToken).email).toBe('kept@example.com');
    expect(refreshed.AuthenticationResult?.AccessToken).toBeDefined();
    expect(second.emulator.jwks(poolId)).toEqual(first.emulator.jwks(poolId));
    await second.close();
  });

  it('keeps refresh-token revocations across restarts and skips a torn last log line', async () => {
    const stateFile = join(tempDir(), 'cognito.json');
    const first = await startHarness({ stateFile });
    const { id: poolId } = first.emulator.createUserPool({ name: 'log' });
    const { clientId } = first.emulator.createUserPoolClient(poolId, {
      name: 'web',
      explicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    await first.emulator.seedUser(poolId, 'logged', PASSWORD);
    const signIn = () =>
      first.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'logged', PASSWORD },
        }),
      );
    const kept = await signIn();
    const revoked = await signIn();
    await first.client.send(
      new RevokeTokenCommand({
        ClientId: clientId,
        Token: revoked.AuthenticationResult?.RefreshToken,
      }),
    );
    await first.emulator.save();
    await first.close();
    appendFileSync(join(dirname(stateFile), 'cognito.refresh-tokens.jsonl'), '{"h":"torn');

    const second = await startHarness({ stateFile });
    const refresh = (token: string | undefined) =>
      second.client.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: token as string },
        }),
      );

    expect(
      (await refresh(kept.AuthenticationResult?.RefreshToken)).AuthenticationResult?.IdToken,
    ).toBeDefined();
    expect((await failure(refresh(revoked.AuthenticationResult?.RefreshToken))).message).toBe(
      'Refresh Token has been revoked',
    );
    await second.close();
  });

  it('keeps ids stable across restarts with ensureUserPool / ensureUserPoolClient', async () => {
    const stateFile = join(tempDir(), 'cognito.json');
    const a = createCognitoEmulator({ region: REGION, baseUrl: 'http://127.0.0.1:1', stateFile });
    const pool = a.ensureUserPool({ name: 'stable' });
    const client = a.ensureUserPoolClient(pool.id, { name: 'm2m', generateSecret: true });
    await a.save();

    const b = createCognitoEmulator({ region: REGION, baseUrl: 'http://127.0.0.1:1', stateFile });
    const poolAgain = b.ensureUserPool({ name: 'stable' });

    expect(pool.created).toBe(true);
    expect(poolAgain).toEqual({ id: pool.id, arn: pool.arn, created: false });
    expect(b.ensureUserPoolClient(pool.id, { name: 'm2m', generateSecret: true })).toEqual(client);
  });

  it('writes changes by itself after a short delay', async () => {
    const stateFile = join(tempDir(), 'cognito.json');
    const emulator = createCognitoEmulator({
      region: REGION,
      baseUrl: 'http://127.0.0.1:1',
      stateFile,
      saveDelayMs: 5,
    });
    emulator.createUserPool({ name: 'debounced' });

    await expect
      .poll(() => {
        try {
          return readFileSync(stateFile, 'utf8');
        } catch {
          return '';
        }
      })
      .toContain('debounced');
  });

  it('refuses a state file that is not a version 1 state', async () => {
    const stateFile = join(tempDir(), 'bad.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(stateFile, '{"version":9}');

    expect(() =>
      createCognitoEmulator({ region: REGION, baseUrl: 'http://127.0.0.1:1', stateFile }),
    ).toThrowError(/not a version 1 state/);
  });
});
