import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { amzDate, identityPoolCredentials, signEventRequest } from '../../src/live/sigv4.js';

const HOST = 'abcdefghij.appsync-api.eu-west-1.amazonaws.com';
const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};

/** What authwatch-watch (packages/audit) sends: @smithy/signature-v4 over the same request. */
async function smithyHeaders(body: string, now: number) {
  const signer = new SignatureV4({
    service: 'appsync',
    region: 'eu-west-1',
    credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'https:',
      hostname: HOST,
      path: '/event',
      headers: {
        accept: 'application/json, text/javascript',
        'content-encoding': 'amz-1.0',
        'content-type': 'application/json; charset=UTF-8',
        host: HOST,
      },
      body,
    }),
    { signingDate: new Date(now) },
  );
  return signed.headers;
}

describe('SigV4 of the live feed in IAM mode', () => {
  it('signs connect and subscribe bodies exactly as @smithy/signature-v4 does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '{}',
          JSON.stringify({ channel: '/auth/sign-in' }),
          JSON.stringify({ channel: '/auth/*' }),
        ),
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
        async (body, now) => {
          const ours = await signEventRequest({
            host: HOST,
            region: 'eu-west-1',
            body,
            credentials,
            now,
          });
          const theirs = await smithyHeaders(body, now);

          expect(ours.authorization).toBe(theirs.authorization);
          expect(ours['x-amz-date']).toBe(theirs['x-amz-date']);
          expect(ours['x-amz-security-token']).toBe(credentials.sessionToken);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('formats the date as SigV4 wants it', () => {
    expect(amzDate(Date.UTC(2026, 11, 6, 21, 30, 5, 123))).toBe('20261206T213005Z');
  });

  it('gets identity-pool credentials with the ID token as the pool login, and reuses them until near expiry', async () => {
    const calls: { target: string; body: Record<string, unknown> }[] = [];
    let now = Date.UTC(2026, 11, 6, 12);
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      const target = String((init.headers as Record<string, string>)['x-amz-target']);
      calls.push({ target, body: JSON.parse(String(init.body)) });
      const answer = target.endsWith('GetId')
        ? { IdentityId: 'eu-west-1:11111111-2222-3333-4444-555555555555' }
        : {
            Credentials: {
              AccessKeyId: 'ASIAEXAMPLE',
              SecretKey: 'secret',
              SessionToken: 'token',
              Expiration: now / 1_000 + 3_600,
            },
          };
      return new Response(JSON.stringify(answer), { status: 200 });
    }) as typeof fetch;
    const get = identityPoolCredentials({
      region: 'eu-west-1',
      identityPoolId: 'eu-west-1:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      userPoolId: 'eu-west-1_AbC123',
      idToken: async () => 'id-token',
      fetch: fakeFetch,
      now: () => now,
    });

    const first = await get();
    await get();
    now += 56 * 60_000;
    await get();

    expect(first).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', sessionToken: 'token' });
    expect(calls.map((call) => call.target)).toEqual([
      'AWSCognitoIdentityService.GetId',
      'AWSCognitoIdentityService.GetCredentialsForIdentity',
      'AWSCognitoIdentityService.GetId',
      'AWSCognitoIdentityService.GetCredentialsForIdentity',
    ]);
    expect(calls[0]?.body.Logins).toEqual({
      'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123': 'id-token',
    });
  });
});
