import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InitiateAuthCommand, RevokeTokenCommand } from '@aws-sdk/client-cognito-identity-provider';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createCognitoEmulator } from '../../src/cognito/index.js';
import {
  loadState,
  type RefreshTokenRecord,
  replayTokenLog,
  StateFileError,
} from '../../src/cognito/state.js';
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

  it('restores domains, custom attributes, MFA preferences and risk configurations after a restart', async () => {
    const stateFile = join(tempDir(), 'state', 'cognito.json');
    const first = createCognitoEmulator({
      region: REGION,
      baseUrl: 'http://127.0.0.1:1',
      stateFile,
    });
    const poolId = first.createUserPool({ name: 'kept', usernameAttributes: ['email'] }).id;
    await first.seedUser(poolId, 'kept@example.com', PASSWORD, { email: 'kept@example.com' });
    await first.call('CreateUserPoolDomain', { UserPoolId: poolId, Domain: 'kept-login' });
    await first.call('AddCustomAttributes', {
      UserPoolId: poolId,
      CustomAttributes: [{ Name: 'role' }],
    });
    await first.call('AdminSetUserMFAPreference', {
      UserPoolId: poolId,
      Username: 'kept@example.com',
      EmailMfaSettings: { Enabled: true, PreferredMfa: true },
    });
    await first.call('UpdateUserPool', {
      UserPoolId: poolId,
      UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
    });
    await first.call('SetRiskConfiguration', {
      UserPoolId: poolId,
      RiskExceptionConfiguration: { BlockedIPRangeList: ['192.0.2.0/24'] },
    });
    await first.save();

    const second = createCognitoEmulator({
      region: REGION,
      baseUrl: 'http://127.0.0.1:1',
      stateFile,
    });
    const domain = await second.call('DescribeUserPoolDomain', { Domain: 'kept-login' });
    const pool = await second.call('DescribeUserPool', { UserPoolId: poolId });
    const user = await second.call('AdminGetUser', {
      UserPoolId: poolId,
      Username: 'kept@example.com',
    });
    const risk = await second.call('DescribeRiskConfiguration', { UserPoolId: poolId });

    expect(domain.DomainDescription).toMatchObject({ UserPoolId: poolId, Domain: 'kept-login' });
    expect(JSON.stringify(pool)).toContain('custom:role');
    expect(user).toMatchObject({
      UserMFASettingList: ['EMAIL_OTP'],
      PreferredMfaSetting: 'EMAIL_OTP',
    });
    expect(risk).toMatchObject({
      RiskConfiguration: { RiskExceptionConfiguration: { BlockedIPRangeList: ['192.0.2.0/24'] } },
    });
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

  it('reads any state file back or refuses it with an error that names the file', () => {
    const dir = tempDir();
    /** Mostly the value a state file holds, sometimes any JSON. */
    const mostly = <T>(value: fc.Arbitrary<T>) =>
      fc.oneof(
        { weight: 6, arbitrary: value },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
      );
    const pool = fc.record(
      {
        id: mostly(fc.constant('eu-west-1_AbCdEfGhI')),
        key: mostly(fc.constant({ kid: 'k', privatePem: 'p', publicJwk: {} })),
        users: mostly(fc.constant({})),
        groups: mostly(fc.constant({})),
      },
      { requiredKeys: [] },
    );
    const content = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .record(
            {
              version: mostly(fc.constant(1)),
              pools: mostly(fc.dictionary(fc.string({ maxLength: 6 }), pool, { maxKeys: 2 })),
              refreshTokens: mostly(fc.constant({})),
            },
            { requiredKeys: [] },
          )
          .map((value) => JSON.stringify(value)),
      },
      { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
      { weight: 1, arbitrary: fc.string() },
    );
    let read = 0;
    fc.assert(
      fc.property(content, (text) => {
        const file = join(dir, 'state.json');
        writeFileSync(file, text);
        let state: ReturnType<typeof loadState>;
        try {
          state = loadState(file);
        } catch (error) {
          expect(error).toBeInstanceOf(StateFileError);
          expect((error as Error).message).toContain(file);
          // Nothing of the content (keys, verifiers) is quoted.
          const quoted = (error as Error).message.replace(file, '');
          if (text.length >= 8) expect(quoted).not.toContain(text.slice(0, 8));
          return;
        }
        read += 1;
        for (const [id, loaded] of Object.entries(state.pools)) {
          expect(loaded.id).toBe(id);
          expect(Object.getPrototypeOf(loaded.users)).toBeNull();
        }
      }),
      { numRuns: 400 },
    );
    expect(read).toBeGreaterThan(20);
  });

  it('replays any token log: issues and revocations it understands, nothing else', () => {
    const dir = tempDir();
    const token = (username: string): RefreshTokenRecord => ({
      poolId: 'p',
      clientId: 'c',
      username,
      originJti: `o-${username}`,
      authTime: 1,
      issued: 1,
      expires: 2,
      revoked: false,
    });
    const line = fc.oneof(
      fc
        .record({ h: fc.constantFrom('a', 'b', '__proto__'), u: fc.string({ maxLength: 4 }) })
        .map(({ h, u }) => ({ text: JSON.stringify({ h, t: token(u) }), issue: { h, u } })),
      fc
        .constantFrom('a', 'b', '__proto__')
        .map((h) => ({ text: JSON.stringify({ h, revoked: true }), revoke: h })),
      fc.jsonValue().map((value) => ({ text: JSON.stringify(value) })),
      fc.string().map((text) => ({ text: text.replaceAll('\n', ' ') })),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        const file = join(dir, 'tokens.jsonl');
        writeFileSync(file, lines.map((entry) => `${entry.text}\n`).join(''));
        const tokens = Object.create(null) as Record<string, RefreshTokenRecord>;
        replayTokenLog(file, tokens);

        // The model: the last issue of each hash, revoked by a later revocation.
        const expected = new Map<string, { u: string; revoked: boolean }>();
        for (const entry of lines) {
          const { issue, revoke } = entry as { issue?: { h: string; u: string }; revoke?: string };
          if (issue) expected.set(issue.h, { u: issue.u, revoked: false });
          else if (revoke && expected.has(revoke))
            (expected.get(revoke) as { revoked: boolean }).revoked = true;
        }
        // A line of junk JSON can also be an issue or a revocation only by being one.
        for (const [h, { u, revoked }] of expected) {
          expect(tokens[h]?.username).toBe(u);
          expect(tokens[h]?.revoked).toBe(revoked);
        }
        for (const h of Object.keys(tokens)) expect(expected.has(h)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
