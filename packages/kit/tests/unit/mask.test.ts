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
    ['jane.doe@example.com', 'j***@example.com'],
    ['J@example.co.uk', 'J***@example.co.uk'],
    ['  bob+tag@mail.example.org ', 'b***@mail.example.org'],
  ])('masks %j as %j', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it.each(['', 'not an email', 'jane@localhost', '@example.com', 'a@b@example.com'])(
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
    expect(maskText('sign-up from jane.doe@example.com and bob@example.org refused')).toBe(
      'sign-up from j***@example.com and b***@example.org refused',
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
      message: `verify failed for jane.doe@example.com with ${JWT}`,
      request: {
        userAttributes: { email: 'jane.doe@example.com', phone_number: '+14155552671', sub: 'a1' },
        privateChallengeParameters: { code: '123456' },
        challengeAnswer: '123456',
        clientMetadata: { contactEmail: 'bob@example.org', note: 'call bob@example.org' },
      },
      tokens: [{ accessToken: JWT, idToken: JWT }],
      nested: { deeper: { password: 'hunter2', list: ['jane.doe@example.com', 42, null] } },
    };
    // Act
    const result = redact(entry);
    // Assess
    expect(result).toEqual({
      message: `verify failed for j***@example.com with ${REDACTED}`,
      request: {
        userAttributes: { email: 'j***@example.com', phone_number: '+*********71', sub: 'a1' },
        privateChallengeParameters: REDACTED,
        challengeAnswer: REDACTED,
        clientMetadata: { contactEmail: 'b***@example.org', note: 'call b***@example.org' },
      },
      tokens: [{ accessToken: REDACTED, idToken: REDACTED }],
      nested: { deeper: { password: REDACTED, list: ['j***@example.com', 42, null] } },
    });
    const text = JSON.stringify(result);
    expect(text).not.toContain('123456');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('jane.doe');
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

  it('masks a top-level string', () => {
    expect(redact('jane.doe@example.com')).toBe('j***@example.com');
    expect(redact(undefined)).toBeUndefined();
  });
});

describe('maskText with quoted emails', () => {
  it('keeps the quotes around an email and masks it', () => {
    expect(maskText("no user 'jane.doe@example.com' found")).toBe(
      "no user 'j***@example.com' found",
    );
    expect(maskText('{"to":"jane.doe@example.com"}')).toBe('{"to":"j***@example.com"}');
  });
});

describe('maskText with file paths', () => {
  it('leaves a pnpm path in a stack trace alone', () => {
    const frame =
      'at runRequest (file:///app/node_modules/.pnpm/@middy+core@6.4.5/node_modules/@middy/core/index.js:189:5)';
    expect(maskText(frame)).toBe(frame);
  });
});
