/**
 * `pnpm demo`: a guided tour of Authwatch on the local stack, with the real AWS SDK:
 * a sign-up the policy allows and one it refuses, a passwordless sign-in with the code
 * read from the local mailbox, the customised token claims, the protected API, a wrong
 * password and where its CloudTrail record landed, and where the audit records landed. Uses a running stack (`.local/outputs.json`) or
 * starts one for the tour.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OCSF_SOURCES } from '@authwatch/audit';
import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SECURITY_USER } from './dashboard.js';
import { detectionsStep } from './demo-detections.js';
import { listDeliveredObjects } from './firehose/index.js';
import { type LocalOutputs, readOutputs } from './outputs.js';
import { DEFAULT_STATE_DIR, REPO_ROOT } from './paths.js';
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
  time?: number;
  metadata?: { event_code?: string; log_name?: string; log_provider?: string };
  user?: { uid?: string };
  status_detail?: string;
  src_endpoint?: { ip?: string; location?: { country?: string } };
}

/**
 * The audit records under `dir` from `since` (epoch ms) on, with the objects holding
 * them, read again every 50 ms until one matches `until` (the Firehose fake writes its
 * buffer a moment after acknowledging) or `timeoutMs` passes. Records of earlier runs
 * (a running stack keeps them) are not counted.
 */
async function auditRecordsUntil(
  dir: string,
  since: number,
  until: (record: AuditLine) => boolean,
  timeoutMs = 5_000,
): Promise<{ files: string[]; records: AuditLine[]; complete: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files: string[] = [];
    const records: AuditLine[] = [];
    for (const file of await listDeliveredObjects(dir)) {
      let mine = false;
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        if (line.trim() === '') continue;
        const record = JSON.parse(line) as AuditLine;
        // CloudTrail's eventTime has whole seconds: a record of this tour's first second
        // may carry a time just before `since`.
        if (typeof record.time !== 'number' || record.time < Math.floor(since / 1000) * 1000)
          continue;
        records.push(record);
        mine = true;
      }
      if (mine) files.push(file);
    }
    const complete = records.some(until);
    if (complete || Date.now() > deadline) return { files, records, complete };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A body on one line, whole: JSON re-serialised compactly, other text with its spaces folded. */
function oneLine(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body));
  } catch {
    return body.replace(/\s+/g, ' ').trim();
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
  // Audit records are counted from here on: a running stack keeps earlier runs' records.
  const startedAt = Date.now();
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
      print(`   ${method} ${path} (${why}) → ${response.status} ${oneLine(await response.text())}`);
    }
    const anonymous = await fetch(`${o.apiUrl}/me`);
    print(`   GET /me without a token → ${anonymous.status} ${await anonymous.text()}`);

    await step(6, 'A wrong password, as an attacker would try one (from 81.2.69.142)');
    // Cognito calls no trigger for a wrong password: its CloudTrail record tells.
    const attacker = new CognitoIdentityProviderClient({
      endpoint: o.endpoint,
      region: o.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    attacker.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-forwarded-for'] =
          '81.2.69.142';
        return next(args);
      },
      { step: 'build', name: 'demoForwardedFor' },
    );
    await attacker
      .send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          // The local-only password client: the web client, as deployed, has no such flow.
          ClientId: o.passwordClientId,
          AuthParameters: { USERNAME: email, PASSWORD: 'Guess-Passw0rd-1' },
        }),
      )
      .then(
        () => print('   unexpectedly accepted'),
        (error: Error) => print(`   refused: ${error.name}: ${error.message}`),
      )
      .finally(() => attacker.destroy());
    const failed = await auditRecordsUntil(
      o.auditDir,
      startedAt,
      (record: AuditLine) =>
        record.metadata?.log_name === 'sign-in-failed' && record.user?.uid === signedUp.UserSub,
      // CloudTrail's record goes through the SQS-like batch (retried with a back-off when
      // the handler fails), the handler and Firehose's buffer: a busy machine takes seconds.
      15_000,
    );
    const record = failed.records.findLast(
      (line: AuditLine) =>
        line.metadata?.log_name === 'sign-in-failed' && line.user?.uid === signedUp.UserSub,
    );
    print(
      record
        ? `   recorded from ${record.metadata?.log_provider}: ${record.status_detail}, ip ${record.src_endpoint?.ip} (${record.src_endpoint?.location?.country ?? '?'}), under ${shown(join(o.auditDir, 'ext', OCSF_SOURCES[3002].name))}/`
        : '   (the failed sign-in was not written yet: the stack may be busy)',
    );

    await step(7, 'Where the audit records landed (Firehose → the S3 layout, NDJSON locally)');
    // Firehose buffers records and writes them a moment later, like the real stream: wait
    // for the last record of the sign-in (pre token generation's) before reading.
    const { files, records, complete } = await auditRecordsUntil(
      o.auditDir,
      startedAt,
      (record) =>
        record.metadata?.event_code === 'TokenGeneration_Authentication' &&
        record.user?.uid === signedUp.UserSub,
    );
    const counts = new Map<string, number>();
    for (const record of records) {
      const kind = record.metadata?.event_code ?? '?';
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    print(
      `   ${records.length} records of this tour in ${files.length} objects under ${shown(o.auditDir)}`,
    );
    if (!complete) print("   (the sign-in's records were not written yet: the stack may be busy)");
    // One Security Lake source per OCSF class: ext/<source>/…/eventDay=<the record's day>/.
    const perSource = new Map<string, number>();
    for (const file of files) {
      const source = relative(o.auditDir, file).split(sep)[1] ?? '?';
      perSource.set(source, (perSource.get(source) ?? 0) + 1);
    }
    for (const [source, count] of [...perSource].sort())
      print(`     ext/${source}/  ${count} object${count === 1 ? '' : 's'}`);
    for (const file of files.slice(-3)) print(`     ${shown(file)}`);
    for (const [kind, count] of [...counts].sort())
      print(`     ${String(count).padStart(4)}  ${kind}`);
    await step(8, 'A burst of wrong codes: the detection, the alert mail, the response');
    await detectionsStep({ client, outputs: o, email, print });
    print(
      '\nTry it yourself (the local stack checks no credentials, but the CLI wants some):\n' +
        '  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws cognito-idp ' +
        `--region ${o.region} --endpoint-url ${o.endpoint} describe-user-pool --user-pool-id ${o.userPoolId}`,
    );
    if (o.dashboardUrl) {
      print(
        `\nWatch it on the security page: ${o.dashboardUrl} (sign in as ${SECURITY_USER.email} / ${SECURITY_USER.password})`,
      );
    }
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

/**
 * The state folder of the tour's own stack, when no stack is running: its own, apart
 * from `.local/` and its `outputs.json`, so the tools that read those never find the
 * tour's stack (gone once the tour ends). Wiped at each tour's start.
 */
export const DEMO_STATE_DIR = join(DEFAULT_STATE_DIR, 'demo');

/** `pnpm demo`: the tour against the running stack, or against one of its own. */
export async function demoMain(
  options: { outputsFile?: string; stateDir?: string; print?: (line: string) => void } = {},
): Promise<void> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const existing = await readOutputs(options.outputsFile);
  let stack: LocalStack | undefined;
  let outputs: LocalOutputs;
  if (existing && (await isRunning(existing))) {
    print(`Using the local stack running at ${existing.endpoint}`);
    outputs = existing;
  } else {
    const stateDir = options.stateDir ?? DEMO_STATE_DIR;
    print(
      `No local stack running: starting one for the tour in ${shown(stateDir)} (audit events show as they happen)...`,
    );
    stack = await startLocalStack({ port: 0, stateDir, reset: true, print });
    outputs = stack.outputs;
  }
  try {
    await runDemo({ outputs, print, ...(stack ? { settle: () => stack.settle() } : {}) });
  } finally {
    await stack?.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  demoMain().catch((error: Error) => {
    const verbose = process.argv.includes('--verbose');
    process.stderr.write(
      `demo failed: ${verbose ? (error.stack ?? error.message) : `${error.message}\n(run again with --verbose for the stack trace)`}\n`,
    );
    process.exit(1);
  });
}
