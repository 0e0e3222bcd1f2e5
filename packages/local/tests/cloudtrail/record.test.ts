import { mapRecord, parseMessageBody } from '@authwatch/cloudtrail';
import { getTestEvent } from '@authwatch/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accessKeyIdOf,
  cloudTrailRecord,
  eventBridgeEvent,
  HIDDEN,
  sourceIpOf,
} from '../../src/cloudtrail/record.js';

const BASE = {
  region: 'us-east-1',
  accountId: '123456789012',
  time: Date.parse('2026-11-23T21:40:01Z'),
  requestId: '7d4b3f41-1e0c-4a3b-9b6f-2c3d4e5f6a01',
  eventId: '3b6c2a10-6d7e-4f80-9a1b-2c3d4e5f6a01',
  sourceIp: '203.0.113.10',
  userAgent:
    'aws-sdk-js/3.1169.0 ua/2.1 os/linux lang/js md/nodejs#24.0.0 api/cognito-identity-provider#3.1169.0',
};

describe('local CloudTrail records', () => {
  it('writes a failed InitiateAuth as the guide-shaped fixture, redactions included', () => {
    // Prepare
    const fixture = getTestEvent<{ detail: Record<string, unknown> }>(
      'cloudtrail/initiate-auth-wrong-password',
    ).detail;

    // Act
    const record = cloudTrailRecord({
      ...BASE,
      operation: 'InitiateAuth',
      input: {
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'demo@example.com', PASSWORD: 'wrong-Passw0rd' },
        ClientId: '1example23456789abcdefghij',
      },
      error: { code: 'NotAuthorizedException', message: 'Incorrect username or password.' },
      sub: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    });

    // Assess: the same members and values as the fixture (TLS details aside).
    const { tlsDetails: _tls, ...expected } = fixture;
    expect(record).toEqual(expected);
  });

  it('hides tokens, session and challenge parameters of a successful answer', () => {
    const record = cloudTrailRecord({
      ...BASE,
      operation: 'RespondToAuthChallenge',
      input: {
        ClientId: '1example23456789abcdefghij',
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: { USERNAME: 'u', PASSWORD_CLAIM_SIGNATURE: 's' },
        Session: 'session-value',
      },
      output: {
        ChallengeParameters: {},
        AuthenticationResult: {
          AccessToken: 'eyJ.a.b',
          ExpiresIn: 3600,
          TokenType: 'Bearer',
          RefreshToken: 'r',
          IdToken: 'eyJ.c.d',
        },
      },
    });
    expect(record.requestParameters).toEqual({
      clientId: '1example23456789abcdefghij',
      challengeName: 'PASSWORD_VERIFIER',
      challengeResponses: HIDDEN,
      session: HIDDEN,
    });
    expect(record.responseElements).toEqual({
      challengeParameters: {},
      authenticationResult: {
        accessToken: HIDDEN,
        expiresIn: 3600,
        tokenType: 'Bearer',
        refreshToken: HIDDEN,
        idToken: HIDDEN,
      },
    });
  });

  it('is read by the real CloudTrail consumer as the sign-in it was', () => {
    const record = cloudTrailRecord({
      ...BASE,
      operation: 'InitiateAuth',
      input: {
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: 'x', SRP_A: 'ab' },
        ClientId: 'web123',
      },
      output: {
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeParameters: { SALT: 's', SRP_B: 'b' },
        Session: 's',
      },
      sub: 'sub-1',
    });
    const parsed = parseMessageBody(JSON.stringify(eventBridgeEvent(record, 'e-1')));
    expect(parsed.kind).toBe('record');
    if (parsed.kind !== 'record') return;
    const mapped = mapRecord(parsed.record, { clientIds: [] }, { lookup: () => ({}) });
    expect(mapped).toMatchObject({
      kind: 'event',
      event: { class_uid: 6003, unmapped: { outcome: 'challenge', authFlow: 'USER_SRP_AUTH' } },
    });
  });

  it('never writes a credential of the input in clear, whatever it is', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8 }).map((s) => `SECRET${s}`),
        (secret) => {
          const record = cloudTrailRecord({
            ...BASE,
            operation: 'ConfirmForgotPassword',
            input: {
              ClientId: 'c1',
              Username: secret,
              ConfirmationCode: secret,
              Password: secret,
              SecretHash: secret,
            },
            error: {
              code: 'CodeMismatchException',
              message: 'Invalid verification code provided, please try again.',
            },
          });
          expect(JSON.stringify(record)).not.toContain('SECRET');
        },
      ),
    );
  });

  it('takes the first X-Forwarded-For address, else the connection address', () => {
    expect(sourceIpOf({ 'x-forwarded-for': '198.51.100.7, 10.0.0.1' }, '127.0.0.1')).toBe(
      '198.51.100.7',
    );
    expect(sourceIpOf({}, '::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(sourceIpOf({}, '::1')).toBe('::1');
  });

  it('names the IAM caller of a signed call by its access key id', () => {
    const key = accessKeyIdOf(
      'AWS4-HMAC-SHA256 Credential=AKIALOCALAUTHWATCH00/20261123/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=abc',
    );
    expect(key).toBe('AKIALOCALAUTHWATCH00');
    expect(
      cloudTrailRecord({
        ...BASE,
        operation: 'AdminInitiateAuth',
        input: {},
        output: {},
        accessKeyId: key,
      }).userIdentity,
    ).toMatchObject({
      type: 'IAMUser',
      accessKeyId: 'AKIALOCALAUTHWATCH00',
    });
  });
});
