/**
 * Admin change to finding and alert mail in the local stack, with the detect timer
 * running as `pnpm start` runs it (every 3 s: the wait for the next tick is part of the
 * figure). Two changes, each measured from the moment the call is answered:
 *
 * - AdminAddUserToGroup(admins) → `privileged-group-grant`;
 * - UpdateUserPool leaving PreAuthentication out of the LambdaConfig →
 *   `authwatch-trigger-tampered`;
 *
 * each to its finding on the live feed's `/auth/detections` channel and to its alert mail
 * in the local SES mailbox. A finding is new once per pool and hour (a second detach is
 * the same episode), so each run starts a fresh stack and warms its detect handler
 * (bundle, DuckDB) with one run before the changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { subscribeLiveView } from '../../src/live-view.js';
import { readMailbox } from '../../src/ses.js';
import { DEMO_USER, startLocalStack } from '../../src/stack.js';
import { median } from './stats.js';

interface Case {
  rule: string;
  /** The alert mail's subject names the rule's title. */
  title: string;
}
const GRANT: Case = { rule: 'privileged-group-grant', title: 'User added to a privileged group' };
const TAMPER: Case = {
  rule: 'authwatch-trigger-tampered',
  title: 'Authwatch trigger detached or replaced',
};
const LIMIT_MS = 30_000;

type Figures = { finding: number[]; mail: number[] };

async function oneRun(figures: Map<Case, Figures>): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'authwatch-bench-admin-'));
  const stack = await startLocalStack({ port: 0, stateDir, quiet: true });
  const o = stack.outputs;
  const admin = new CognitoIdentityProviderClient({
    endpoint: o.endpoint,
    region: o.region,
    credentials: { accessKeyId: 'AKIABENCHADMIN000001', secretAccessKey: 'local' },
  });
  const arrived = new Map<string, number>();
  const view = await subscribeLiveView({
    liveFeedUrl: o.liveFeedHttpUrl,
    channel: '/auth/detections',
    onEvent: (event) => {
      const uid = (event as { finding_info?: { analytic?: { uid?: string } } }).finding_info
        ?.analytic?.uid;
      if (uid !== undefined && !arrived.has(uid)) arrived.set(uid, performance.now());
    },
  });
  try {
    await stack.detections.runNow();
    const measure = async (which: Case, change: () => Promise<unknown>) => {
      await change();
      const answered = performance.now();
      let mailAt: number | undefined;
      while (performance.now() < answered + LIMIT_MS) {
        if (mailAt === undefined) {
          const mails = await readMailbox(o.sesEndpoint);
          if (mails.some((mail) => mail.subject.includes(which.title))) mailAt = performance.now();
        }
        if (mailAt !== undefined && arrived.has(which.rule)) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const found = arrived.get(which.rule);
      const entry = figures.get(which) ?? { finding: [], mail: [] };
      if (found !== undefined) entry.finding.push(found - answered);
      if (mailAt !== undefined) entry.mail.push(mailAt - answered);
      figures.set(which, entry);
      const show = (ms: number | undefined) =>
        ms === undefined ? `none within ${LIMIT_MS / 1000} s` : `${(ms / 1000).toFixed(2)} s`;
      console.log(
        `    ${which.rule}: finding ${show(found === undefined ? undefined : found - answered)}, mail ${show(mailAt === undefined ? undefined : mailAt - answered)}`,
      );
    };
    await measure(GRANT, () =>
      admin.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: o.userPoolId,
          Username: DEMO_USER.email,
          GroupName: 'admins',
        }),
      ),
    );
    const pool = (await admin.send(new DescribeUserPoolCommand({ UserPoolId: o.userPoolId })))
      .UserPool as UserPoolType;
    const { PreAuthentication: _detached, ...rest } = pool.LambdaConfig ?? {};
    await measure(TAMPER, () =>
      admin.send(
        new UpdateUserPoolCommand({
          UserPoolId: o.userPoolId,
          LambdaConfig: rest,
          Policies: pool.Policies,
          AutoVerifiedAttributes: pool.AutoVerifiedAttributes,
        }),
      ),
    );
  } finally {
    admin.destroy();
    await view.close();
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

const middle = (list: number[]) => median([...list].sort((a, b) => a - b));
const seconds = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '-');

/** Runs `runs` fresh stacks and prints each case's median and max. */
export async function adminChangeLatency(runs: number): Promise<void> {
  console.log('admin change to finding and alert mail (a fresh stack per run, handler warmed):');
  const figures = new Map<Case, Figures>();
  for (let run = 1; run <= runs; run += 1) {
    console.log(`  run ${run}`);
    await oneRun(figures);
  }
  for (const which of [GRANT, TAMPER]) {
    const entry = figures.get(which) ?? { finding: [], mail: [] };
    console.log(
      `${which.rule}: change to finding on the live feed median ${seconds(middle(entry.finding))} s (max ${seconds(Math.max(...entry.finding))} s, ${entry.finding.length}/${runs} runs); to alert mail median ${seconds(middle(entry.mail))} s (max ${seconds(Math.max(...entry.mail))} s, ${entry.mail.length}/${runs}) (timer 3 s; target 10 s)`,
    );
  }
}
