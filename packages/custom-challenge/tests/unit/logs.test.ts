/**
 * Nothing a trigger writes (logs, errors) holds the code, whatever happens: a sent mail,
 * a failed mail, a right or wrong answer.
 */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCreateHandler, createSendTimer, createVerifyHandler } from '../../src/handlers.js';
import {
  createEvent,
  fixedCode,
  KEYS,
  lambdaContext,
  MAIL,
  memoryAuditor,
  NOW,
  PASSWORDLESS,
  verifyEvent,
} from './helpers.js';

const CODE = '731904';
const ses = mockClient(SESClient);

describe('what the triggers write', () => {
  let written: string[];

  beforeEach(() => {
    written = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    ses.reset();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  function handlers() {
    const { auditor } = memoryAuditor();
    const create = createCreateHandler({
      config: PASSWORDLESS,
      mail: MAIL,
      keys: async () => KEYS,
      auditor,
      ses: new SESClient({ region: 'us-east-1' }),
      randomCode: fixedCode(CODE),
      sendTimer: createSendTimer(1),
      sleep: async () => undefined,
      now: () => NOW,
    });
    const verify = createVerifyHandler({
      config: PASSWORDLESS,
      keys: async () => KEYS,
      auditor,
      now: () => NOW,
    });
    return { create, verify };
  }

  it('never writes the code, on success or on a failed mail', async () => {
    // Prepare
    const { create, verify } = handlers();
    ses
      .on(SendEmailCommand)
      .resolvesOnce({ MessageId: 'm' })
      .rejects(new Error('Throttling: Maximum sending rate exceeded.'));
    // Act
    const created = (await create(
      createEvent(),
      lambdaContext(() => NOW),
    )) as {
      response: { privateChallengeParameters: Record<string, string> };
    };
    for (const answer of [CODE, '000000', ` ${CODE} `]) {
      const event = verifyEvent();
      event.request.privateChallengeParameters = created.response.privateChallengeParameters;
      event.request.challengeAnswer = answer;
      await verify(
        event,
        lambdaContext(() => NOW),
      );
    }
    const failure = await create(
      createEvent(),
      lambdaContext(() => NOW),
    ).catch((error: Error) => error);
    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).not.toContain(CODE);
    expect(written.join('').length).toBeGreaterThan(0);
    expect(written.join('')).not.toContain(CODE);
    expect(written.join('')).not.toContain('user.one@example.com');
    // The mail failure itself is logged, for the operators.
    expect(written.join('')).toContain('Maximum sending rate exceeded');
  });
});
