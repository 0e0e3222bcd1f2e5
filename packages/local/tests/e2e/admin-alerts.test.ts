/**
 * The two admin changes the 10-second target is about, end to end on the local stack:
 * a user added to `admins` and an Authwatch trigger detached by UpdateUserPool each
 * become a finding (in `.local/audit` and on the live feed's `/auth/detections`
 * channel) and one alert mail to the configured address, through the real cloudtrail
 * and detect handlers. How fast is measured by `bench/detections-latency.ts`, not here.
 */
import {
  AdminAddUserToGroupCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveView, subscribeLiveView } from '../../src/live-view.js';
import { readMailbox, type StoredMail } from '../../src/ses.js';
import { DEMO_USER } from '../../src/stack.js';
import { auditRecords, startTestStack } from './helpers.js';

const ACCESS_KEY = 'AKIAADMINEXAMPLE0003';

type Finding = {
  class_uid: number;
  finding_info?: { analytic?: { uid?: string } };
  user?: { uid?: string };
  severity_id?: number;
};

let stack: Awaited<ReturnType<typeof startTestStack>>;
let admin: CognitoIdentityProviderClient;
let view: LiveView;
const onFeed: Finding[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  admin = new CognitoIdentityProviderClient({
    endpoint: stack.outputs.endpoint,
    region: stack.outputs.region,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'local-secret' },
  });
  view = await subscribeLiveView({
    liveFeedUrl: stack.outputs.liveFeedHttpUrl,
    channel: '/auth/detections',
    onEvent: (event) => onFeed.push(event as Finding),
  });
}, 120_000);

afterAll(async () => {
  await view?.close();
  admin?.destroy();
  await stack?.cleanup();
});

/** Waits (up to `ms`) until `check` holds, then returns its last value. */
async function eventually<T>(
  read: () => Promise<T> | T,
  check: (value: T) => boolean,
  ms = 15_000,
) {
  const until = Date.now() + ms;
  let value = await read();
  while (!check(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

const alertsTo = async (address: string): Promise<StoredMail[]> =>
  (await readMailbox(stack.outputs.sesEndpoint)).filter((mail) =>
    mail.destination.to.includes(address),
  );

describe('admin changes become findings and alert mails', () => {
  it('finds a grant of admins and a detached trigger, shows both on the live feed and mails one alert each', async () => {
    const poolId = stack.outputs.userPoolId;
    const demo = await admin.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: DEMO_USER.email }),
    );
    const demoSub = demo.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
    const pool = (await admin.send(new DescribeUserPoolCommand({ UserPoolId: poolId })))
      .UserPool as UserPoolType;
    const { PreAuthentication, ...rest } = pool.LambdaConfig ?? {};

    await admin.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: poolId,
        Username: DEMO_USER.email,
        GroupName: 'admins',
      }),
    );
    await admin.send(
      new UpdateUserPoolCommand({
        UserPoolId: poolId,
        LambdaConfig: rest,
        Policies: pool.Policies,
        AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
      }),
    );
    await stack.settle();
    // (the stack's own 3-second timer may find them first: either run records them)
    await stack.detections.runNow();

    const wanted = ['privileged-group-grant', 'authwatch-trigger-tampered'];
    const has = (list: Finding[]) =>
      wanted.every((uid) => list.some((f) => f.finding_info?.analytic?.uid === uid));
    const findings = await eventually(
      async () =>
        ((await auditRecords(stack)) as unknown as Finding[]).filter((r) => r.class_uid === 2004),
      has,
    );
    const fed = await eventually(() => [...onFeed], has);
    const subjects = (
      await eventually(
        () => alertsTo('security@example.com'),
        (mails) =>
          ['User added to a privileged group', 'Authwatch trigger detached or replaced'].every(
            (title) => mails.some((mail) => mail.subject.includes(title)),
          ),
      )
    ).map((mail) => mail.subject);

    expect(PreAuthentication).toBeDefined();
    expect(
      findings.find((f) => f.finding_info?.analytic?.uid === 'privileged-group-grant'),
    ).toMatchObject({ user: { uid: demoSub }, severity_id: 4 });
    expect(
      findings.find((f) => f.finding_info?.analytic?.uid === 'authwatch-trigger-tampered')
        ?.severity_id,
    ).toBe(4);
    expect(has(fed)).toBe(true);
    expect(subjects).toContain('[Authwatch HIGH] NEW: User added to a privileged group');
    expect(subjects).toContain('[Authwatch HIGH] NEW: Authwatch trigger detached or replaced');
    // One mail per finding: another run over the same events sends none.
    const mailed = (await alertsTo('security@example.com')).length;
    await stack.detections.runNow();
    expect(await alertsTo('security@example.com')).toHaveLength(mailed);
  }, 90_000);
});
