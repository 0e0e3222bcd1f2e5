/**
 * The page's password sign-in against a pool in password-then-code mode: the web client
 * has no USER_SRP_AUTH, so SRP runs inside CUSTOM_AUTH and the emailed code follows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@authwatch/infra/config';
import { type LocalStack, SECURITY_USER, startLocalStack } from '@authwatch/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCognitoClient, tokenGroups } from '../../src/auth/cognito.js';

let stack: LocalStack;
let stateDir: string;

beforeAll(async () => {
  const config = loadConfig('dev');
  if (!config.customChallenge) throw new Error('the dev config has no customChallenge section');
  stateDir = await mkdtemp(join(tmpdir(), 'dashboard-ptc-'));
  stack = await startLocalStack({
    port: 0,
    stateDir,
    quiet: true,
    handlerLogs: 'ignore',
    config: {
      ...config,
      customChallenge: { ...config.customChallenge, mode: 'password-then-otp' },
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await rm(stateDir, { recursive: true, force: true });
});

async function mailedCode(email: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { emails = [] } = (await (await fetch(`${stack.outputs.sesEndpoint}/store`)).json()) as {
      emails?: { destination: { to: string[] }; body: { text?: string } }[];
    };
    const mail = emails.filter((m) => m.destination.to.some((to) => to.includes(email))).at(-1);
    const code = /\b(\d{6,8})\b/.exec(mail?.body.text ?? '')?.[1];
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no code mailed to ${email}`);
}

describe('signing in from the page in password-then-code mode', () => {
  it('proves the password with SRP inside CUSTOM_AUTH, then signs in with the mailed code', async () => {
    const cognito = createCognitoClient({
      endpoint: stack.outputs.endpoint,
      userPoolId: stack.outputs.userPoolId,
      clientId: stack.outputs.userPoolClientId,
    });

    const afterPassword = await cognito.signInWithPassword(
      SECURITY_USER.email,
      SECURITY_USER.password,
    );
    expect(afterPassword.kind).toBe('code');
    if (afterPassword.kind !== 'code') return;
    const done = await cognito.answerCode(
      afterPassword.username,
      afterPassword.session,
      await mailedCode(SECURITY_USER.email),
    );

    expect(done.kind).toBe('tokens');
    if (done.kind === 'tokens') expect(tokenGroups(done.tokens.idToken)).toContain('security');
  });
});
