import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditor, createMemorySink } from '@authwatch/audit';
import { createLambdaContext } from '@authwatch/testing';
import {
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsAlerter } from '../../src/alerts.js';
import { createDetectHandler, type DetectDeps, runRange } from '../../src/app.js';
import type { DetectConfig } from '../../src/config.js';
import { loadRulesFile } from '../../src/load.js';
import { DEFAULT_RULES_FILE } from '../../src/paths.js';
import { DuckDbEngine } from '../../src/query/duckdb.js';
import { createCognitoResponder, LOCK_ATTRIBUTE } from '../../src/responses.js';
import { MemoryFindingStore } from '../../src/store.js';
import { MIN, POOL, passwordFailure, T0, writeAuditObjects } from '../support/events.js';

const scheduled = JSON.parse(
  readFileSync(new URL('../events/scheduler-input.json', import.meta.url), 'utf8'),
);
const NOW = Date.parse(scheduled.scheduledTime);
const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:authwatch-dev-alerts';

const config = (overrides: Partial<DetectConfig> = {}): DetectConfig => ({
  engine: 'duckdb',
  lookbackSeconds: 1_320,
  maxCatchUpSeconds: 21_600,
  state: { file: 'unused' },
  responses: true,
  userPoolId: POOL,
  alertTopicArn: TOPIC,
  ...overrides,
});

let dir: string;
let engine: DuckDbEngine;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detect-handler-'));
  await writeAuditObjects(dir, [
    ...Array.from({ length: 11 }, (_, i) =>
      passwordFailure('victim@example.com', '198.18.30.1', T0 + i * 30_000),
    ),
    // An upstream producer that forgot to redact: the finding and the alert must not carry it.
    passwordFailure('victim@example.com', '198.18.30.1', T0 + 6 * MIN, {
      detail: 'NotAuthorizedException: password=hunter2 rejected, code 483920',
    }),
  ]);
  engine = new DuckDbEngine({ dir });
});
afterAll(async () => {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  sns.reset();
  events.reset();
  cognito.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  cognito.on(AdminUpdateUserAttributesCommand).resolves({});
});

function setup(overrides: Partial<DetectConfig> = {}) {
  const sink = createMemorySink();
  const store = new MemoryFindingStore();
  const cfg = config(overrides);
  const deps: DetectDeps = {
    config: cfg,
    rules: loadRulesFile(DEFAULT_RULES_FILE),
    engine: async () => engine,
    store,
    auditor: createAuditor({ sinks: [sink], now: () => NOW }),
    alerter: createAwsAlerter({
      topicArn: TOPIC,
      events: true,
      sns: new SNSClient({ region: 'us-east-1', credentials }),
      eventBridge: new EventBridgeClient({ region: 'us-east-1', credentials }),
    }),
    ...(cfg.responses
      ? {
          responder: createCognitoResponder(
            POOL,
            new CognitoIdentityProviderClient({ region: 'us-east-1', credentials }),
          ),
        }
      : {}),
    region: 'us-east-1',
    now: () => NOW,
  };
  const invoke = (event: unknown) =>
    createDetectHandler(deps)(event, createLambdaContext({ timeoutMs: 120_000, now: () => NOW }));
  return { sink, store, invoke };
}

describe('the detect handler', () => {
  it('finds a brute force, records the finding, alerts once, routes it and locks the account', async () => {
    const { sink, invoke } = setup();

    const summary = await invoke(structuredClone(scheduled));

    expect(summary).toMatchObject({
      failedRules: [],
      findings: { new: 1 },
      alerts: 1,
      responses: 1,
    });
    const finding = sink.events.find((event) => event.class_uid === (2004 as number));
    expect(finding).toMatchObject({
      finding_info: { analytic: { uid: 'password-brute-force-user' } },
    });
    const lock = sink.events.find((event) => event.metadata.log_name === 'response-lock');
    expect(lock).toMatchObject({
      class_uid: 3001,
      activity_id: 9,
      status_id: 1,
      user: { name: 'sub-victim@example.com' },
    });
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'sub-victim@example.com',
      UserAttributes: [{ Name: LOCK_ATTRIBUTE, Value: String(Math.floor(NOW / 1000) + 15 * 60) }],
    });
    const published = sns.commandCalls(PublishCommand);
    expect(published).toHaveLength(1);
    const message = published[0]?.args[0].input;
    expect(message?.Subject).toBe('[Authwatch HIGH] NEW: Password brute force on one user');
    expect(message?.Message).toContain('Who: user.uid s***@example.com');
    expect(message?.Message).toContain('Response: locked until');
    const entry = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({ Source: 'authwatch', DetailType: 'Authwatch Detection Finding' });
    for (const text of [
      message?.Message,
      message?.Subject,
      entry?.Detail,
      JSON.stringify(sink.events),
    ]) {
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('483920');
    }
    for (const text of [message?.Message, message?.Subject, entry?.Detail])
      expect(text).not.toContain('victim@example.com');

    const again = await invoke(structuredClone(scheduled));
    expect(again).toMatchObject({
      findings: { new: 0, updated: 0, escalated: 0 },
      alerts: 0,
      responses: 0,
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('sends again an alert SNS refused on the next run, and only then marks it delivered', async () => {
    sns.reset();
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalErrorException' }))
      .resolves({});
    const { invoke } = setup({ responses: false });
    const first = await invoke(structuredClone(scheduled));
    expect(first).toMatchObject({ findings: { new: 1 }, alerts: 0, deliveryFailures: 1 });
    const second = await invoke(structuredClone(scheduled));
    expect(second).toMatchObject({ findings: { new: 1 }, alerts: 1, deliveryFailures: 0 });
    const third = await invoke(structuredClone(scheduled));
    expect(third).toMatchObject({ findings: { new: 0 }, alerts: 0 });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    expect(sns.commandCalls(PublishCommand)[1]?.args[0].input.Message).toContain(
      'lock not taken (responses are off)',
    );
    expect(cognito.calls()).toHaveLength(0);
  });

  it('refuses a malformed schedule input without running anything', async () => {
    const { invoke } = setup();
    await expect(invoke({ scheduledTime: 'yesterday' })).rejects.toThrow();
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('the run range', () => {
  it('reads the lookback before the scheduled time, and catches up from the watermark after failed runs', async () => {
    const store = new MemoryFindingStore();
    const cfg = config();
    expect(await runRange({ scheduledTime: scheduled.scheduledTime }, cfg, store, 0)).toEqual({
      from: NOW - 1_320_000,
      to: NOW,
      explicit: false,
    });
    await store.setWatermark(NOW - 60 * MIN);
    expect((await runRange({}, cfg, store, NOW)).from).toBe(NOW - 60 * MIN - 1_320_000);
    await store.setWatermark(NOW - 48 * 60 * MIN);
    expect((await runRange({}, cfg, store, NOW)).from).toBe(NOW - 21_600_000);
    expect(await runRange({ from: '2026-11-23T09:00:00Z', to: T0 }, cfg, store, NOW)).toEqual({
      from: T0 - 60 * MIN,
      to: T0,
      explicit: true,
    });
  });
});
