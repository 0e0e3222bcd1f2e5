/**
 * Detections in the local stack: a burst of wrong sign-in codes for the demo user, then
 * the detect handler's run (the same handler file the CDK app deploys, on DuckDB over
 * `.local/audit`): the finding in the audit objects and on the live feed's
 * `/auth/detections` channel, and one alert mail in the local mailbox for the
 * configured address, delivered through the stack's SNS Publish and the local SES.
 */
import {
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveView, subscribeLiveView, type ViewedEvent } from '../../src/live-view.js';
import { readMailbox } from '../../src/ses.js';
import { DEMO_USER } from '../../src/stack.js';
import { auditRecords, cognitoClient, respond, startTestStack } from './helpers.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
let client: CognitoIdentityProviderClient;
let view: LiveView;
const seenOnFeed: ViewedEvent[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  client = cognitoClient(stack);
  view = await subscribeLiveView({
    liveFeedUrl: stack.outputs.liveFeedHttpUrl,
    channel: '/auth/detections',
    onEvent: (event) => seenOnFeed.push(event),
  });
});

afterAll(async () => {
  await view?.close();
  client?.destroy();
  await stack?.cleanup();
});

/** One sign-in session answered with wrong codes until Cognito ends it. */
async function wrongCodes(attempts: number): Promise<void> {
  const started = await client.send(
    new InitiateAuthCommand({
      AuthFlow: 'CUSTOM_AUTH',
      ClientId: stack.outputs.userPoolClientId,
      AuthParameters: { USERNAME: DEMO_USER.email },
    }),
  );
  let session = started.Session;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const answer = await respond(client, stack, DEMO_USER.email, session, '000000').catch(
      () => undefined,
    );
    if (!answer?.Session) return;
    session = answer.Session;
  }
}

describe('detections in the local stack', () => {
  it('finds a burst of wrong codes, records it, shows it on the live feed and mails one alert', async () => {
    // Act: two sessions of wrong codes (each session ends after its own attempts)
    await wrongCodes(3);
    await wrongCodes(3);
    // (the stack's own 3-second timer may have found it already: either run records it)
    await stack.detections.runNow();

    // Assess
    const findings = (await auditRecords(stack)).filter((record) => record.class_uid === 2004);
    expect(findings).toContainEqual(
      expect.objectContaining({
        finding_info: expect.objectContaining({
          analytic: expect.objectContaining({ uid: 'otp-brute-force-user' }),
        }),
        user: { uid: expect.any(String) },
      }),
    );
    const until = Date.now() + 5_000;
    while (seenOnFeed.length === 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seenOnFeed.map((event) => (event as { class_uid?: number }).class_uid)).toContain(2004);
    const alerts = (await readMailbox(stack.outputs.sesEndpoint)).filter((mail) =>
      mail.destination.to.includes('security@example.com'),
    );
    expect(alerts.map((mail) => mail.subject)).toContain(
      '[Authwatch HIGH] NEW: OTP brute force on one user',
    );
    const alert = alerts.find((mail) => mail.subject.includes('OTP brute force'));
    expect(alert?.body.text ?? '').not.toContain(DEMO_USER.email);

    // Act again: the same data, another run
    await stack.detections.runNow();
    const after = (await readMailbox(stack.outputs.sesEndpoint)).filter((mail) =>
      mail.destination.to.includes('security@example.com'),
    );
    expect(after).toHaveLength(alerts.length);
  });
});
