import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DetectOutcome, detect, markDelivered } from '../../src/detect.js';
import { loadRulesFile } from '../../src/load.js';
import { DEFAULT_RULES_FILE } from '../../src/paths.js';
import { DuckDbEngine } from '../../src/query/duckdb.js';
import { MemoryFindingStore } from '../../src/store.js';
import { HOUR, MIN, normalDay, passwordFailure, T0, writeAuditObjects } from '../support/events.js';
import { scenarios } from '../support/scenarios.js';

const rules = loadRulesFile(DEFAULT_RULES_FILE).compiled;
const attackActors = (group: Record<string, string>) =>
  Object.values(group).some(
    (value) => !/^user-\d+@example\.com$/.test(value) && !value.startsWith('203.0.0.'),
  );

describe('the default rules on DuckDB', () => {
  let dir: string;
  let quietDir: string;
  let outcome: DetectOutcome;
  let quiet: DetectOutcome;
  let quietEvents = 0;
  let quietRead = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'detect-attacks-'));
    quietDir = await mkdtemp(join(tmpdir(), 'detect-normal-'));
    const day = normalDay();
    quietEvents = day.length;
    await writeAuditObjects(quietDir, day);
    await writeAuditObjects(dir, [...day, ...scenarios().flatMap((scenario) => scenario.events)]);
    const engine = new DuckDbEngine({ dir });
    outcome = await detect({
      engine,
      rules,
      range: { from: T0 - 4 * HOUR, to: T0 + 2 * HOUR },
      store: new MemoryFindingStore(),
      now: () => T0 + 2 * HOUR,
    });
    await engine.close();
    const quietEngine = new DuckDbEngine({ dir: quietDir });
    quiet = await detect({
      engine: quietEngine,
      rules,
      range: { from: T0 - 11 * HOUR, to: T0 + 11 * HOUR },
      store: new MemoryFindingStore(),
      now: () => T0 + 11 * HOUR,
    });
    quietRead = Number(
      (await quietEngine.query('SELECT count(*) AS n FROM authwatch_events', [])).rows[0]?.n,
    );
    await quietEngine.close();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(quietDir, { recursive: true, force: true });
  });

  it('runs every rule without a query error', () => {
    expect(outcome.runs.filter((run) => run.error)).toEqual([]);
    expect(outcome.runs).toHaveLength(rules.length);
  });

  it.each(scenarios().map((scenario) => [scenario.rule, scenario] as const))(
    'fires %s on its attack',
    (ruleId, scenario) => {
      const found = outcome.changes.filter((change) => change.rule.id === ruleId);
      expect(found.map((change) => change.state.group)).toContainEqual(scenario.group);
    },
  );

  it('names only the attackers, never a user or IP of the normal traffic around them', () => {
    const innocent = outcome.changes.filter((change) => !attackActors(change.state.group));
    expect(
      innocent.map((change) => `${change.rule.id} ${JSON.stringify(change.state.group)}`),
    ).toEqual([]);
  });

  it('stays silent on a normal day of traffic', () => {
    expect(quietRead).toBe(quietEvents);
    expect(quiet.runs.filter((run) => run.error)).toEqual([]);
    expect(
      quiet.changes.map((change) => `${change.rule.id} ${JSON.stringify(change.state.group)}`),
    ).toEqual([]);
  });

  it('makes OCSF Detection Findings with the rule, techniques, times and related events', () => {
    const spray = outcome.changes.find((change) => change.rule.id === 'password-spray-ip');
    expect(spray?.event).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      severity_id: 4,
      finding_info: {
        analytic: { uid: 'password-spray-ip', type: 'Rule' },
        attacks: [{ technique: { uid: 'T1110.003' } }],
        first_seen_time: T0,
      },
      src_endpoint: { ip: '198.18.1.1' },
    });
    expect(spray?.state.distinct['user.uid']).toBe(6);
    expect(spray?.state.maxPerValue).toBeLessThanOrEqual(8);
    expect(spray?.event.finding_info.related_events.length).toBeGreaterThan(0);
  });

  it('samples up to 10 uids of the events behind each finding, read by a query of its own', () => {
    // The rules' scans leave the uids (random text, most of an event's bytes) alone.
    for (const compiled of rules)
      expect(compiled.sql, compiled.rule.id).not.toContain('metadata.uid');
    for (const change of outcome.changes) {
      const uids = change.event.finding_info.related_events.map((event) => event.uid);
      expect(uids.length, change.rule.id).toBeGreaterThan(0);
      expect(uids.length, change.rule.id).toBeLessThanOrEqual(10);
      expect(new Set(uids).size).toBe(uids.length);
    }
    // A travel finding's sample holds both sign-ins of the jump.
    const travel = outcome.changes.find((change) => change.rule.id === 'impossible-travel-user');
    expect(travel?.event.finding_info.related_events).toHaveLength(2);
  });
});

describe('a sample query that fails', () => {
  it('still delivers the finding, with an empty sample', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'detect-sample-'));
    try {
      await writeAuditObjects(
        dir,
        Array.from({ length: 11 }, (_, i) =>
          passwordFailure('sampled@example.com', '198.18.30.1', T0 + i * 30_000),
        ),
      );
      const inner = new DuckDbEngine({ dir });
      const outcome = await detect({
        engine: {
          name: 'duckdb',
          query: (sql, params) =>
            /ORDER BY time DESC/.test(sql)
              ? Promise.reject(new Error('throttled'))
              : inner.query(sql, params),
          close: () => inner.close(),
        },
        rules,
        range: { from: T0 - HOUR, to: T0 + HOUR },
        store: new MemoryFindingStore(),
        now: () => T0 + HOUR,
      });
      await inner.close();
      const found = outcome.changes.find((c) => c.rule.id === 'password-brute-force-user');
      expect(found?.kind).toBe('new');
      expect(found?.event.finding_info.related_events).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('findings over successive runs', () => {
  it('updates one finding while an attack goes on, alerts again only when it doubles, and never twice on a re-run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'detect-ongoing-'));
    const store = new MemoryFindingStore();
    const bruteForce = rules.filter((rule) => rule.rule.id === 'password-brute-force-user');
    const failures = (count: number, start: number) =>
      Array.from({ length: count }, (_, i) =>
        passwordFailure('ongoing@example.com', '198.18.11.1', start + i * 20_000),
      );
    try {
      await writeAuditObjects(dir, failures(10, T0));
      const engine = new DuckDbEngine({ dir });
      const run = async (to: number) => {
        await engine.refresh();
        const outcome = await detect({
          engine,
          rules: bruteForce,
          range: { from: to - 10 * MIN, to },
          store,
          now: () => to,
        });
        for (const change of outcome.changes)
          expect(await markDelivered(store, change, to)).toBe(true);
        return outcome;
      };
      const first = await run(T0 + 5 * MIN);
      expect(first.changes.map((change) => change.kind)).toEqual(['new']);
      const again = await run(T0 + 5 * MIN);
      expect(again.changes).toEqual([]);

      await writeAuditObjects(dir, failures(5, T0 + 4 * MIN));
      const more = await run(T0 + 8 * MIN);
      expect(more.changes.map((change) => [change.kind, change.alert])).toEqual([
        ['updated', false],
      ]);
      expect(more.changes[0]?.state.uid).toBe(first.changes[0]?.state.uid);

      await writeAuditObjects(dir, failures(10, T0 + 6 * MIN));
      const doubled = await run(T0 + 10 * MIN);
      expect(doubled.changes.map((change) => [change.kind, change.alert])).toEqual([
        ['escalated', true],
      ]);
      expect(doubled.changes[0]?.state.uid).toBe(first.changes[0]?.state.uid);
      expect(doubled.changes[0]?.event.activity_id).toBe(2);
      await engine.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('delivers again a change whose delivery did not finish, then never again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'detect-pending-'));
    const store = new MemoryFindingStore();
    try {
      await writeAuditObjects(
        dir,
        Array.from({ length: 12 }, (_, i) =>
          passwordFailure('pending@example.com', '198.18.13.1', T0 + i * 30_000),
        ),
      );
      const engine = new DuckDbEngine({ dir });
      const bruteForce = rules.filter((rule) => rule.rule.id === 'password-brute-force-user');
      const run = () =>
        detect({
          engine,
          rules: bruteForce,
          range: { from: T0, to: T0 + 10 * MIN },
          store,
          now: () => T0 + 10 * MIN,
        });
      const failed = await run();
      expect(failed.changes.map((change) => change.kind)).toEqual(['new']);
      const retried = await run();
      expect(
        retried.changes.map((change) => [change.kind, change.alert, change.state.uid]),
      ).toEqual([['new', true, failed.changes[0]?.state.uid]]);
      await markDelivered(
        store,
        retried.changes[0] as (typeof retried.changes)[number],
        T0 + 10 * MIN,
      );
      expect((await run()).changes).toEqual([]);
      await engine.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives the same finding uid to the same attack found by a fresh store (a backtest run twice)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'detect-rerun-'));
    try {
      await writeAuditObjects(
        dir,
        Array.from({ length: 12 }, (_, i) =>
          passwordFailure('again@example.com', '198.18.12.1', T0 + i * 30_000),
        ),
      );
      const engine = new DuckDbEngine({ dir });
      const once = () =>
        detect({
          engine,
          rules,
          range: { from: T0 - HOUR, to: T0 + HOUR },
          store: new MemoryFindingStore(),
          now: () => T0 + HOUR,
        });
      const [a, b] = [await once(), await once()];
      expect(a.changes.length).toBeGreaterThan(0);
      expect(b.changes.map((change) => change.state.uid)).toEqual(
        a.changes.map((change) => change.state.uid),
      );
      expect(b.changes.map((change) => change.event.metadata.uid)).toEqual(
        a.changes.map((change) => change.event.metadata.uid),
      );
      await engine.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
