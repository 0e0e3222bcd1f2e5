import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerHistory, type HistoryRouteName } from '../../src/history/answer.js';
import { createDuckDbEngine, handleApiRequestAsync } from '../../src/index.js';
import { apiEvent } from '../helpers.js';
import { deniedSignUp, finding, NOW, success, writeObject, wrongCode } from './fixtures.js';

let dir: string;
let engine: ReturnType<typeof createDuckDbEngine>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'history-'));
  engine = createDuckDbEngine({ auditDir: dir });
});

afterEach(async () => {
  await engine.close?.();
  await rm(dir, { recursive: true, force: true });
});

const ask = async (
  route: HistoryRouteName,
  query: Record<string, string> = {},
  pathParams: Record<string, string> = {},
) => {
  const answer = await answerHistory({ route, query, pathParams, now: NOW }, engine);
  // biome-ignore lint/suspicious/noExplicitAny: answers are read as the page reads JSON
  return answer as { status: number; body: Record<string, any> };
};

describe('the history routes on DuckDB over audit objects', () => {
  beforeEach(async () => {
    await writeObject(dir, 'a', [
      success(5),
      success(10, {}, true),
      wrongCode(3),
      wrongCode(2),
      wrongCode(1, { userName: 'bob@example.com', sourceIp: '203.0.113.9' }),
      deniedSignUp(20),
      success(120), // outside the last hour
    ]);
    await writeObject(dir, 'b', [finding(4, 'f-1'), finding(2, 'f-1'), finding(30, 'f-2', 2)]);
  });

  it('counts sign-ins, failures, new devices, denied sign-ups and open findings of the range', async () => {
    const { status, body } = await ask('security-summary', { range: '1h' });

    expect(status).toBe(200);
    expect(body).toMatchObject({
      signIns: 5,
      failures: 3,
      failureRate: 0.6,
      newDevices: 1,
      signUpsDenied: 1,
      openFindings: 3,
    });
  });

  it('buckets successes and failures over the range, empty buckets as zero', async () => {
    const { body } = await ask('security-timeseries', { range: '1h' });

    expect(body.bucketMs).toBe(30_000);
    expect(body.times).toHaveLength(120);
    expect(body.successes.reduce((a: number, b: number) => a + b, 0)).toBe(2);
    expect(body.failures.reduce((a: number, b: number) => a + b, 0)).toBe(3);
    // The last failure, 59 minutes into the range, is in bucket 59 × 2.
    expect(body.failures[118]).toBe(1);
  });

  it('ranks users, IPs and reasons by failures', async () => {
    const users = await ask('security-top', {}, { dimension: 'user' });
    const ips = await ask('security-top', { limit: '1' }, { dimension: 'ip' });
    const reasons = await ask('security-top', {}, { dimension: 'reason' });

    expect(users.body.items).toEqual([
      { key: 'alice@example.com', events: 4, failures: 2 },
      { key: 'bob@example.com', events: 1, failures: 1 },
    ]);
    expect(ips.body.items).toEqual([{ key: '198.51.100.7', events: 4, failures: 2 }]);
    expect(reasons.body.items).toEqual([{ key: 'Challenge failed', events: 3, failures: 3 }]);
  });

  it('pages through events newest first with a cursor, filters applied', async () => {
    const first = await ask('security-events', { limit: '2' });
    const second = await ask('security-events', { limit: '2', cursor: first.body.nextCursor });
    const third = await ask('security-events', { limit: '2', cursor: second.body.nextCursor });
    const failures = await ask('security-events', { outcome: 'failure', user: 'bob@example.com' });

    const times = [...first.body.events, ...second.body.events, ...third.body.events].map(
      (event: { time: number }) => event.time,
    );
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times).toHaveLength(6);
    expect(third.body.nextCursor).toBeNull();
    expect(failures.body.events).toHaveLength(1);
    expect(failures.body.events[0]).toMatchObject({
      outcome: 'failure',
      user: 'bob@example.com',
      ip: '203.0.113.9',
      client: 'webclient123',
      eventCode: 'VerifyAuthChallengeResponse_Authentication',
    });
  });

  it('gives the whole OCSF event of a row for the drill-down, and 404 for an unknown one', async () => {
    const { body } = await ask('security-events', { limit: '1' });
    const [row] = body.events;

    const found = await ask('security-event', { time: String(row.time) }, { uid: row.uid });
    const missing = await ask('security-event', { time: String(row.time) }, { uid: 'nope' });
    const bad = await ask('security-event', {}, { uid: row.uid });

    expect(found.body.event).toMatchObject({
      class_uid: 3002,
      metadata: { uid: row.uid },
      unmapped: { clientId: 'webclient123', triggerSource: expect.any(String) },
    });
    expect(missing.status).toBe(404);
    expect(bad.body.parameter).toBe('time');
  });

  it('lists each finding once, at its newest record, with rule, group and evidence', async () => {
    const { body } = await ask('security-findings', {});

    expect(body.findings.map((f: { uid: string }) => f.uid)).toEqual(['f-1', 'f-2']);
    expect(body.findings[0]).toMatchObject({
      time: NOW - 2 * 60_000,
      title: 'Brute force of one account',
      ruleId: 'brute-force-user',
      severityId: 4,
      group: { user: 'alice@example.com' },
      evidence: [{ data: { failures: 12, distinctIps: 1 } }],
      relatedEvents: [{ uid: 'e1' }, { uid: 'e2' }],
    });
  });

  it('loads objects written after the first query, and an object that grew, once each', async () => {
    await ask('security-summary');
    await writeObject(dir, 'c', [wrongCode(1)]);
    await writeObject(dir, 'a', [success(5), wrongCode(1)]);

    const { body } = await ask('security-summary');

    expect(body).toMatchObject({ signIns: 3, failures: 2 });
    expect(engine.loadedFiles()).toBe(3);
  });

  it('answers a bad parameter with a 400 naming it, before any query runs', async () => {
    const answer = await ask('security-events', { range: 'forever' });

    expect(answer).toEqual({
      status: 400,
      body: {
        message: 'Bad Request',
        parameter: 'range',
        detail: 'bad parameter "range": must be one of 15m, 1h, 24h, 7d, custom',
      },
    });
  });
});

describe('the history routes through the API', () => {
  const historyEvent = (path: string, groups: string, query?: Record<string, string>) =>
    apiEvent('me', (raw) => {
      const r = raw as unknown as {
        rawPath: string;
        queryStringParameters?: Record<string, string>;
        requestContext: {
          http: { path: string };
          authorizer: { jwt: { claims: Record<string, unknown> } };
        };
      };
      r.rawPath = path;
      r.requestContext.http.path = path;
      r.requestContext.authorizer.jwt.claims['cognito:groups'] = groups;
      if (query) r.queryStringParameters = query;
    });

  it('serves a member of the security group', async () => {
    await writeObject(dir, 'a', [success(1)]);

    const { result } = await handleApiRequestAsync(
      historyEvent('/security/summary', '[security]'),
      {
        now: () => NOW,
        history: engine,
      },
    );

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ signIns: 1 });
  });

  it('refuses anyone else with a 403 naming the group', async () => {
    const { result } = await handleApiRequestAsync(historyEvent('/security/summary', '[users]'), {
      now: () => NOW,
      history: engine,
      securityGroup: 'secops',
    });

    expect(result.statusCode).toBe(403);
    expect(JSON.parse(result.body).detail).toBe('requires membership of the group secops');
  });

  it('answers 400 for a bad filter and 502 without detail when the query fails', async () => {
    const bad = await handleApiRequestAsync(
      historyEvent('/security/top/user', '[security]', { ip: 'nope' }),
      { now: () => NOW, history: engine },
    );
    const broken = await handleApiRequestAsync(historyEvent('/security/summary', '[security]'), {
      now: () => NOW,
      history: {
        query: () => Promise.reject(new Error('Table authwatch_events does not exist')),
      },
    });

    expect(bad.result.statusCode).toBe(400);
    expect(JSON.parse(bad.result.body).parameter).toBe('ip');
    expect(broken.result.statusCode).toBe(502);
    expect(broken.result.body).not.toContain('authwatch_events');
    expect(broken.log.error).toContain('authwatch_events');
  });
});
