import { execFileSync } from 'node:child_process';
import { getTestEvent } from '@authwatch/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AuditSourceEvent,
  auditContextFromEvent,
  auditObjectPrefix,
  challengeIssued,
  createAuditor,
  createMemoryFallback,
  createMemorySink,
  eventDay,
  FIREHOSE_ERROR_PREFIX,
  firehoseDataPrefix,
  firehosePartitionQuery,
  lineRecordPartition,
  logonSucceeded,
  OCSF_SOURCE_LIST,
  OCSF_SOURCES,
  RecordPartitionError,
  recordPartition,
  signUpDenied,
  sourceForClass,
  TIME_LIMIT_MS,
  tokensIssued,
  UnmappedClassError,
} from '../../src/index.js';

const NOW = Date.UTC(2026, 11, 6, 23, 59, 59, 900);
const ctx = auditContextFromEvent(getTestEvent<AuditSourceEvent>('post-auth/new-device'), NOW);

/** Runs `query` with jq 1.6 (the engine Firehose's inline parsing uses) over each line. */
function jq(query: string, line: string): { keys?: Record<string, string>; error?: string } {
  try {
    const out = execFileSync('jq', ['-c', query], { input: line, stdio: 'pipe' });
    return { keys: JSON.parse(out.toString('utf8')) as Record<string, string> };
  } catch (error) {
    return { error: String((error as { stderr?: Buffer }).stderr ?? error) };
  }
}

describe('OCSF_SOURCES', () => {
  it('maps every class to exactly one source and every source name to one class', () => {
    const names = OCSF_SOURCE_LIST.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(OCSF_SOURCE_LIST.map((s) => s.table)).size).toBe(names.length);
    expect(Object.fromEntries(OCSF_SOURCE_LIST.map((s) => [s.classUid, s.name]))).toEqual({
      2004: 'authwatch-detection-finding',
      3001: 'authwatch-account-change',
      3002: 'authwatch-authentication',
      3005: 'authwatch-user-access',
      6003: 'authwatch-api-activity',
    });
  });

  it('maps every class the builders emit', () => {
    const emitted: AuditEvent[] = [
      signUpDenied(ctx, { reason: 'blocked domain' }),
      logonSucceeded(ctx, { newDevice: false }),
      challengeIssued(ctx, { mode: 'email', attempt: 1 }),
      tokensIssued(ctx, {
        matchedRules: [],
        claimsAdded: [],
        claimsSuppressed: [],
        scopesAdded: [],
        scopesSuppressed: [],
        tokenVersion: 'V2_0',
      }),
    ];
    for (const event of emitted) {
      expect(sourceForClass(event.class_uid).classUid).toBe(event.class_uid);
    }
  });

  it('keeps the names registered in Security Lake within its 20 characters, and unique', () => {
    for (const source of OCSF_SOURCE_LIST) {
      expect(source.lakeName.length).toBeLessThanOrEqual(20);
      expect(source.lakeName).toMatch(/^[\w\-_:.]+$/);
    }
    expect(new Set(OCSF_SOURCE_LIST.map((s) => s.lakeName)).size).toBe(OCSF_SOURCE_LIST.length);
    expect(OCSF_SOURCES[3005].lakeEventClass).toBe('USER_ACCESS');
    expect(OCSF_SOURCES[2004].lakeEventClass).toBe('DETECTION_FINDING');
  });

  it('refuses a class without a source with an error that names it', () => {
    expect(() => sourceForClass(4001)).toThrow(UnmappedClassError);
    expect(() => sourceForClass(4001)).toThrow(/class_uid 4001 has no Security Lake source/);
    expect(() => sourceForClass('3002')).toThrow(/class_uid "3002"/);
    expect(() => sourceForClass(3002.5)).toThrow(UnmappedClassError);
  });
});

describe('layout', () => {
  it('places a record by its class and its own day, not the arrival day', () => {
    const yesterday = Date.UTC(2026, 11, 5, 23, 59, 59, 999);
    expect(recordPartition({ class_uid: 3001, time: yesterday })).toEqual({
      source: OCSF_SOURCES[3001],
      eventDay: '20261205',
    });
    expect(
      auditObjectPrefix({
        source: OCSF_SOURCES[3002],
        region: 'eu-west-1',
        accountId: '123456789012',
        eventDay: eventDay(NOW),
      }),
    ).toBe(
      'ext/authwatch-authentication/region=eu-west-1/accountId=123456789012/eventDay=20261206/',
    );
  });

  it('names the problem of a record it cannot place', () => {
    expect(() => lineRecordPartition('not json')).toThrow('the record is not JSON');
    expect(() => lineRecordPartition('[1]')).toThrow('the record is not a JSON object');
    expect(() => recordPartition({ class_uid: 3002 })).toThrow(
      "the record's time must be epoch milliseconds from 1970 to 9999, got nothing",
    );
    expect(() => recordPartition({ class_uid: 3002, time: '2026-12-06' })).toThrow(
      RecordPartitionError,
    );
    expect(() => recordPartition({ class_uid: 1, time: NOW })).toThrow(/class_uid 1 has no/);
  });

  it('keys the stream prefix on the source and the event day extracted from each record', () => {
    expect(firehoseDataPrefix('eu-west-1', '123456789012')).toBe(
      'ext/!{partitionKeyFromQuery:source}/region=eu-west-1/accountId=123456789012/eventDay=!{partitionKeyFromQuery:eventDay}/',
    );
    expect(FIREHOSE_ERROR_PREFIX).toBe(
      'errors/authwatch/!{firehose:error-output-type}/eventDay=!{timestamp:yyyyMMdd}/',
    );
  });
});

describe('firehosePartitionQuery (jq 1.6, as Firehose runs it)', () => {
  const record = fc.record(
    {
      class_uid: fc.oneof(
        fc.constantFrom(...OCSF_SOURCE_LIST.map((s) => s.classUid)),
        fc.integer({ min: 0, max: 9999 }),
        fc.constantFrom('3002', 3002.5, null, true),
      ),
      time: fc.oneof(
        fc.integer({ min: 0, max: TIME_LIMIT_MS - 1 }),
        fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
        fc.constantFrom(-1, TIME_LIMIT_MS, '1765000000000', null, 1.5e12 + 0.25),
      ),
    },
    { requiredKeys: [] },
  );

  it('extracts the same source and day as the local Firehose, and fails where it fails', () => {
    const query = firehosePartitionQuery();
    // Every run starts jq: a modest number of records keeps the test quick.
    fc.assert(
      fc.property(record, (value) => {
        const line = JSON.stringify(value);
        const extracted = jq(query, line);
        let local: { source: string; eventDay: string } | undefined;
        try {
          const placed = lineRecordPartition(line);
          local = { source: placed.source.name, eventDay: placed.eventDay };
        } catch (error) {
          expect(error).toBeInstanceOf(RecordPartitionError);
        }
        if (local) expect(extracted.keys).toEqual(local);
        else expect(extracted.error).toMatch(/jq: error/);
      }),
      { numRuns: 60 },
    );
  });

  it('writes the registered Security Lake names when asked to', () => {
    const query = firehosePartitionQuery((s) => s.lakeName);
    expect(jq(query, JSON.stringify({ class_uid: 2004, time: NOW })).keys).toEqual({
      source: 'authwatch-finding',
      eventDay: '20261206',
    });
  });

  it('sends a line that is not JSON to the error output', () => {
    expect(jq(firehosePartitionQuery(), 'not json').error).toMatch(/parse error/);
  });
});

describe('createAuditor and unmapped classes', () => {
  it('writes an event of a class without a source to the fallback, naming the class', async () => {
    const sink = createMemorySink();
    const fallback = createMemoryFallback();
    const auditor = createAuditor({ sinks: [sink], fallback });
    const stray = { ...logonSucceeded(ctx, { newDevice: false }), class_uid: 4001 };

    const result = await auditor.emit(
      [logonSucceeded(ctx, { newDevice: false }), stray as unknown as AuditEvent],
      { deadline: Date.now() + 1_000 },
    );

    expect(result).toEqual({ delivered: 1, fallback: 1 });
    expect(sink.events.map((e) => e.class_uid)).toEqual([3002]);
    expect(fallback.lines).toHaveLength(1);
    const line = JSON.parse(fallback.lines[0] as string) as { reason: string; event: AuditEvent };
    expect(line.reason).toMatch(/^unstorable: OCSF class_uid 4001 has no Security Lake source/);
    expect(line.event.class_uid).toBe(4001);
  });
});
