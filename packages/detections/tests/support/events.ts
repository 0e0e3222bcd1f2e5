/**
 * Generated audit events for tests and the benchmark, in the shapes the producers
 * write: the trigger events come from `@authwatch/audit`'s own builders; failed
 * password sign-ins and unknown users follow the agreed shape of the CloudTrail path
 * (Authentication 3002, activity Logon, status Failure, `status_detail` with Cognito's
 * error, `src_endpoint.ip` and GeoIP `location`, `metadata.event_code` the API call).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AuditContext,
  type AuditEvent,
  challengeFailed,
  challengeIssued,
  logonSucceeded,
  signUpAllowed,
  sourceForClass,
} from '@authwatch/audit';

export const POOL = 'us-east-1_Example1';
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const CLIENT = '1example23456789abcdefghij';

/** 2026-11-23T10:00:00Z: the middle of a UTC day, so short windows stay in one `eventday`. */
export const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY_MS = 24 * HOUR;

export interface Geo {
  country: string;
  city?: string;
  lat?: number;
  long?: number;
}

export const PLACES: Record<string, Geo> = {
  paris: { country: 'FR', city: 'Paris', lat: 48.8566, long: 2.3522 },
  berlin: { country: 'DE', city: 'Berlin', lat: 52.52, long: 13.405 },
  sydney: { country: 'AU', city: 'Sydney', lat: -33.8688, long: 151.2093 },
  newYork: { country: 'US', city: 'New York', lat: 40.7128, long: -74.006 },
};

/** An audit event as the builders make it; GeoIP `location` is part of its `src_endpoint`. */
type Event = AuditEvent;

function context(
  user: string | undefined,
  ip: string | undefined,
  time: number,
  triggerSource: string,
): AuditContext {
  const ctx: AuditContext = {
    userPoolId: POOL,
    region: REGION,
    triggerSource,
    clientId: CLIENT,
    now: time,
  };
  if (user) {
    ctx.userName = user;
    ctx.userSub = `sub-${user}`;
  }
  if (ip) ctx.sourceIp = ip;
  return ctx;
}

function located(event: AuditEvent, geo: Geo | undefined): Event {
  if (!geo || !event.src_endpoint) return event;
  return { ...event, src_endpoint: { ...event.src_endpoint, location: geo } };
}

export function wrongCode(user: string, ip: string, time: number, attempt = 1): Event {
  return challengeFailed(context(user, ip, time, 'VerifyAuthChallengeResponse_Authentication'), {
    mode: 'email',
    attempt,
    maxAttempts: 3,
  });
}

export function codeSent(user: string, ip: string, time: number): Event {
  return challengeIssued(context(user, ip, time, 'CreateAuthChallenge_Authentication'), {
    mode: 'email',
    attempt: 1,
  });
}

export function signIn(
  user: string,
  ip: string,
  time: number,
  geo: Geo = PLACES.paris as Geo,
): Event {
  return located(
    logonSucceeded(context(user, ip, time, 'PostAuthentication_Authentication'), {
      newDevice: false,
    }),
    geo,
  );
}

export function signUp(email: string, ip: string, time: number): Event {
  const ctx = context(email, ip, time, 'PreSignUp_SignUp');
  ctx.email = email;
  return signUpAllowed(ctx, { autoConfirmed: false });
}

/** A failed password sign-in as the CloudTrail path records it. */
export function passwordFailure(
  user: string,
  ip: string,
  time: number,
  options: { detail?: string; geo?: Geo; userNotFound?: boolean } = {},
): Event {
  const event: Event = {
    activity_id: 1,
    activity_name: 'Logon',
    category_uid: 3,
    category_name: 'Identity & Access Management',
    class_uid: 3002,
    class_name: 'Authentication',
    type_uid: 300201,
    type_name: 'Authentication: Logon',
    severity_id: 2,
    severity: 'Low',
    status_id: 2,
    status: 'Failure',
    status_detail: options.detail ?? 'NotAuthorizedException: Incorrect username or password.',
    message: 'sign-in failed',
    time,
    metadata: {
      version: '1.3.0',
      product: { name: 'Authwatch', vendor_name: 'Authwatch', version: '0.1.0' },
      uid: randomUUID(),
      event_code: 'InitiateAuth',
      log_name: 'sign-in-failed',
    },
    cloud: { provider: 'AWS', region: REGION },
    service: { name: 'Amazon Cognito', uid: POOL },
    // CloudTrail redacts the user name of a failed call; it keeps the sub, unless the
    // user does not exist (then there is none).
    user: options.userNotFound ? { type: 'User' } : { uid: `sub-${user}`, type: 'User' },
    src_endpoint: { ip, location: options.geo ?? (PLACES.paris as Geo) },
    unmapped: {
      clientId: CLIENT,
      triggerSource: 'cloudtrail',
      ...(options.userNotFound ? { userNotFound: true } : {}),
    } as AuditEvent['unmapped'],
  };
  return event;
}

/**
 * Writes events as NDJSON objects in the Security Lake custom-source layout
 * (`ext/<source>/region=/accountId=/eventDay=<the event's own day>/<object>`), at most
 * `perObject` events per object.
 */
export async function writeAuditObjects(
  dir: string,
  events: readonly object[],
  perObject = 5_000,
): Promise<number> {
  const groups = new Map<string, object[]>();
  for (const event of events) {
    const { class_uid: classUid, time } = event as { class_uid: number; time: number };
    const day = new Date(time).toISOString().slice(0, 10).replaceAll('-', '');
    const folder = join(
      dir,
      'ext',
      // The source of the class, as the local Firehose files it (OCSF_SOURCES).
      sourceForClass(classUid).name,
      `region=${REGION}`,
      `accountId=${ACCOUNT}`,
      `eventDay=${day}`,
    );
    const list = groups.get(folder) ?? [];
    list.push(event);
    groups.set(folder, list);
  }
  let objects = 0;
  for (const [folder, list] of groups) {
    await mkdir(folder, { recursive: true });
    for (let start = 0; start < list.length; start += perObject) {
      const body = list
        .slice(start, start + perObject)
        .map((event) => JSON.stringify(event))
        .join('\n');
      await writeFile(join(folder, `authwatch-local-1-${objects}-${randomUUID()}`), `${body}\n`);
      objects += 1;
    }
  }
  return objects;
}

/** A deterministic pseudo-random generator (tests must not depend on luck). */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * A normal day of traffic: `users` users sign in a few times from their own IP and
 * country (some through one shared corporate NAT), now and then mistype a password or
 * a code once, receive a code or two; a few sign-ups from distinct IPs. No rule should fire on it.
 */
export function normalDay(
  options: { start?: number; users?: number; seed?: number } = {},
): Event[] {
  const start = options.start ?? T0 - 10 * HOUR;
  const users = options.users ?? 200;
  const random = rng(options.seed ?? 7);
  const events: Event[] = [];
  const countries = ['FR', 'DE', 'US', 'GB', 'ES'];
  for (let index = 0; index < users; index += 1) {
    const user = `user-${index}@example.com`;
    const nat = index % 10 === 0;
    const ip = nat ? '198.51.100.1' : `203.0.${Math.floor(index / 250)}.${(index % 250) + 1}`;
    const geo: Geo = { country: countries[index % countries.length] as string };
    const sessions = 1 + Math.floor(random() * 4);
    for (let session = 0; session < sessions; session += 1) {
      const t = start + Math.floor(random() * 20 * HOUR);
      if (random() < 0.2) events.push(passwordFailure(user, ip, t - 20_000, { geo }));
      events.push(codeSent(user, ip, t - 10_000));
      if (random() < 0.1) events.push(wrongCode(user, ip, t - 5_000));
      events.push(signIn(user, ip, t, geo));
    }
  }
  for (let index = 0; index < 15; index += 1) {
    events.push(
      signUp(
        `new-${index}@example${index % 3}.org`,
        `192.0.2.${index + 1}`,
        start + index * 37 * MIN,
      ),
    );
  }
  return events.sort((a, b) => a.time - b.time);
}
