/**
 * Demo history for the page's browser tests, screenshot and benchmark: OCSF events as
 * the triggers emit them (the audit package's own builders), spread over a stretch of
 * time, written as NDJSON objects where the local Firehose writes them. A few come
 * from a "bad" IP with wrong codes; some carry a country as CloudTrail's GeoIP adds it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AuditContext,
  type AuditEvent,
  auditObjectPrefix,
  challengeFailed,
  eventDay,
  logonSucceeded,
  OCSF_SOURCES,
  signUpDenied,
} from '@authwatch/audit';
import { mapManagementRecord } from '@authwatch/cloudtrail';
import { getTestEvent } from '@authwatch/testing';

export interface DemoOptions {
  /** The stack's audit folder. */
  auditDir: string;
  userPoolId: string;
  clientIds: string[];
  /** How many events, and over how long before `now`. */
  events: number;
  spanMs: number;
  now: number;
  /** Events per object (Firehose writes one object per buffer flush). */
  perObject?: number;
}

const USERS = ['ana', 'bruno', 'chen', 'dalia', 'emeka', 'farah', 'goran', 'hana', 'ivo', 'jun'];
const IPS: [string, string][] = [
  ['198.51.100.7', 'DE'],
  ['198.51.100.23', 'DE'],
  ['203.0.113.40', 'FR'],
  ['192.0.2.15', 'GB'],
  ['203.0.113.77', 'US'],
  ['198.51.100.99', 'NL'],
];
const ATTACKER: [string, string] = ['203.0.113.250', 'RU'];

/** A small deterministic generator, so the screenshot looks the same every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function located(event: AuditEvent, country: string): AuditEvent {
  if (event.src_endpoint) {
    (event.src_endpoint as { ip: string; location?: { country: string } }).location = { country };
  }
  return event;
}

/** The demo events, oldest first. */
export function demoEvents(options: Omit<DemoOptions, 'auditDir' | 'perObject'>): AuditEvent[] {
  const random = seeded(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: AuditEvent[] = [];
  for (let i = 0; i < options.events; i += 1) {
    const time =
      options.now - options.spanMs + Math.floor(((i + random()) / options.events) * options.spanMs);
    const roll = random();
    const attack = roll < 0.12;
    const name = attack ? pick(USERS.slice(0, 3)) : pick(USERS);
    // Everyone signs in from their own place (no impossible travel); the attacker from one IP.
    const [ip, country] = attack
      ? ATTACKER
      : (IPS[USERS.indexOf(name) % IPS.length] as [string, string]);
    const ctx: AuditContext = {
      userPoolId: options.userPoolId,
      region: 'eu-west-1',
      triggerSource: 'PostAuthentication_Authentication',
      clientId: attack ? (options.clientIds[0] as string) : pick(options.clientIds),
      userName: `${name}@example.com`,
      userSub: `00000000-0000-4000-8000-${String(USERS.indexOf(name)).padStart(12, '0')}`,
      sourceIp: ip,
      now: time,
    };
    if (attack || roll < 0.2) {
      events.push(
        located(
          challengeFailed(
            { ...ctx, triggerSource: 'VerifyAuthChallengeResponse_Authentication' },
            { mode: 'email-otp', attempt: 1 + (i % 3), maxAttempts: 3 },
          ),
          country,
        ),
      );
    } else if (roll < 0.22) {
      events.push(
        signUpDenied(
          { ...ctx, triggerSource: 'PreSignUp_SignUp' },
          { reason: 'email domain not allowed' },
        ),
      );
    } else {
      events.push(located(logonSucceeded(ctx, { newDevice: roll > 0.97 }), country));
    }
  }
  return events;
}

/** An OCSF Detection Finding (2004) in the shape the detections package emits. */
export function demoFinding(now: number, minutesAgo = 5): Record<string, unknown> {
  const time = now - minutesAgo * 60_000;
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: 1,
    activity_name: 'Create',
    type_uid: 200401,
    severity_id: 4,
    severity: 'High',
    status_id: 1,
    status: 'New',
    time,
    message: 'Many wrong sign-in codes from one IP address',
    metadata: { version: '1.3.0', uid: `finding-demo-${time}`, product: { name: 'Authwatch' } },
    finding_info: {
      uid: 'brute-force-ip:203.0.113.250',
      title: 'Wrong codes from 203.0.113.250',
      analytic: { uid: 'brute-force-ip', name: 'Brute force from one IP', type_id: 1 },
      first_seen_time: time - 20 * 60_000,
      last_seen_time: time,
      related_events: [],
    },
    evidences: [{ data: { peak_event_count: 48, distinct: { 'user.name': 3 } } }],
    unmapped: { group: { 'src_endpoint.ip': '203.0.113.250' }, revision: 1, peakCount: 48 },
  };
}

/**
 * Admin changes as the CloudTrail handler records them: the testing package's
 * management records (a privileged group grant, a trigger detached by an UpdateUserPool,
 * MFA turned off, a client given new callback URLs, a failed delete) mapped by the
 * CloudTrail package, moved into the last hour.
 */
export function demoAdminChanges(now: number): AuditEvent[] {
  const records: [string, number][] = [
    ['admin-add-user-to-group', 42],
    ['update-user-pool-detach-trigger', 31],
    ['set-user-pool-mfa-config-off', 24],
    ['update-user-pool-client-callback', 17],
    ['admin-delete-user-not-found', 9],
  ];
  return records.map(([fixture, minutesAgo]) => {
    const record = getTestEvent<{ detail: Record<string, unknown> }>(
      `cloudtrail/management/${fixture}`,
    ).detail;
    const at = Math.floor((now - minutesAgo * 60_000) / 1_000) * 1_000;
    record.eventTime = new Date(at).toISOString().replace('.000Z', 'Z');
    const mapped = mapManagementRecord(
      record,
      { clientIds: [] },
      { lookup: () => ({}) },
      {
        privilegedGroups: ['admins'],
        baseline: {
          triggers: {
            PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:authwatch-dev-pre-signup',
            PreAuthentication:
              'arn:aws:lambda:us-east-1:123456789012:function:authwatch-dev-pre-auth',
          },
          mfa: 'ON',
        },
      },
    );
    if (mapped.kind !== 'event') throw new Error(`${fixture} is not an admin change`);
    return mapped.event;
  });
}

/**
 * Writes events as NDJSON objects under the audit folder where the local Firehose puts
 * them: one folder per OCSF source and event day (the Security Lake layout).
 */
export async function writeDemoHistory(
  options: DemoOptions,
  extra: readonly Record<string, unknown>[] = [],
): Promise<number> {
  const events = [...demoEvents(options), ...extra] as unknown as {
    class_uid: number;
    time: number;
  }[];
  const groups = new Map<string, typeof events>();
  for (const event of events) {
    const source = OCSF_SOURCES[event.class_uid as keyof typeof OCSF_SOURCES];
    if (!source) throw new Error(`no audit source for class ${event.class_uid}`);
    const prefix = auditObjectPrefix({
      source,
      region: 'eu-west-1',
      accountId: '000000000000',
      eventDay: eventDay(event.time),
    });
    const group = groups.get(prefix);
    if (group) group.push(event);
    else groups.set(prefix, [event]);
  }
  const per = options.perObject ?? 5_000;
  for (const [prefix, group] of groups) {
    const folder = join(options.auditDir, prefix);
    await mkdir(folder, { recursive: true });
    for (let start = 0; start < group.length; start += per) {
      const lines = group
        .slice(start, start + per)
        .map((event) => JSON.stringify(event))
        .join('\n');
      await writeFile(join(folder, `demo-${String(start / per).padStart(4, '0')}`), `${lines}\n`);
    }
  }
  return events.length;
}
