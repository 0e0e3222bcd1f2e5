/**
 * The Lambda entry files themselves, as the CDK app bundles them and the local stack
 * invokes them: configured from the environment only.
 */
import { AUDIT_ENV } from '@authwatch/audit';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CUSTOM_CHALLENGE_ENV } from '../../src/config.js';
import { CUSTOM_CHALLENGE_ENTRIES } from '../../src/index.js';
import { createEvent, defineEvent, KEY_MATERIAL, lambdaContext, verifyEvent } from './helpers.js';

const ses = mockClient(SESClient);

describe('Lambda entries', () => {
  beforeAll(() => {
    vi.stubEnv(AUDIT_ENV.enabled, 'false');
    vi.stubEnv(CUSTOM_CHALLENGE_ENV.key, KEY_MATERIAL.toString('base64'));
    vi.stubEnv(CUSTOM_CHALLENGE_ENV.mailFrom, 'no-reply@example.com');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    ses.restore();
  });

  it('name the three files that exist', async () => {
    for (const file of Object.values(CUSTOM_CHALLENGE_ENTRIES)) {
      const module = (await import(`../../src/${file}.ts`)) as { handler: unknown };
      expect(typeof module.handler).toBe('function');
    }
  });

  it('run a passwordless sign-in from the environment alone', async () => {
    // Prepare
    const define = (await import('../../src/define-auth-challenge.js')).handler;
    const create = (await import('../../src/create-auth-challenge.js')).handler;
    const verify = (await import('../../src/verify-auth-challenge.js')).handler;
    // Act
    const first = await define(defineEvent('define-first-call'), lambdaContext(Date.now));
    const created = (await create(createEvent(), lambdaContext(Date.now))) as {
      response: { privateChallengeParameters: Record<string, string> };
    };
    const mail =
      ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Message?.Body?.Text?.Data ?? '';
    const check = verifyEvent();
    check.request.privateChallengeParameters = created.response.privateChallengeParameters;
    check.request.challengeAnswer = /\d{6}/.exec(mail)?.[0];
    const verified = await verify(check, lambdaContext(Date.now));
    // Assess
    expect(first.response).toMatchObject({ challengeName: 'CUSTOM_CHALLENGE' });
    expect(verified.response).toEqual({ answerCorrect: true });
  });
});
