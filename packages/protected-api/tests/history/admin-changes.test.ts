import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudTrailConfig, type GeoIp, mapManagementRecord } from '@authwatch/cloudtrail';
import { loadTrinoGrammar } from '@authwatch/detections/trino-grammar';
import { getTestEvent } from '@authwatch/testing';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminChangesSql, parseAdminChangeParams } from '../../src/history/admin-changes.js';
import { answerHistory } from '../../src/history/answer.js';
import { createAthenaHistoryEngine } from '../../src/history/athena-engine.js';
import { createDuckDbEngine, HistoryParamError } from '../../src/index.js';
import { success, writeObject } from './fixtures.js';

/** The fixtures' CloudTrail records are of 2026-11-23 21:45 UTC. */
const AT = Date.UTC(2026, 10, 23, 21, 45);
const NOW = AT + 30 * 60_000;
const POOL = 'us-east-1_EXAMPLE1a';
const CONFIG: CloudTrailConfig = { userPoolId: POOL, clientIds: ['1example23456789abcdefghij'] };
const NO_GEO: GeoIp = { lookup: () => ({}) };

/** The OCSF event the CloudTrail handler makes of a fixture (`minutesLater` moves its time). */
function adminEvent(fixture: string, minutesLater = 0) {
  const record = getTestEvent<{ detail: Record<string, unknown> }>(
    `cloudtrail/management/${fixture}`,
  ).detail;
  record.eventTime = new Date(AT + minutesLater * 60_000).toISOString().replace('.000Z', 'Z');
  const mapped = mapManagementRecord(record, CONFIG, NO_GEO, {
    privilegedGroups: ['admins'],
    baseline: {
      triggers: {
        PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:authwatch-dev-pre-signup',
        PreAuthentication: 'arn:aws:lambda:us-east-1:123456789012:function:authwatch-dev-pre-auth',
      },
    },
  });
  if (mapped.kind !== 'event') throw new Error(`${fixture} was not mapped: ${mapped.reason}`);
  return mapped.event;
}

let dir: string;
let engine: ReturnType<typeof createDuckDbEngine>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'admin-changes-'));
  engine = createDuckDbEngine({ auditDir: dir });
});

afterEach(async () => {
  await engine.close?.();
  await rm(dir, { recursive: true, force: true });
});

const ask = async (query: Record<string, string> = {}) => {
  const answer = await answerHistory(
    { route: 'security-admin-changes', query, pathParams: {}, now: NOW },
    engine,
  );
  // biome-ignore lint/suspicious/noExplicitAny: answers are read as the page reads JSON
  return answer as { status: number; body: Record<string, any> };
};

describe('the admin-changes route on DuckDB', () => {
  beforeEach(async () => {
    await writeObject(dir, 'a', [
      adminEvent('admin-add-user-to-group', 1),
      adminEvent('update-user-pool-detach-trigger', 2),
      adminEvent('admin-delete-user-not-found', 3),
      adminEvent('create-identity-provider-unredacted', 4),
      success(-20),
    ]);
  });

  it('lists admin changes newest first with the actor, the target, the source IP and what changed, and no sign-in', async () => {
    const { status, body } = await ask({ range: '1h' });

    expect(status).toBe(200);
    expect(body.changes.map((c: { operation: string }) => c.operation)).toEqual([
      'CreateIdentityProvider',
      'AdminDeleteUser',
      'UpdateUserPool',
      'AdminAddUserToGroup',
    ]);
    const grant = body.changes[3];
    expect(grant).toMatchObject({
      classUid: 3005,
      outcome: 'success',
      actor: {
        arn: 'arn:aws:sts::123456789012:assumed-role/pool-admin/ops-session',
        accessKeyId: 'ASIAEXAMPLEKEYID01',
        sessionIssuer: 'arn:aws:iam::123456789012:role/pool-admin',
        sessionMfa: true,
      },
      target: { userUid: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222', group: 'admins' },
      ip: '198.51.100.7',
      flags: { privileged: true },
    });
    const update = body.changes[2];
    expect(update).toMatchObject({
      classUid: 6003,
      actor: { arn: 'arn:aws:iam::123456789012:user/alice', accessKeyId: 'AKIAEXAMPLEKEYID02' },
      target: { resourceType: 'UserPool', resourceUid: POOL },
      ip: '203.0.113.50',
      flags: { triggerTampered: true },
    });
    expect(update.changes).toContain('lambdaConfig.preSignUp');
    expect(update.before).toMatchObject({ lambdaConfig: expect.any(Object) });
    expect(update.after).toMatchObject({ lambdaConfig: expect.any(Object) });
    expect(body.changes[1]).toMatchObject({
      outcome: 'failure',
      errorCode: 'UserNotFoundException',
    });
    expect(body.nextCursor).toBeNull();
  });

  it('never hands back a secret the upstream record left in clear', async () => {
    const { body } = await ask({ range: '1h', type: 'CreateIdentityProvider' });

    expect(body.changes).toHaveLength(1);
    expect(JSON.stringify(body)).not.toMatch(/client_secret|clientSecret/i);
  });

  it('narrows by actor (ARN, access key id or name), by operation and by source IP', async () => {
    const byKey = await ask({ range: '1h', actor: 'AKIAEXAMPLEKEYID02' });
    const byArn = await ask({
      range: '1h',
      actor: 'arn:aws:iam::123456789012:role/pool-admin',
    });
    const byType = await ask({ range: '1h', type: 'UpdateUserPool' });
    const byIp = await ask({ range: '1h', ip: '198.51.100.7' });

    expect(
      byKey.body.changes.every(
        (c: { actor: { accessKeyId: string } }) => c.actor.accessKeyId === 'AKIAEXAMPLEKEYID02',
      ),
    ).toBe(true);
    expect(byKey.body.changes.length).toBeGreaterThan(0);
    const issuers = byArn.body.changes.map(
      (c: { actor: { sessionIssuer: string } }) => c.actor.sessionIssuer,
    );
    expect(issuers).toContain('arn:aws:iam::123456789012:role/pool-admin');
    expect(new Set(issuers).size).toBe(1);
    expect(byArn.body.changes.map((c: { operation: string }) => c.operation)).toContain(
      'AdminAddUserToGroup',
    );
    expect(byType.body.changes.map((c: { operation: string }) => c.operation)).toEqual([
      'UpdateUserPool',
    ]);
    expect(byIp.body.changes.map((c: { ip: string }) => c.ip)).toEqual(
      byIp.body.changes.map(() => '198.51.100.7'),
    );
    expect(byIp.body.changes.length).toBeGreaterThan(0);
  });

  it('pages with a cursor, each change once', async () => {
    const first = await ask({ range: '1h', limit: '3' });
    const second = await ask({ range: '1h', limit: '3', cursor: first.body.nextCursor });

    expect(first.body.changes).toHaveLength(3);
    expect(second.body.changes).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const uids = [...first.body.changes, ...second.body.changes].map((c) => c.uid);
    expect(new Set(uids).size).toBe(4);
  });

  it('opens the whole OCSF event of a change for the drill-down', async () => {
    const { body } = await ask({ range: '1h', type: 'AdminAddUserToGroup' });
    const change = body.changes[0];

    const whole = await answerHistory(
      {
        route: 'security-event',
        pathParams: { uid: change.uid },
        query: { time: String(change.time) },
        now: NOW,
      },
      engine,
    );

    expect(whole).toMatchObject({
      status: 200,
      body: { event: { api: { operation: 'AdminAddUserToGroup' }, privileges: ['admins'] } },
    });
  });

  it('answers a bad actor, limit or cursor with a 400 naming it', async () => {
    expect((await ask({ actor: "x' OR 1=1 --" })).body).toMatchObject({ parameter: 'actor' });
    expect((await ask({ limit: '500' })).body).toMatchObject({ parameter: 'limit' });
    expect((await ask({ cursor: 'nope!' })).body).toMatchObject({ parameter: 'cursor' });
    expect((await ask({ sort: 'time' })).body).toMatchObject({ parameter: 'sort' });
  });
});

describe('the admin-changes SQL text', () => {
  it('parses as Trino SQL (Athena) with every filter, the actor and a cursor', async () => {
    const grammar = await loadTrinoGrammar();
    const params = parseAdminChangeParams(
      {
        range: '24h',
        outcome: 'success',
        user: 'a1b2',
        ip: '198.51.100.7',
        client: 'abc',
        type: 'UpdateUserPool',
        severity: 'high',
        actor: 'AKIAEXAMPLEKEYID02',
        cursor: Buffer.from(`${NOW}.uid-1`).toString('base64url'),
      },
      NOW,
    );

    expect(grammar.validate(adminChangesSql(params).sql)).toEqual([]);
    // Loading the ANTLR grammar takes seconds on a busy machine.
  }, 60_000);

  it('never puts a caller value into the SQL text: it depends only on which filters are given', () => {
    const SAFE = { actor: 'AKIAEXAMPLEKEYID02', user: 'someone', type: 'UpdateUserPool' };
    fc.assert(
      fc.property(
        fc.record(
          {
            actor: fc.stringMatching(/^[\w+=,.@:/-]{1,60}$/),
            user: fc.string({ minLength: 1, maxLength: 40 }),
            type: fc.stringMatching(/^[A-Za-z0-9_ :-]{1,30}$/),
          },
          { requiredKeys: [] },
        ),
        (query) => {
          let params: ReturnType<typeof parseAdminChangeParams>;
          try {
            params = parseAdminChangeParams(query, NOW);
          } catch (error) {
            expect(error).toBeInstanceOf(HistoryParamError);
            return;
          }
          const safe = Object.fromEntries(
            Object.keys(query).map((name) => [name, SAFE[name as keyof typeof SAFE]]),
          );
          const { sql, params: values } = adminChangesSql(params);
          expect(sql).toBe(adminChangesSql(parseAdminChangeParams(safe, NOW)).sql);
          expect(sql.split('?').length - 1).toBe(values.length);
        },
      ),
    );
  });
});

describe('the admin-changes route on Athena', () => {
  const athena = mockClient(AthenaClient);
  beforeEach(() => {
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: {} } });
  });

  it('reads the text values Athena gives (booleans, the JSON list of changes) into the same shape', async () => {
    const columns: [string, string][] = [
      ['time', 'bigint'],
      ['uid', 'varchar'],
      ['class_uid', 'integer'],
      ['operation', 'varchar'],
      ['status_id', 'integer'],
      ['actor_arn', 'varchar'],
      ['access_key_id', 'varchar'],
      ['session_mfa', 'boolean'],
      ['changes', 'varchar'],
      ['after_json', 'varchar'],
      ['trigger_tampered', 'boolean'],
    ];
    const values = [
      String(AT),
      'u-1',
      '6003',
      'UpdateUserPool',
      '1',
      'arn:aws:iam::123456789012:user/alice',
      'AKIAEXAMPLEKEYID02',
      'false',
      '["lambdaConfig.preSignUp","mfaConfiguration"]',
      '{"mfaConfiguration":"OFF"}',
      'true',
    ];
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: columns.map(([Name, Type]) => ({ Name, Type })) },
        Rows: [
          { Data: columns.map(([name]) => ({ VarCharValue: name })) },
          { Data: values.map((VarCharValue) => ({ VarCharValue })) },
        ],
      },
    });
    const athenaEngine = createAthenaHistoryEngine({
      workGroup: 'authwatch-audit-dev',
      database: 'authwatch_audit_dev',
      client: athena as unknown as AthenaClient,
      sleep: async () => undefined,
    });

    const answer = await answerHistory(
      {
        route: 'security-admin-changes',
        pathParams: {},
        query: { range: '1h', actor: 'AKIAEXAMPLEKEYID02' },
        now: NOW,
      },
      athenaEngine,
    );

    expect(answer).toMatchObject({
      status: 200,
      body: {
        changes: [
          {
            operation: 'UpdateUserPool',
            actor: { accessKeyId: 'AKIAEXAMPLEKEYID02', sessionMfa: false },
            changes: ['lambdaConfig.preSignUp', 'mfaConfiguration'],
            after: { mfaConfiguration: 'OFF' },
            flags: { triggerTampered: true, privileged: false },
          },
        ],
      },
    });
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start?.QueryString).not.toContain('AKIAEXAMPLEKEYID02');
    expect(start?.ExecutionParameters).toContain("'AKIAEXAMPLEKEYID02'");
  });
});
