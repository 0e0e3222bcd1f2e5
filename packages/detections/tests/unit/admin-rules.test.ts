/**
 * The admin-change rules on DuckDB over events made the way production makes them: the
 * CloudTrail records of `packages/testing/events/cloudtrail/management/` (the Cognito
 * guide's record shapes) mapped by the real cloudtrail mapping, with their times, actors,
 * addresses and target users set per scenario. Each rule fires on its attack, and a
 * month of an ordinary admin's work (the CDK deploy, grants of ordinary groups, MFA
 * turned on, a few deletions, the deployed callback URL) fires none of them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ManagementConfig, mapManagementRecord } from '@authwatch/cloudtrail';
import { getTestEvent } from '@authwatch/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DetectOutcome, detect } from '../../src/detect.js';
import { loadRulesFile } from '../../src/load.js';
import { DEFAULT_RULES_FILE } from '../../src/paths.js';
import { DuckDbEngine } from '../../src/query/duckdb.js';
import { MemoryFindingStore } from '../../src/store.js';
import { DAY_MS, HOUR, MIN, T0, writeAuditObjects } from '../support/events.js';

const POOL = 'us-east-1_EXAMPLE1a';
const ACCOUNT = '123456789012';
const arn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:authwatch-dev-${name}`;
const ADMIN_RULES = [
  'privileged-group-grant',
  'privileged-password-set',
  'mfa-or-password-policy-weakened',
  'authwatch-trigger-tampered',
  'identity-provider-or-client-redirect',
  'bulk-user-removal',
  'admin-new-principal',
  'admin-new-ip',
];
const rules = loadRulesFile(DEFAULT_RULES_FILE).compiled.filter((compiled) =>
  ADMIN_RULES.includes(compiled.rule.id),
);

/** The deployed pool (what the fixture of the CDK app's own UpdateUserPool sets). */
const MANAGEMENT: ManagementConfig = {
  privilegedGroups: ['admins'],
  baseline: {
    triggers: {
      PreSignUp: arn('pre-signup'),
      PreAuthentication: arn('pre-auth'),
      PostAuthentication: arn('post-auth'),
      PreTokenGeneration: arn('pre-token'),
      DefineAuthChallenge: arn('define-auth'),
      CreateAuthChallenge: arn('create-auth'),
      VerifyAuthChallengeResponse: arn('verify-auth'),
    },
    mfa: 'OPTIONAL',
    passwordPolicy: {
      minimumLength: 12,
      requireUppercase: true,
      requireLowercase: true,
      requireNumbers: true,
      requireSymbols: true,
    },
    clients: { callbackURLs: ['https://app.example.com/callback'], oauthFlows: ['code'] },
  },
};

/** The known admin: the role the team's tooling assumes, from the office address. */
const KNOWN = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/pool-admin/ops-session`,
  ip: '198.51.100.7',
};
/** The user the attacker makes admin (a Cognito sub: a UUID). */
const ACCOMPLICE = 'a1b2c3d4-5678-40ab-8def-0123456789ab';
/** The attacker: a leaked access key of an IAM user, from elsewhere. */
const ATTACKER = { arn: `arn:aws:iam::${ACCOUNT}:user/intruder`, ip: '192.0.2.66' };

let sequence = 0;
/** One fixture record, at `time`, by `actor`, on user `sub`, mapped as production maps it. */
function adminEvent(
  fixture: string,
  time: number,
  actor: { arn: string; ip: string },
  options: {
    sub?: string;
    change?: (request: Record<string, unknown>) => void;
    /** The call was refused (CloudTrail's errorCode). */
    refused?: boolean;
  } = {},
): object {
  sequence += 1;
  const { detail } = getTestEvent<{ detail: Record<string, unknown> }>(
    `cloudtrail/management/${fixture}`,
  );
  detail.eventTime = `${new Date(time).toISOString().slice(0, 19)}Z`;
  detail.eventID = `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
  if (detail.sourceIPAddress !== 'cloudformation.amazonaws.com') detail.sourceIPAddress = actor.ip;
  const identity = detail.userIdentity as Record<string, unknown>;
  if (identity.invokedBy === undefined) identity.arn = actor.arn;
  if (options.sub !== undefined) detail.additionalEventData = { sub: options.sub };
  options.change?.(detail.requestParameters as Record<string, unknown>);
  if (options.refused) {
    detail.errorCode = 'AccessDenied';
    detail.errorMessage = 'User is not authorized to perform: cognito-idp:AdminSetUserPassword';
  }
  const mapped = mapManagementRecord(
    detail,
    { userPoolId: POOL, clientIds: [] },
    { lookup: () => ({}) },
    MANAGEMENT,
  );
  if (mapped.kind !== 'event') throw new Error(`${fixture} skipped: ${mapped.reason}`);
  return mapped.event;
}

/** Four weeks of an ordinary admin's work before T0, and the same kind of work at T0. */
function ordinaryWork(): object[] {
  const events: object[] = [];
  for (const start of [T0 - 21 * DAY_MS, T0 - 7 * DAY_MS, T0]) {
    events.push(
      adminEvent('update-user-pool-cloudformation', start, KNOWN),
      adminEvent('admin-add-user-to-group', start + MIN, KNOWN, {
        sub: 'sub-ordinary-1',
        change: (request) => {
          request.groupName = 'users';
        },
      }),
      adminEvent('admin-set-user-password', start + 2 * MIN, KNOWN, { sub: 'sub-ordinary-1' }),
      adminEvent('set-user-pool-mfa-config-on', start + 3 * MIN, KNOWN),
      adminEvent('update-user-pool-client-callback', start + 4 * MIN, KNOWN, {
        change: (request) => {
          request.callbackURLs = ['https://app.example.com/callback'];
          request.allowedOAuthFlows = ['code'];
        },
      }),
      ...Array.from({ length: 3 }, (_, i) =>
        adminEvent('admin-delete-user', start + (10 + i) * MIN, KNOWN, {
          sub: `sub-gone-${start}-${i}`,
        }),
      ),
    );
  }
  return events;
}

/** What the attacker does within the run's range. */
function attack(): object[] {
  const at = T0 + 30 * MIN;
  return [
    adminEvent('admin-add-user-to-group', at, ATTACKER, { sub: ACCOMPLICE }),
    adminEvent('admin-set-user-password', at + 2 * MIN, ATTACKER, { sub: ACCOMPLICE }),
    adminEvent('update-user-pool-detach-trigger', at + 4 * MIN, ATTACKER),
    adminEvent('set-user-pool-mfa-config-off', at + 5 * MIN, ATTACKER),
    adminEvent('update-user-pool-client-callback', at + 6 * MIN, ATTACKER),
    adminEvent('create-identity-provider-unredacted', at + 7 * MIN, ATTACKER),
    ...Array.from({ length: 10 }, (_, i) =>
      adminEvent('admin-disable-user', at + 10 * MIN + i * 20_000, ATTACKER, {
        sub: `sub-victim-${i}`,
      }),
    ),
  ];
}

async function run(events: object[]): Promise<DetectOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'detect-admin-'));
  try {
    await writeAuditObjects(dir, events);
    const engine = new DuckDbEngine({ dir });
    const outcome = await detect({
      engine,
      rules,
      range: { from: T0 - HOUR, to: T0 + 2 * HOUR },
      store: new MemoryFindingStore(),
      now: () => T0 + 2 * HOUR,
    });
    await engine.close();
    return outcome;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const found = (outcome: DetectOutcome) =>
  outcome.changes.map((change) => `${change.rule.id} ${JSON.stringify(change.state.group)}`).sort();

describe('the admin-change rules on DuckDB', () => {
  let quiet: DetectOutcome;
  let attacked: DetectOutcome;

  beforeAll(async () => {
    const work = ordinaryWork();
    quiet = await run(work);
    attacked = await run([...work, ...attack()]);
  });

  afterAll(() => undefined);

  it('loads all eight rules and runs them without a query error', () => {
    expect(rules.map((compiled) => compiled.rule.id).sort()).toEqual([...ADMIN_RULES].sort());
    expect(quiet.runs.filter((r) => r.error)).toEqual([]);
    expect(attacked.runs.filter((r) => r.error)).toEqual([]);
  });

  it('stays silent on an ordinary admin’s month: deploys, ordinary groups, MFA on, a few deletions', () => {
    expect(found(quiet)).toEqual([]);
  });

  it('fires each rule on the attack, naming the group it is about', () => {
    expect(found(attacked)).toEqual(
      [
        `admin-new-ip {"service.uid":"${POOL}"}`,
        `admin-new-principal {"service.uid":"${POOL}"}`,
        `authwatch-trigger-tampered {"service.uid":"${POOL}"}`,
        `bulk-user-removal {"actor.user.uid":"${ATTACKER.arn}"}`,
        `identity-provider-or-client-redirect {"service.uid":"${POOL}","api.operation":"CreateIdentityProvider"}`,
        `identity-provider-or-client-redirect {"service.uid":"${POOL}","api.operation":"UpdateUserPoolClient"}`,
        `mfa-or-password-policy-weakened {"service.uid":"${POOL}","api.operation":"SetUserPoolMfaConfig"}`,
        `privileged-group-grant {"user.uid":"${ACCOMPLICE}","unmapped.groupName":"admins"}`,
        `privileged-password-set {"user.uid":"${ACCOMPLICE}"}`,
      ].sort(),
    );
  });

  it('does not count a refused password set as the second step of privileged-password-set', async () => {
    const at = T0 + 30 * MIN;
    const outcome = await run([
      ...ordinaryWork(),
      adminEvent('admin-add-user-to-group', at, KNOWN, { sub: ACCOMPLICE }),
      adminEvent('admin-set-user-password', at + 2 * MIN, ATTACKER, {
        sub: ACCOMPLICE,
        refused: true,
      }),
    ]);
    expect(outcome.runs.filter((r) => r.error)).toEqual([]);
    // The grant itself is a finding; the refused set is not a taken-over admin.
    expect(found(outcome)).toContain(
      `privileged-group-grant {"user.uid":"${ACCOMPLICE}","unmapped.groupName":"admins"}`,
    );
    expect(found(outcome).filter((f) => f.startsWith('privileged-password-set'))).toEqual([]);
  });

  it('names the user a privileged finding is about by their sub', () => {
    const grant = attacked.changes.find((c) => c.rule.id === 'privileged-group-grant');
    expect(grant?.event.user).toEqual({ uid: ACCOMPLICE });
  });

  it('makes the trigger finding high, with the actor and the access key as evidence', () => {
    const tampered = attacked.changes.find((c) => c.rule.id === 'authwatch-trigger-tampered');
    expect(tampered?.event).toMatchObject({ class_uid: 2004, severity_id: 4 });
    expect(JSON.stringify(tampered?.event)).toContain(ATTACKER.arn);
    expect(JSON.stringify(tampered?.event)).toContain('AKIAEXAMPLEKEYID02');
  });
});
