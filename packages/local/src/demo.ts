/**
 * `pnpm demo`: a guided tour of Authwatch on the local stack, with the real AWS SDK:
 * a sign-up the policy allows and one it refuses, a passwordless sign-in with the code
 * read from the local mailbox, the customised token claims, the protected API, and
 * where the audit records landed. Uses a running stack (`.local/outputs.json`) or
 * starts one for the tour.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { detectionsStep } from './demo-detections.js';
import { listDeliveredObjects } from './firehose/index.js';
import { type LocalOutputs, readOutputs } from './outputs.js';
import { REPO_ROOT } from './paths.js';
import { codeInMail, readMailbox } from './ses.js';
import { DEMO_USER, type LocalStack, startLocalStack } from './stack.js';

export interface DemoOptions {
  outputs: LocalOutputs;
  print?: (line: string) => void;
  /**
   * Awaited before each step's heading: with the tour's own stack, its live view shows a
   * step's audit events under that step (they are sent in batches a moment later).
   */
  settle?: () => Promise<void>;
}

const DEMO_PASSWORD = 'Demo-Tour-Passw0rd!';

function claimsOf(token: string | undefined): Record<string, unknown> {
  const part = token?.split('.')[1];
  return part
    ? (JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>)
    : {};
}

/** A path relative to the repository when it is inside it, else as is. */
function shown(path: string): string {
  const inside = relative(REPO_ROOT, path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

/** Shows a code without handing it out in full (terminal scrollback is shared too). */
const maskCode = (code: string) => `${code.slice(0, 2)}${'•'.repeat(Math.max(0, code.length - 2))}`;

async function mailedCode(sesUrl: string, to: string, after: Set<string>): Promise<string> {
  const until = Date.now() + 5_000;
  for (;;) {
    const mail = (await readMailbox(sesUrl))
      .filter((item) => !after.has(item.messageId))
      .filter((item) => item.destination.to.some((address) => address.includes(to)))
      .at(-1);
    const code = mail ? codeInMail(mail) : undefined;
    if (mail && code) {
      after.add(mail.messageId);
      return code;
    }
    if (Date.now() > until) throw new Error(`no mail to ${to} in the local mailbox`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface AuditLine {
  metadata?: { event_code?: string };
  user?: { uid?: string };
}

/**
 * Every audit record under `dir`, read again every 50 ms until one matches `until` (the
 * Firehose fake writes its buffer a moment after acknowledging) or `timeoutMs` passes.
 */
async function auditRecordsUntil(
  dir: string,
  until: (record: AuditLine) => boolean,
  timeoutMs = 5_000,
): Promise<{ files: string[]; records: AuditLine[]; complete: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = await listDeliveredObjects(dir);
    const records: AuditLine[] = [];
    for (const file of files) {
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        if (line.trim() !== '') records.push(JSON.parse(line) as AuditLine);
      }
    }
    const complete = records.some(until);
    if (complete || Date.now() > deadline) return { files, records, complete };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function pick(claims: Record<string, unknown>, names: string[]): string {
  return names
    .filter((name) => claims[name] !== undefined)
    .map((name) => `      ${name}: ${JSON.stringify(claims[name])}`)
    .join('\n');
}

/** Runs the tour against a running stack. */
export async function runDemo(options: DemoOptions): Promise<void> {
  const o = options.outputs;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const step = async (n: number, title: string) => {
    await options.settle?.();
    print(`\n── ${n}. ${title}`);
  };
  const client = new CognitoIdentityProviderClient({
    endpoint: o.endpoint,
    region: o.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const seen = new Set((await readMailbox(o.sesEndpoint)).map((mail) => mail.messageId));
  const email = `newcomer-${Date.now().toString(36)}@example.com`;
  try {
    await step(1, `Sign up ${email} (the pre sign-up policy allows example.com)`);
    const signedUp = await client.send(
      new SignUpCommand({
        ClientId: o.userPoolClientId,
        Username: email,
        Password: DEMO_PASSWORD,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'custom:tenant_id', Value: DEMO_USER.tenant },
        ],
      }),
    );
    print(`   accepted: sub ${signedUp.UserSub}, confirmed: ${signedUp.UserConfirmed}`);
    const confirmation = await mailedCode(o.sesEndpoint, email, seen);
    await client.send(
      new ConfirmSignUpCommand({
        ClientId: o.userPoolClientId,
        Username: email,
        ConfirmationCode: confirmation,
      }),
    );
    print(
      `   confirmed with the code ${maskCode(confirmation)} read from the local mailbox (GET ${o.sesEndpoint}/store)`,
    );
    // An admin puts the newcomer in a group: the claims rules give `users` the api/read scope.
    await client.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: o.userPoolId,
        Username: email,
        GroupName: 'users',
      }),
    );
    print('   an admin added them to the group "users"');

    await step(2, 'Sign up someone@mailinator.com (a disposable-mail domain)');
    await client
      .send(
        new SignUpCommand({
          ClientId: o.userPoolClientId,
          Username: 'someone@mailinator.com',
          Password: DEMO_PASSWORD,
          UserAttributes: [{ Name: 'email', Value: 'someone@mailinator.com' }],
        }),
      )
      .then(
        () => print('   unexpectedly accepted'),
        (error: Error) => print(`   refused: ${error.name}: ${error.message}`),
      );

    await step(3, 'Passwordless sign-in (CUSTOM_AUTH): a one-time code by mail');
    const started = await client.send(
      new InitiateAuthCommand({
        AuthFlow: 'CUSTOM_AUTH',
        ClientId: o.userPoolClientId,
        AuthParameters: { USERNAME: email },
      }),
    );
    print(`   challenge: ${started.ChallengeName}, the create trigger mailed a code`);
    const code = await mailedCode(o.sesEndpoint, email, seen);
    print(`   code ${maskCode(code)} read from the local mailbox`);
    const answered = await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: o.userPoolClientId,
        ChallengeName: 'CUSTOM_CHALLENGE',
        Session: started.Session,
        ChallengeResponses: { USERNAME: email, ANSWER: code },
      }),
    );
    const tokens = answered.AuthenticationResult;
    if (!tokens?.AccessToken) throw new Error('no tokens after the right code');
    print('   signed in: ID, access and refresh tokens issued');

    await step(
      4,
      'The tokens, customised by the pre token generation rules (packages/pre-token-generation/rules/default.yaml)',
    );
    print('   ID token:');
    print(
      pick(claimsOf(tokens.IdToken), [
        'sub',
        'email',
        'cognito:groups',
        'cognito:preferred_role',
        'tenant',
        'custom:tenant_id',
        'iss',
      ]),
    );
    print('   access token:');
    print(
      pick(claimsOf(tokens.AccessToken), ['client_id', 'scope', 'groups', 'tenant', 'token_use']),
    );

    await step(5, 'Call the protected API with the access token');
    for (const [method, path, why] of [
      ['GET', '/me', 'any valid token'],
      ['GET', '/reports', 'needs api/read'],
      ['POST', '/admin/users', 'needs api/admin'],
    ] as const) {
      const response = await fetch(`${o.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens.AccessToken}` },
      });
      const body = (await response.text()).replace(/\s+/g, ' ').slice(0, 240);
      print(`   ${method} ${path} (${why}) → ${response.status} ${body}`);
    }
    const anonymous = await fetch(`${o.apiUrl}/me`);
    print(`   GET /me without a token → ${anonymous.status} ${await anonymous.text()}`);

    await step(6, 'Where the audit records landed (Firehose → the S3 layout, NDJSON locally)');
    // Firehose buffers records and writes them a moment later, like the real stream: wait
    // for the last record of the sign-in (pre token generation's) before reading.
    const { files, records, complete } = await auditRecordsUntil(
      o.auditDir,
      (record) =>
        record.metadata?.event_code === 'TokenGeneration_Authentication' &&
        record.user?.uid === signedUp.UserSub,
    );
    const counts = new Map<string, number>();
    for (const record of records) {
      const kind = record.metadata?.event_code ?? '?';
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    print(`   ${records.length} records in ${files.length} objects under ${shown(o.auditDir)}`);
    if (!complete) print("   (the sign-in's records were not written yet: the stack may be busy)");
    for (const file of files.slice(-3)) print(`     ${shown(file)}`);
    for (const [kind, count] of [...counts].sort())
      print(`     ${String(count).padStart(4)}  ${kind}`);
    await step(7, 'A burst of wrong codes: the detection, the alert mail, the response');
    await detectionsStep({ client, outputs: o, email, print });
    print(
      '\nTry it yourself: aws cognito-idp --endpoint-url ' +
        `${o.endpoint} describe-user-pool --user-pool-id ${o.userPoolId}`,
    );
  } finally {
    client.destroy();
  }
}

/** Whether the stack of `outputs` answers. */
async function isRunning(outputs: LocalOutputs): Promise<boolean> {
  const client = new CognitoIdentityProviderClient({
    endpoint: outputs.endpoint,
    region: outputs.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    await client.send(new DescribeUserPoolCommand({ UserPoolId: outputs.userPoolId }), {
      abortSignal: AbortSignal.timeout(1_000),
    });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

async function main(): Promise<void> {
  const existing = await readOutputs();
  let stack: LocalStack | undefined;
  let outputs: LocalOutputs;
  if (existing && (await isRunning(existing))) {
    process.stdout.write(`Using the local stack running at ${existing.endpoint}\n`);
    outputs = existing;
  } else {
    process.stdout.write(
      'No local stack running: starting one for the tour (audit events show as they happen)...\n',
    );
    stack = await startLocalStack({ port: 0 });
    outputs = stack.outputs;
  }
  try {
    await runDemo({ outputs, ...(stack ? { settle: () => stack.settle() } : {}) });
  } finally {
    await stack?.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: Error) => {
    process.stderr.write(`demo failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  });
}
