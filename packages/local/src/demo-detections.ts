/**
 * The demo's detections step: a burst of wrong sign-in codes for the tour's user, the
 * finding the stack's detect run makes of it (in the audit objects), the alert mail in
 * the local mailbox, and the response: the account locked (`custom:authwatch_lock_until`)
 * and, where the pre authentication trigger enforces it, the next sign-in refused.
 */
import { readFile } from 'node:fs/promises';
import {
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { listDeliveredObjects } from './firehose/index.js';
import type { LocalOutputs } from './outputs.js';
import { readMailbox } from './ses.js';

/** Where the stack's detect run mails its alerts (the dev config's `detections.alertEmails`). */
const ALERT_TO = 'security@example.com';
const LOCK_ATTRIBUTE = 'custom:authwatch_lock_until';

interface FindingLine {
  class_uid?: number;
  severity?: string;
  message?: string;
  user?: { name?: string; uid?: string };
  metadata?: { log_name?: string };
  status?: string;
  status_detail?: string;
  finding_info?: { uid?: string; title?: string; analytic?: { uid?: string } };
}

async function records(dir: string): Promise<FindingLine[]> {
  const lines: FindingLine[] = [];
  for (const file of await listDeliveredObjects(dir)) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (line.trim() !== '') lines.push(JSON.parse(line) as FindingLine);
    }
  }
  return lines;
}

async function wrongCodes(client: CognitoIdentityProviderClient, o: LocalOutputs, email: string) {
  const started = await client.send(
    new InitiateAuthCommand({
      AuthFlow: 'CUSTOM_AUTH',
      ClientId: o.userPoolClientId,
      AuthParameters: { USERNAME: email },
    }),
  );
  let session = started.Session;
  for (let attempt = 0; attempt < 3 && session; attempt += 1) {
    const answer = await client
      .send(
        new RespondToAuthChallengeCommand({
          ClientId: o.userPoolClientId,
          ChallengeName: 'CUSTOM_CHALLENGE',
          Session: session,
          ChallengeResponses: { USERNAME: email, ANSWER: '000000' },
        }),
      )
      .catch(() => undefined);
    session = answer?.Session;
  }
}

export async function detectionsStep(options: {
  client: CognitoIdentityProviderClient;
  outputs: LocalOutputs;
  email: string;
  print: (line: string) => void;
}): Promise<void> {
  const { client, outputs: o, email, print } = options;
  const user = await client.send(
    new AdminGetUserCommand({ UserPoolId: o.userPoolId, Username: email }),
  );
  // Findings name users by their sub (CloudTrail keeps it where it hides the user name).
  const sub =
    user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ??
    user.Username ??
    email;
  const mailsBefore = new Set((await readMailbox(o.sesEndpoint)).map((mail) => mail.messageId));
  await wrongCodes(client, o, email);
  await wrongCodes(client, o, email);
  const attackEnded = Date.now();
  print('   6 wrong codes in two sign-in sessions (each session ends after 3)');

  let finding: FindingLine | undefined;
  const until = Date.now() + 30_000;
  while (!finding && Date.now() < until) {
    finding = (await records(o.auditDir)).find(
      (line) =>
        line.class_uid === 2004 &&
        line.finding_info?.analytic?.uid === 'otp-brute-force-user' &&
        line.user?.uid === sub,
    );
    if (!finding) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (!finding) {
    print(
      '   no finding within 30 s (is the stack running its detections? see .local/logs/detect.log)',
    );
    return;
  }
  print(
    `   finding after ${((Date.now() - attackEnded) / 1000).toFixed(1)} s: ${finding.severity?.toUpperCase()} ${finding.finding_info?.title} (Detection Finding ${finding.finding_info?.uid})`,
  );
  const alert = (await readMailbox(o.sesEndpoint)).find(
    (mail) =>
      !mailsBefore.has(mail.messageId) &&
      mail.destination.to.includes(ALERT_TO) &&
      mail.subject.includes('OTP brute force'),
  );
  if (alert) {
    print(`   alert mail to ${ALERT_TO}: "${alert.subject}"`);
    for (const line of (alert.body.text ?? '').split('\n').slice(1, 5)) print(`     ${line}`);
  }
  const lock = (await records(o.auditDir)).find(
    (line) => line.metadata?.log_name === 'response-lock' && line.user?.name === sub,
  );
  if (lock)
    print(`   response: ${lock.status === 'Success' ? '' : 'FAILED '}${lock.status_detail}`);
  const locked = (
    await client.send(new AdminGetUserCommand({ UserPoolId: o.userPoolId, Username: email }))
  ).UserAttributes?.find((attribute) => attribute.Name === LOCK_ATTRIBUTE)?.Value;
  if (locked) {
    const refused = await client
      .send(
        new InitiateAuthCommand({
          AuthFlow: 'CUSTOM_AUTH',
          ClientId: o.userPoolClientId,
          AuthParameters: { USERNAME: email },
        }),
      )
      .then(
        () => undefined,
        (error: Error) => `${error.name}: ${error.message}`,
      );
    print(
      refused
        ? `   the next sign-in is refused: ${refused}`
        : `   ${LOCK_ATTRIBUTE}=${locked}; the pre authentication trigger is what refuses a locked user`,
    );
  }
}
