/**
 * A mailed code that has expired, on a stack of its own whose create and verify
 * triggers run with the shortest code lifetime the config allows (30 s). The handlers
 * read the clock themselves, as deployed; they run in this test's process (the stack's
 * default in-process isolation, in a process of this file's own), so the test fakes
 * `Date` before the stack loads them and moves it past the lifetime instead of waiting.
 * Timers stay real, and `Date` goes on advancing with real time between the jumps.
 */
import {
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_USER } from '../../src/stack.js';
import {
  auditRecords,
  cognitoClient,
  everythingWritten,
  nextCode,
  recordsFor,
  respond,
  startTestStack,
} from './helpers.js';

const TTL_SECONDS = 30;
const ttl = { CUSTOM_CHALLENGE_CODE_TTL_SECONDS: String(TTL_SECONDS) };

let stack: Awaited<ReturnType<typeof startTestStack>>;
let client: CognitoIdentityProviderClient;
const seen = new Set<string>();

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  stack = await startTestStack({
    handlerEnv: { 'create-auth-challenge': ttl, 'verify-auth-challenge': ttl },
  });
  client = cognitoClient(stack);
});

afterAll(async () => {
  client?.destroy();
  await stack?.cleanup();
  vi.useRealTimers();
});

describe('an expired sign-in code', () => {
  it('is refused after its lifetime even though it is the right code', async () => {
    // Prepare
    const started = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'CUSTOM_AUTH',
        ClientId: stack.outputs.userPoolClientId,
        AuthParameters: { USERNAME: DEMO_USER.email },
      }),
    );
    const { code } = await nextCode(stack, DEMO_USER.email, seen);

    // Act: answer one second after the code's lifetime (the auth session, minutes
    // long, is still valid)
    vi.setSystemTime(Date.now() + (TTL_SECONDS + 1) * 1000);
    const outcome = await respond(client, stack, DEMO_USER.email, started.Session, code).catch(
      (error: Error) => error,
    );

    // Assess: no tokens, a failed challenge in the audit, the reason in the verify log
    expect(outcome).not.toHaveProperty('AuthenticationResult.AccessToken');
    const failed = recordsFor(await auditRecords(stack), (record) =>
      (record.message ?? '').toLowerCase().includes('fail'),
    );
    expect(failed.length).toBeGreaterThan(0);
    const written = await everythingWritten(stack);
    expect(written).toContain('"reason":"expired"');
    expect(written).not.toMatch(new RegExp(`(^|\\D)${code}(\\D|$)`));
  });
});
