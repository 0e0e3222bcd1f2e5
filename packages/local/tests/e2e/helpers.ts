/** Shared helpers of the end-to-end tests: real SDK clients pointed at a local stack. */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { listDeliveredObjects } from '../../src/firehose/index.js';
import { codeInMail, readMailbox, type StoredMail } from '../../src/ses.js';
import {
  DEMO_USER,
  type LocalStack,
  type LocalStackOptions,
  startLocalStack,
} from '../../src/stack.js';

/** Starts a stack on free ports in a fresh state folder. */
export async function startTestStack(
  options: LocalStackOptions = {},
): Promise<LocalStack & { cleanup(): Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'authwatch-e2e-'));
  const stack = await startLocalStack({ port: 0, stateDir, quiet: true, ...options });
  return Object.assign(stack, {
    async cleanup() {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  });
}

/** The real SDK client with only the endpoint and dummy credentials set. */
export function cognitoClient(stack: LocalStack): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint: stack.outputs.endpoint,
    region: stack.outputs.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

let counter = 0;
/** A fresh address on an allowed domain. */
export function newEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

/** Decodes a JWT's payload (no verification: for reading claims in assertions). */
export function claimsOf(token: string | undefined): Record<string, unknown> {
  const part = token?.split('.')[1];
  if (!part) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Newest mail to `email` not among `seen` message ids, and its code. */
export async function nextCode(
  stack: LocalStack,
  email: string,
  seen: Set<string>,
  timeoutMs = 5_000,
): Promise<{ code: string; mail: StoredMail }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const mails = (await readMailbox(stack.outputs.sesEndpoint)).filter(
      (mail) =>
        !seen.has(mail.messageId) &&
        mail.destination.to.some((to) => to.toLowerCase().includes(email.toLowerCase())),
    );
    const mail = mails.at(-1);
    const code = mail ? codeInMail(mail) : undefined;
    if (mail && code) {
      seen.add(mail.messageId);
      return { code, mail };
    }
    if (Date.now() > until) throw new Error(`no code mailed to ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Starts a CUSTOM_AUTH sign-in and answers each challenge with the mailed code. */
export async function passwordlessSignIn(
  stack: LocalStack,
  client: CognitoIdentityProviderClient,
  email: string,
  seen: Set<string>,
): Promise<{
  tokens: NonNullable<Awaited<ReturnType<typeof respond>>['AuthenticationResult']>;
  code: string;
}> {
  const started = await client.send(
    new InitiateAuthCommand({
      AuthFlow: 'CUSTOM_AUTH',
      ClientId: stack.outputs.userPoolClientId,
      AuthParameters: { USERNAME: email },
    }),
  );
  const { code } = await nextCode(stack, email, seen);
  const answered = await respond(client, stack, email, started.Session, code);
  if (!answered.AuthenticationResult) throw new Error('no tokens after the right code');
  return { tokens: answered.AuthenticationResult, code };
}

export function respond(
  client: CognitoIdentityProviderClient,
  stack: LocalStack,
  email: string,
  session: string | undefined,
  answer: string,
) {
  return client.send(
    new RespondToAuthChallengeCommand({
      ClientId: stack.outputs.userPoolClientId,
      ChallengeName: 'CUSTOM_CHALLENGE',
      Session: session,
      ChallengeResponses: { USERNAME: email, ANSWER: answer },
    }),
  );
}

/** Every audit record delivered so far (the Firehose fake writes its buffer first). */
export async function auditRecords(stack: LocalStack): Promise<Record<string, unknown>[]> {
  await stack.firehose.flush();
  const records: Record<string, unknown>[] = [];
  for (const file of await listDeliveredObjects(stack.outputs.auditDir)) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (line.trim() !== '') records.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  return records;
}

/** The text of every audit object and handler log file of the stack. */
export async function everythingWritten(stack: LocalStack): Promise<string> {
  await stack.firehose.flush();
  const files = [
    ...(await listDeliveredObjects(stack.outputs.auditDir)),
    ...(await listDeliveredObjects(join(stack.stateDir, 'logs'))),
  ];
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
  return texts.join('\n');
}

/** Audit records whose trigger source / message match. */
export function recordsFor(
  records: Record<string, unknown>[],
  predicate: (record: {
    message?: string;
    status?: string;
    user?: { name?: string };
    unmapped?: Record<string, unknown>;
    metadata?: { event_code?: string };
  }) => boolean,
) {
  return records.filter((record) => predicate(record as never));
}

/**
 * An admin's session on a stack: a Cognito client signing with `accessKeyId` (the access
 * key the emulator's CloudTrail records name), the pool, the demo user's sub, and the
 * audit records that arrived since the last call (the first call takes what is there).
 */
export async function adminSession<T = Record<string, unknown>>(
  stack: LocalStack,
  accessKeyId: string,
): Promise<{
  admin: CognitoIdentityProviderClient;
  poolId: string;
  demoSub: string;
  newRecords: () => Promise<T[]>;
}> {
  const poolId = stack.outputs.userPoolId;
  const admin = new CognitoIdentityProviderClient({
    endpoint: stack.outputs.endpoint,
    region: stack.outputs.region,
    credentials: { accessKeyId, secretAccessKey: 'local-secret' },
  });
  const user = await admin.send(
    new AdminGetUserCommand({ UserPoolId: poolId, Username: DEMO_USER.email }),
  );
  const demoSub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
  const seen = new Set<string>();
  const newRecords = async (): Promise<T[]> => {
    await stack.settle();
    const fresh = (await auditRecords(stack)).filter((record) => {
      const uid = (record.metadata as { uid?: string } | undefined)?.uid ?? '';
      if (seen.has(uid)) return false;
      seen.add(uid);
      return true;
    });
    return fresh as T[];
  };
  return { admin, poolId, demoSub, newRecords };
}
