import { describe, expect, it } from 'vitest';
import {
  isSecretKey,
  maskEmail,
  maskPhone,
  maskText,
  REDACTED,
  redact,
  redactingReplacer,
} from '../../src/index.js';

const JWT =
  'eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJhMWIyIiwiZXhwIjoxNzk1MDAwMDAwfQ.c2lnbmF0dXJlLWJ5dGVz';

describe('maskEmail', () => {
  it.each([
    ['user.one@example.com', 'u***@example.com'],
    ['J@example.co.uk', 'J***@example.co.uk'],
    ['  other+tag@mail.example.org ', 'o***@mail.example.org'],
  ])('masks %j as %j', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it.each(['', 'not an email', 'user@localhost', '@example.com', 'a@b@example.com'])(
    'returns *** for %j, which is not an email',
    (text) => {
      expect(maskEmail(text)).toBe('***');
    },
  );
});

describe('maskPhone', () => {
  it.each([
    ['+14155552671', '+*********71'],
    ['+44 20 7946 0958', '+**********58'],
    ['(415) 555-2671', '********71'],
  ])('masks %j as %j, keeping the plus and the last two digits', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it.each(['', '123', 'call me'])('returns *** for %j, which has too few digits', (phone) => {
    expect(maskPhone(phone)).toBe('***');
  });
});

describe('maskText', () => {
  it('masks every email in free text', () => {
    expect(maskText('sign-up from user.one@example.com and other@example.org refused')).toBe(
      'sign-up from u***@example.com and o***@example.org refused',
    );
  });

  it('masks an email whose local part has an apostrophe as a whole', () => {
    expect(maskText("mail to o'brien@example.ie bounced")).toBe('mail to o***@example.ie bounced');
  });

  it('replaces a JWT anywhere in the text', () => {
    expect(maskText(`Bearer ${JWT} rejected`)).toBe(`Bearer ${REDACTED} rejected`);
  });

  it('leaves text without PII unchanged', () => {
    expect(maskText('user a1b2c3d4 signed in from 203.0.113.10')).toBe(
      'user a1b2c3d4 signed in from 203.0.113.10',
    );
  });
});

describe('isSecretKey', () => {
  it.each([
    'password',
    'NewPassword',
    'code',
    'otp',
    'email_otp',
    'challengeAnswer',
    'answer',
    'privateChallengeParameters',
    'idToken',
    'refresh_token',
    'client_secret',
    'Authorization',
    'session',
  ])('treats %j as a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(['email', 'userName', 'tokenVersion', 'sub', 'challengeName', 'sourceIp'])(
    'does not treat %j as a secret',
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );
});

describe('redactingReplacer and redact', () => {
  it('redacts secrets by key at any depth, masks PII by key and in free text', () => {
    // Prepare
    const entry = {
      message: `verify failed for user.one@example.com with ${JWT}`,
      request: {
        userAttributes: { email: 'user.one@example.com', phone_number: '+14155552671', sub: 'a1' },
        privateChallengeParameters: { code: '123456' },
        challengeAnswer: '123456',
        clientMetadata: { contactEmail: 'other@example.org', note: 'call other@example.org' },
      },
      tokens: [{ accessToken: JWT, idToken: JWT }],
      nested: { deeper: { password: 'hunter2', list: ['user.one@example.com', 42, null] } },
    };
    // Act
    const result = redact(entry);
    // Assess
    expect(result).toEqual({
      message: `verify failed for u***@example.com with ${REDACTED}`,
      request: {
        userAttributes: { email: 'u***@example.com', phone_number: '+*********71', sub: 'a1' },
        privateChallengeParameters: REDACTED,
        challengeAnswer: REDACTED,
        clientMetadata: { contactEmail: 'o***@example.org', note: 'call o***@example.org' },
      },
      tokens: [{ accessToken: REDACTED, idToken: REDACTED }],
      nested: { deeper: { password: REDACTED, list: ['u***@example.com', 42, null] } },
    });
    const text = JSON.stringify(result);
    expect(text).not.toContain('123456');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('user.one');
  });

  it('leaves a null or absent secret as it is, so its absence stays visible', () => {
    expect(redact({ password: null, code: undefined })).toEqual({ password: null });
  });

  it('redacts a secret whatever its type', () => {
    expect(redact({ otp: 123456, session: [{ challengeName: 'CUSTOM_CHALLENGE' }] })).toEqual({
      otp: REDACTED,
      session: REDACTED,
    });
  });

  it('turns a bigint into a string instead of crashing JSON.stringify', () => {
    expect(JSON.stringify({ n: 10n }, redactingReplacer)).toBe('{"n":"10"}');
  });

  it('classifies keys the same once its memo of key names is full', () => {
    // 2,000 distinct keys fill the replacer's memo (1,024 names); the ones after it
    // must still be redacted and masked by key.
    const noise = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
    const late = {
      ...noise,
      myPassword: 'hunter2',
      contactEmail: 'user.one@example.com',
      homePhoneNumber: '+14155552671',
      note: 'plain',
    };
    expect(redact(late)).toMatchObject({
      myPassword: REDACTED,
      contactEmail: 'u***@example.com',
      homePhoneNumber: '+*********71',
      note: 'plain',
      k1999: 1999,
    });
  });

  it('classifies a key by its name whatever case it was first seen in', () => {
    expect(redact({ Email: 'user.one@example.com' })).toEqual({ Email: 'u***@example.com' });
    expect(redact({ EMAIL: 'user.one@example.com', Otp: '123456' })).toEqual({
      EMAIL: 'u***@example.com',
      Otp: REDACTED,
    });
  });

  it('masks a top-level string', () => {
    expect(redact('user.one@example.com')).toBe('u***@example.com');
    expect(redact(undefined)).toBeUndefined();
  });
});

describe('maskText with quoted emails', () => {
  it('keeps the quotes around an email and masks it', () => {
    expect(maskText("no user 'user.one@example.com' found")).toBe(
      "no user 'u***@example.com' found",
    );
    expect(maskText('{"to":"user.one@example.com"}')).toBe('{"to":"u***@example.com"}');
  });
});

describe('maskText with file paths', () => {
  it('leaves a pnpm path in a stack trace alone', () => {
    const frame =
      'at runRequest (file:///app/node_modules/.pnpm/@middy+core@6.4.5/node_modules/@middy/core/index.js:189:5)';
    expect(maskText(frame)).toBe(frame);
  });
});
