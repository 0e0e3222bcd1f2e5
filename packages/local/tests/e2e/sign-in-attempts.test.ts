/**
 * Every sign-in attempt in the audit stream, end to end through the local stack with the
 * real SDK: the pre authentication trigger's event, and the CloudTrail record the
 * emulator writes for each call, delivered in SQS batches to the real cloudtrail
 * handler. Each case sends its own client IP (X-Forwarded-For) and checks that exactly
 * the described events were written, with that IP and its country.
 */

import { localEventsViewSql } from '@authwatch/audit';
import {
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
  type CognitoUserSession,
} from 'amazon-cognito-identity-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILED_SIGN_IN, SIGN_IN_CALL } from '../../../../infra/lib/sign-in-queries.js';
import { DEMO_USER } from '../../src/stack.js';
import {
  auditRecords,
  cognitoClient,
  everythingWritten,
  nextCode,
  respond,
  startTestStack,
} from './helpers.js';

type AuditRecord = {
  class_uid: number;
  activity_id: number;
  status_id: number;
  status_detail: string;
  metadata: { uid: string; log_name: string; log_provider: string; correlation_uid?: string };
  user: { name?: string; uid?: string };
  src_endpoint?: { ip: string; location?: { country?: string } };
  unmapped: Record<string, unknown>;
};

let stack: Awaited<ReturnType<typeof startTestStack>>;
let admin: CognitoIdentityProviderClient;
let demoSub: string;
const seenRecords = new Set<string>();
const seenMails = new Set<string>();

/** An SDK client whose every request says it comes from `ip`. */
function clientFrom(ip: string): CognitoIdentityProviderClient {
  const client = cognitoClient(stack);
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string> };
      request.headers['x-forwarded-for'] = ip;
      return next(args);
    },
    { step: 'build', name: 'forwardedFor' },
  );
  return client;
}

/** The audit records written since the last call (after the CloudTrail path delivered). */
async function newRecords(): Promise<AuditRecord[]> {
  await stack.settle();
  const records = (await auditRecords(stack)) as unknown as AuditRecord[];
  const fresh = records.filter((record) => !seenRecords.has(record.metadata.uid));
  for (const record of fresh) seenRecords.add(record.metadata.uid);
  return fresh;
}

const kinds = (records: AuditRecord[]) =>
  records.map((r) => `${r.metadata.log_provider}:${r.metadata.log_name}`).sort();

beforeAll(async () => {
  stack = await startTestStack();
  admin = cognitoClient(stack);
  const user = await admin.send(
    new AdminGetUserCommand({ UserPoolId: stack.outputs.userPoolId, Username: DEMO_USER.email }),
  );
  demoSub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
  await newRecords();
}, 120_000);

afterAll(async () => {
  await stack?.cleanup();
});

describe('every sign-in attempt, end to end', () => {
  it('records a wrong password (USER_PASSWORD_AUTH) with the IP and country the client sent', async () => {
    // Act
    const failure = await clientFrom('81.2.69.142')
      .send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: stack.outputs.passwordClientId,
          AuthParameters: { USERNAME: DEMO_USER.email, PASSWORD: 'Wrong-Passw0rd!' },
        }),
      )
      .catch((error: Error) => error);

    // Assess
    expect(failure).toMatchObject({ name: 'NotAuthorizedException' });
    const records = await newRecords();
    expect(kinds(records)).toEqual([
      'cloudtrail:sign-in-failed',
      'cognito-trigger:sign-in-attempt',
    ]);
    const failed = records.find((r) => r.metadata.log_name === 'sign-in-failed');
    expect(failed).toMatchObject({
      class_uid: 3002,
      activity_id: 1,
      status_id: 2,
      status_detail: 'wrong user name or password',
      user: { uid: demoSub },
      src_endpoint: { ip: '81.2.69.142', location: { country: 'GB' } },
      unmapped: { errorCode: 'NotAuthorizedException', authFlow: 'USER_PASSWORD_AUTH' },
    });
    expect(failed?.metadata.correlation_uid).toMatch(/^[0-9a-f-]{36}$/);
    const attempt = records.find((r) => r.metadata.log_name === 'sign-in-attempt');
    expect(attempt).toMatchObject({ activity_id: 6, status_id: 1, user: { uid: demoSub } });
  });

  it('records a wrong password in the SRP flow: the challenge call and the refused answer', async () => {
    // Prepare: amazon-cognito-identity-js, its requests sent from 193.51.224.1.
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input, init = {}) =>
      realFetch(input, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), 'X-Forwarded-For': '193.51.224.1' },
      });
    const pool = new CognitoUserPool({
      UserPoolId: stack.outputs.userPoolId,
      ClientId: stack.outputs.passwordClientId,
      endpoint: `${stack.outputs.endpoint}/`,
    });
    const user = new CognitoUser({ Username: DEMO_USER.email, Pool: pool });

    // Act
    const failure = await new Promise<CognitoUserSession>((resolve, reject) =>
      user.authenticateUser(
        new AuthenticationDetails({ Username: DEMO_USER.email, Password: 'Wrong-Passw0rd!' }),
        { onSuccess: resolve, onFailure: reject },
      ),
    )
      .catch((error: Error) => error)
      .finally(() => {
        globalThis.fetch = realFetch;
      });

    // Assess
    expect(failure).toMatchObject({ code: 'NotAuthorizedException' });
    const records = await newRecords();
    expect(kinds(records)).toEqual([
      'cloudtrail:sign-in-call',
      'cloudtrail:sign-in-failed',
      'cognito-trigger:sign-in-attempt',
    ]);
    const call = records.find((r) => r.metadata.log_name === 'sign-in-call');
    expect(call).toMatchObject({
      class_uid: 6003,
      src_endpoint: { ip: '193.51.224.1', location: { country: 'FR' } },
      unmapped: { outcome: 'challenge', authFlow: 'USER_SRP_AUTH' },
    });
    const failed = records.find((r) => r.metadata.log_name === 'sign-in-failed');
    expect(failed).toMatchObject({
      activity_id: 1,
      status_id: 2,
      user: { uid: demoSub },
      src_endpoint: { ip: '193.51.224.1' },
      unmapped: { challengeName: 'PASSWORD_VERIFIER', errorCode: 'NotAuthorizedException' },
    });
  });

  it('records an unknown user without the entered name: a hash in the attempt, no sub in the failure', async () => {
    // Act
    const failure = await clientFrom('8.8.8.8')
      .send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: stack.outputs.passwordClientId,
          AuthParameters: { USERNAME: 'nobody-here@example.com', PASSWORD: 'Any-Passw0rd!' },
        }),
      )
      .catch((error: Error) => error);

    // Assess
    expect(failure).toMatchObject({ name: 'NotAuthorizedException' });
    const records = await newRecords();
    expect(kinds(records)).toEqual([
      'cloudtrail:sign-in-failed',
      'cognito-trigger:sign-in-attempt',
    ]);
    const attempt = records.find((r) => r.metadata.log_name === 'sign-in-attempt');
    expect(attempt?.unmapped).toMatchObject({
      userNotFound: true,
      userNameHash: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const failed = records.find((r) => r.metadata.log_name === 'sign-in-failed');
    expect(failed?.user.uid).toBeUndefined();
    expect(failed?.src_endpoint).toEqual({ ip: '8.8.8.8', location: { country: 'US' } });
    expect(JSON.stringify(records)).not.toContain('nobody-here');
  });

  it('records a wrong OTP once (verify trigger) and the IP of the call that carried it', async () => {
    // Prepare
    const client = clientFrom('81.2.69.143');
    const started = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'CUSTOM_AUTH',
        ClientId: stack.outputs.userPoolClientId,
        AuthParameters: { USERNAME: DEMO_USER.email },
      }),
    );
    const { code } = await nextCode(stack, DEMO_USER.email, seenMails);
    await newRecords();
    const wrong = code === '000000' ? '111111' : '000000';

    // Act
    const answered = await respond(client, stack, DEMO_USER.email, started.Session, wrong);

    // Assess: Cognito asks again; one failure (the verify trigger's), one call with the IP.
    expect(answered.ChallengeName).toBe('CUSTOM_CHALLENGE');
    const records = await newRecords();
    expect(kinds(records)).toEqual([
      'cloudtrail:sign-in-call',
      'cognito-trigger:challenge-failed',
      'cognito-trigger:challenge-issued',
    ]);
    expect(records.find((r) => r.metadata.log_name === 'sign-in-call')).toMatchObject({
      src_endpoint: { ip: '81.2.69.143', location: { country: 'GB' } },
      unmapped: { outcome: 'challenge', challengeName: 'CUSTOM_CHALLENGE' },
    });
    const failures = records.filter(
      (r) => r.class_uid === 3002 && r.activity_id === 1 && r.status_id === 2,
    );
    expect(failures.map((r) => r.metadata.log_name)).toEqual(['challenge-failed']);
  });

  it('counts a successful sign-in once, its IP on the CloudTrail call; a refresh is no attempt', async () => {
    // Prepare
    const client = clientFrom('193.51.224.2');

    // Act
    const signedIn = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: stack.outputs.passwordClientId,
        AuthParameters: { USERNAME: DEMO_USER.email, PASSWORD: DEMO_USER.password },
      }),
    );
    const signIn = await newRecords();
    await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: stack.outputs.passwordClientId,
        AuthParameters: { REFRESH_TOKEN: signedIn.AuthenticationResult?.RefreshToken ?? '' },
      }),
    );
    const refresh = await newRecords();

    // Assess: one logon (the trigger's), the IP and country on the call that issued tokens.
    expect(kinds(signIn)).toEqual([
      'cloudtrail:sign-in-call',
      'cognito-trigger:logon-succeeded',
      'cognito-trigger:sign-in-attempt',
      'cognito-trigger:tokens-issued',
    ]);
    const logons = signIn.filter((r) => r.class_uid === 3002 && r.activity_id === 1);
    expect(logons).toHaveLength(1);
    expect(signIn.find((r) => r.metadata.log_name === 'sign-in-call')).toMatchObject({
      user: { uid: demoSub },
      src_endpoint: { ip: '193.51.224.2', location: { country: 'FR' } },
      unmapped: { outcome: 'tokens' },
    });
    // The pre authentication trigger does not run on a refresh.
    expect(kinds(refresh)).toEqual(['cloudtrail:sign-in-call', 'cognito-trigger:tokens-issued']);
    expect(refresh.find((r) => r.metadata.log_name === 'sign-in-call')?.unmapped.outcome).toBe(
      'refresh',
    );
  });

  it('refuses a locked user before the password check, recording the refusal and its IP', async () => {
    // Prepare: the lock a detection's response would set, 10 minutes ahead.
    const until = Math.floor(Date.now() / 1000) + 600;
    await admin.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: stack.outputs.userPoolId,
        Username: DEMO_USER.email,
        UserAttributes: [{ Name: 'custom:authwatch_lock_until', Value: String(until) }],
      }),
    );
    await newRecords();

    // Act: the right password.
    const failure = await clientFrom('1.1.1.1')
      .send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: stack.outputs.passwordClientId,
          AuthParameters: { USERNAME: DEMO_USER.email, PASSWORD: DEMO_USER.password },
        }),
      )
      .catch((error: Error) => error);

    // Assess
    expect(failure).toMatchObject({
      name: 'UserLambdaValidationException',
      message:
        'PreAuthentication failed with error sign-in is not possible right now, please try again later.',
    });
    const records = await newRecords();
    expect(kinds(records)).toEqual([
      'cloudtrail:sign-in-failed',
      'cognito-trigger:sign-in-refused',
    ]);
    expect(records.find((r) => r.metadata.log_name === 'sign-in-refused')).toMatchObject({
      activity_id: 6,
      status_id: 2,
      status_detail: `locked until ${new Date(until * 1000).toISOString()}`,
    });
    expect(records.find((r) => r.metadata.log_name === 'sign-in-failed')).toMatchObject({
      status_detail: 'refused by the PreAuthentication trigger',
      src_endpoint: { ip: '1.1.1.1', location: { country: 'AU' } },
    });
  });

  it('counts the failed sign-ins per IP and the sign-ins per country once each, through the events view', async () => {
    // Prepare: the named queries' own predicates, over the view every query reads (DuckDB).
    await stack.settle();
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      await connection.run(await localEventsViewSql(stack.outputs.auditDir));

      // Act
      const failures = (
        await connection.runAndReadAll(
          `SELECT src_endpoint.ip AS ip, count(*) AS n FROM authwatch_events WHERE ${FAILED_SIGN_IN} GROUP BY src_endpoint.ip ORDER BY ip`,
        )
      ).getRowObjectsJS();
      const countries = (
        await connection.runAndReadAll(
          `SELECT src_endpoint.location.country AS country, count(*) AS n FROM authwatch_events WHERE ${SIGN_IN_CALL} GROUP BY 1 ORDER BY 1`,
        )
      ).getRowObjectsJS();

      // Assess: one failure per wrong password, unknown user and refusal, with its IP; the
      // wrong OTP once, from the verify trigger (no IP); one sign-in, from France.
      expect(failures).toEqual([
        { ip: '1.1.1.1', n: 1n },
        { ip: '193.51.224.1', n: 1n },
        { ip: '8.8.8.8', n: 1n },
        { ip: '81.2.69.142', n: 1n },
        { ip: null, n: 1n },
      ]);
      expect(countries).toEqual([{ country: 'FR', n: 1n }]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('wrote no password, code or token to any audit record or handler log', async () => {
    const written = await everythingWritten(stack);
    for (const secret of ['Wrong-Passw0rd!', 'Any-Passw0rd!', DEMO_USER.password]) {
      expect(written).not.toContain(secret);
    }
  });
});
