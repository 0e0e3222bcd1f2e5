/**
 * The page's sign-in code (SRP in WebCrypto and BigInt, the email-code flow, refresh)
 * against the local stack's Cognito endpoint, and the history API it then calls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_USER, type LocalStack, SECURITY_USER, startLocalStack } from '@authwatch/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/api.js';
import { CognitoError, createCognitoClient, tokenGroups } from '../../src/auth/cognito.js';
import { createSession } from '../../src/auth/session.js';
import { srpTimestamp } from '../../src/auth/srp.js';

let stack: LocalStack;
let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'dashboard-auth-'));
  stack = await startLocalStack({ port: 0, stateDir, quiet: true, handlerLogs: 'ignore' });
});

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

const cognito = () =>
  createCognitoClient({
    endpoint: stack.outputs.endpoint,
    userPoolId: stack.outputs.userPoolId,
    clientId: stack.outputs.userPoolClientId,
  });

describe('signing in from the page', () => {
  it('signs the security user in with SRP: the password is proven, never sent', async () => {
    const sent: string[] = [];
    const client = createCognitoClient({
      endpoint: stack.outputs.endpoint,
      userPoolId: stack.outputs.userPoolId,
      clientId: stack.outputs.userPoolClientId,
      fetch: (input, init) => {
        sent.push(String(init?.body));
        return fetch(input, init);
      },
    });

    const step = await client.signInWithPassword(SECURITY_USER.email, SECURITY_USER.password);

    expect(step.kind).toBe('tokens');
    if (step.kind !== 'tokens') return;
    expect(tokenGroups(step.tokens.idToken)).toContain('security');
    expect(step.tokens.refreshToken).toBeTruthy();
    expect(sent.join('\n')).not.toContain(SECURITY_USER.password);
    expect(sent.join('\n')).toContain('PASSWORD_CLAIM_SIGNATURE');
  });

  it('gets NotAuthorizedException for a wrong password', async () => {
    await expect(
      cognito().signInWithPassword(SECURITY_USER.email, 'Wrong-Passw0rd!'),
    ).rejects.toMatchObject({ name: 'CognitoError', code: 'NotAuthorizedException' });
  });

  it('starts the email-code flow: a custom challenge with a session', async () => {
    const step = await cognito().startEmailCode(SECURITY_USER.email);

    expect(step).toMatchObject({
      kind: 'code',
      username: expect.any(String),
      session: expect.any(String),
    });
  });

  it('renews the tokens with the refresh token a minute before they expire', async () => {
    let now = Date.now();
    const timers: number[] = [];
    const session = createSession({
      cognito: cognito(),
      now: () => now,
      setTimer: (_run, ms) => {
        timers.push(ms);
        return timers.length;
      },
      clearTimer: () => undefined,
    });
    const step = await cognito().signInWithPassword(SECURITY_USER.email, SECURITY_USER.password);
    if (step.kind !== 'tokens') throw new Error('no tokens');

    const user = session.start(step.tokens);
    const first = await session.accessToken();
    now += step.tokens.expiresIn * 1_000 - 30_000;
    const second = await session.accessToken();

    expect(user).toMatchObject({ email: SECURITY_USER.email, groups: ['security'] });
    expect(timers[0]).toBe(step.tokens.expiresIn * 1_000 - 60_000);
    expect(second).not.toBe(first);
    expect(timers).toHaveLength(2);
  });

  it('ends the session when the refresh token is refused', async () => {
    const ended: string[] = [];
    const session = createSession({ cognito: cognito(), onEnd: (reason) => ended.push(reason) });
    session.start({
      idToken: 'a.e30.b',
      accessToken: 'a.e30.b',
      refreshToken: 'not-a-token',
      expiresIn: 3600,
    });

    await expect(session.renew()).rejects.toBeInstanceOf(CognitoError);
    expect(session.signedIn).toBe(false);
    expect(ended).toEqual(['Your session ended; please sign in again.']);
  });
});

describe('the history API from the page', () => {
  it('serves the security user and refuses a member of users only with 403', async () => {
    const signIn = async (email: string, password: string) => {
      const step = await cognito().signInWithPassword(email, password);
      if (step.kind !== 'tokens') throw new Error('no tokens');
      return step.tokens.accessToken;
    };
    const security = await signIn(SECURITY_USER.email, SECURITY_USER.password);
    const demo = await signIn(DEMO_USER.email, DEMO_USER.password);
    await stack.settle();

    const summary = await createApi(stack.outputs.apiUrl, async () => security).summary({
      range: '15m',
    });
    const refused = createApi(stack.outputs.apiUrl, async () => demo).summary({ range: '15m' });

    expect(summary.signIns).toBeGreaterThanOrEqual(2);
    await expect(refused).rejects.toMatchObject({
      status: 403,
      message: 'requires membership of the group security',
    });
  });
});

describe("Cognito's SRP timestamp", () => {
  it('has no leading zero on the day and uses UTC', () => {
    expect(srpTimestamp(Date.UTC(2026, 0, 5, 7, 8, 9))).toBe('Mon Jan 5 07:08:09 UTC 2026');
  });
});
