import { UserFacingError } from '@authwatch/kit';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAuthChallenge, PRIVATE_PARAMETERS } from '../../src/create.js';
import { createCreateHandler, createSendTimer } from '../../src/handlers.js';
import { codeDigest, openCode } from '../../src/keys.js';
import { parseMetadata, sealContext } from '../../src/metadata.js';
import {
  createEvent,
  fixedCode,
  KEYS,
  lambdaContext,
  MAIL,
  memoryAuditor,
  NOW,
  OTHER_KEYS,
  PASSWORD_THEN_OTP,
  PASSWORDLESS,
} from './helpers.js';

const CODE = '042713';

function issue(event = createEvent(), now = NOW, code = CODE, config = PASSWORDLESS) {
  return createAuthChallenge(event, config, MAIL, { keys: KEYS, now, randomCode: fixedCode(code) });
}

/** The create event Cognito sends after `previous` was answered wrong. */
function retryAfter(previous: ReturnType<typeof issue>, base = createEvent()) {
  const event = structuredClone(base);
  event.request.session = [
    ...event.request.session,
    {
      challengeName: 'CUSTOM_CHALLENGE',
      challengeResult: false,
      challengeMetadata: previous.response.challengeMetadata,
    },
  ];
  return event;
}

describe('create auth challenge', () => {
  it('issues a fresh code by mail on the first attempt', () => {
    // Prepare
    const event = createEvent();
    // Act
    const outcome = issue(event);
    // Assess
    expect(outcome.kind).toBe('fresh');
    expect(outcome.mail?.to).toBe('user.one@example.com');
    expect(outcome.mail?.content.text).toContain(CODE);
    expect(outcome.mail?.content.html).toContain(CODE);
    expect(outcome.mail?.content.subject).toBe('Your sign-in code');
    expect(outcome.response.publicChallengeParameters).toEqual({
      destination: 'u***@example.com',
      codeLength: '6',
      attempt: '1',
      attemptsLeft: '3',
      expiresInSeconds: '180',
    });
  });

  it('keeps the code out of the public parameters, the metadata and the private parameters', () => {
    const outcome = issue();
    const { response } = outcome;
    expect(JSON.stringify(response.publicChallengeParameters)).not.toContain(CODE);
    expect(response.challengeMetadata).not.toContain(CODE);
    expect(JSON.stringify(response.privateChallengeParameters)).not.toContain(CODE);
    expect(JSON.stringify(outcome.audit)).not.toContain(CODE);
    // What verify needs: the keyed digest of the code and the issue time.
    expect(response.privateChallengeParameters[PRIVATE_PARAMETERS.digest]).toBe(
      codeDigest(KEYS, createEvent().userName, CODE).toString('base64url'),
    );
    expect(response.privateChallengeParameters[PRIVATE_PARAMETERS.issuedAt]).toBe(String(NOW));
  });

  it('seals the code in the metadata so that only our key opens it, bound to the user', () => {
    const event = createEvent();
    const { challengeMetadata } = issue(event).response;
    const parsed = parseMetadata(challengeMetadata);
    expect(parsed?.issuedAt).toBe(NOW);
    expect(openCode(KEYS, parsed?.sealed ?? '', sealContext(event, NOW))).toBe(CODE);
    expect(openCode(OTHER_KEYS, parsed?.sealed ?? '', sealContext(event, NOW))).toBeUndefined();
    expect(
      openCode(KEYS, parsed?.sealed ?? '', sealContext({ ...event, userName: 'mallory' }, NOW)),
    ).toBeUndefined();
    expect(openCode(KEYS, parsed?.sealed ?? '', sealContext(event, NOW + 1))).toBeUndefined();
  });

  it('re-uses the same code after a wrong answer, without a new mail', () => {
    // Prepare
    const first = issue();
    const event = retryAfter(first);
    // Act
    const second = issue(event, NOW + 30_000, '999999');
    // Assess
    expect(second.kind).toBe('reused');
    expect(second.mail).toBeUndefined();
    expect(second.response.privateChallengeParameters).toEqual({
      ...first.response.privateChallengeParameters,
      attempt: '2',
    });
    expect(second.response.publicChallengeParameters).toMatchObject({
      attempt: '2',
      attemptsLeft: '2',
      expiresInSeconds: '150',
    });
    expect(second.audit.map((e) => e.unmapped)).toEqual([
      expect.objectContaining({ mode: 'passwordless', attempt: 2 }),
    ]);
  });

  it('mails a new code when the previous one expired', () => {
    const first = issue();
    const renewed = issue(retryAfter(first), NOW + 180_000, '123123');
    expect(renewed.kind).toBe('renewed');
    expect(renewed.mail?.content.text).toContain('123123');
    expect(renewed.response.privateChallengeParameters.issuedAt).toBe(String(NOW + 180_000));
  });

  it('issues a fresh code when the previous metadata cannot be opened (another key, bare mark)', () => {
    const sealedElsewhere = createAuthChallenge(createEvent(), PASSWORDLESS, MAIL, {
      keys: OTHER_KEYS,
      now: NOW,
      randomCode: fixedCode(CODE),
    });
    expect(issue(retryAfter(sealedElsewhere), NOW + 1_000, '555555').kind).toBe('fresh');
    expect(issue(createEvent('create-retry'), NOW, '555555').kind).toBe('fresh');
  });

  it('picks the template of the client’s locale, falling back to the language, then English', () => {
    const event = createEvent('create-after-password');
    expect(issue(event, NOW, CODE, PASSWORD_THEN_OTP).mail).toMatchObject({
      locale: 'de',
      content: { subject: 'Ihr Anmeldecode' },
    });
    event.request.clientMetadata = { locale: 'xx' };
    expect(issue(event, NOW, CODE, PASSWORD_THEN_OTP).mail?.locale).toBe('en');
    event.request.clientMetadata = { locale: '<script>' };
    expect(issue(event, NOW, CODE, PASSWORD_THEN_OTP).mail?.locale).toBe('en');
  });

  it('treats an unknown user the same from outside: same shape, a dummy code, no mail', () => {
    // Prepare
    const real = issue();
    const event = createEvent('create-user-not-found');
    // Act
    const ghost = issue(event);
    // Assess
    expect(ghost.kind).toBe('user-not-found');
    expect(ghost.mail).toBeUndefined();
    expect(ghost.audit).toEqual([]);
    expect(Object.keys(ghost.response.publicChallengeParameters)).toEqual(
      Object.keys(real.response.publicChallengeParameters),
    );
    expect(ghost.response.publicChallengeParameters.destination).toBe('n***@example.com');
    expect(Object.keys(ghost.response.privateChallengeParameters)).toEqual(
      Object.keys(real.response.privateChallengeParameters),
    );
    expect(ghost.response.challengeMetadata).toMatch(/^EMAIL_OTP\.\d+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses an existing user without an email, in words a user may read', () => {
    const event = createEvent();
    delete event.request.userAttributes.email;
    expect(() => issue(event)).toThrow(UserFacingError);
  });

  it('refuses to create anything but CUSTOM_CHALLENGE', () => {
    const event = createEvent();
    event.request.challengeName = 'PASSWORD_VERIFIER';
    expect(() => issue(event)).toThrow(/not CUSTOM_CHALLENGE/);
  });
});

describe('create handler', () => {
  const ses = mockClient(SESClient);
  beforeEach(() => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'message-1' });
  });

  function handler(audit = memoryAuditor(), sleeps: number[] = []) {
    return {
      audit,
      sleeps,
      run: createCreateHandler({
        config: PASSWORDLESS,
        mail: { ...MAIL, configurationSet: 'authwatch' },
        keys: async () => KEYS,
        auditor: audit.auditor,
        ses: new SESClient({ region: 'us-east-1' }),
        randomCode: fixedCode(CODE),
        sendTimer: createSendTimer(40),
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        now: () => NOW,
      }),
    };
  }

  it('sends one mail with SES from the configured sender and emits "challenge issued"', async () => {
    // Prepare
    const { run, audit } = handler();
    // Act
    const result = await run(
      createEvent(),
      lambdaContext(() => NOW),
    );
    // Assess
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({
      Source: 'Sign-in <no-reply@example.com>',
      Destination: { ToAddresses: ['user.one@example.com'] },
      ConfigurationSetName: 'authwatch',
    });
    expect(calls[0]?.args[0].input.Message?.Body?.Text?.Data).toContain(CODE);
    expect(audit.kinds()).toEqual(['challenge-issued']);
    expect(JSON.stringify(audit.sink.events)).not.toContain(CODE);
    expect(JSON.stringify(result.response)).not.toContain(CODE);
  });

  it('sends no mail on a retry within the same sign-in', async () => {
    const { run, audit } = handler();
    const first = (await run(
      createEvent(),
      lambdaContext(() => NOW),
    )) as {
      response: { challengeMetadata: string };
    };
    const retry = createEvent();
    retry.request.session = [
      {
        challengeName: 'CUSTOM_CHALLENGE',
        challengeResult: false,
        challengeMetadata: first.response.challengeMetadata,
      },
    ];
    await run(
      retry,
      lambdaContext(() => NOW),
    );
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(audit.kinds()).toEqual(['challenge-issued', 'challenge-issued']);
  });

  it('sends nothing for an unknown user but waits about as long as a send', async () => {
    const { run, audit, sleeps } = handler();
    const result = await run(
      createEvent('create-user-not-found'),
      lambdaContext(() => NOW),
    );
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(sleeps).toEqual([40]);
    expect(audit.kinds()).toEqual([]);
    expect(Object.keys(result.response as object)).toEqual([
      'publicChallengeParameters',
      'privateChallengeParameters',
      'challengeMetadata',
    ]);
  });

  it('tells the user plainly when the mail could not be sent, without the code', async () => {
    ses.on(SendEmailCommand).rejects(new Error('Throttling: maximum sending rate exceeded'));
    const { run, audit } = handler();
    const failure = run(
      createEvent(),
      lambdaContext(() => NOW),
    );
    await expect(failure).rejects.toThrow('the sign-in code could not be sent, please try again');
    await failure.catch((error: Error) => expect(error.message).not.toContain(CODE));
    expect(audit.kinds()).toEqual([]);
  });
});
