/**
 * The first_seen rules' baseline snapshots: a run builds the snapshot of the last settled
 * day before it once (from the raw baseline, or from the day before's snapshot and one
 * day of events), later runs read it instead of those days' raw events, and the findings
 * are the same either way (a value's first and last time stand exactly for the raw
 * events the condition compares with).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DetectOutcome, detect } from '../../src/detect.js';
import { loadRulesFile } from '../../src/load.js';
import { DEFAULT_RULES_FILE } from '../../src/paths.js';
import { DuckDbEngine } from '../../src/query/duckdb.js';
import type { QueryEngine } from '../../src/query/engine.js';
import { dayOf, previousDay } from '../../src/sql/days.js';
import { loadTrinoGrammar } from '../../src/sql/trino-grammar.js';
import { MemoryFindingStore } from '../../src/store.js';
import { DAY_MS, HOUR, PLACES, signIn, T0, writeAuditObjects } from '../support/events.js';

const times = (count: number, start: number, step: number) =>
  Array.from({ length: count }, (_, i) => start + i * step);

const rules = loadRulesFile(DEFAULT_RULES_FILE).compiled.filter(
  (compiled) => compiled.rule.correlation.type === 'first_seen',
);
const newCountry = rules.filter((compiled) => compiled.rule.id === 'new-country-user');
const range = { from: T0 - HOUR, to: T0 + HOUR };

/** Four weeks of sign-ins: a commuter between two countries, a traveller, a new user. */
function month(): object[] {
  return [
    // Paris and Berlin on alternate days: never new.
    ...times(27, T0 - 27 * DAY_MS, DAY_MS).map((t, i) =>
      signIn('commuter@example.com', '203.0.113.40', t, i % 2 ? PLACES.berlin : PLACES.paris),
    ),
    signIn('commuter@example.com', '203.0.113.40', T0, PLACES.paris),
    // Seen in Paris 20 days ago, then today from Berlin: new.
    signIn('traveller@example.com', '203.0.113.41', T0 - 20 * DAY_MS, PLACES.paris),
    signIn('traveller@example.com', '198.18.9.9', T0, PLACES.berlin),
    // Berlin 30 days ago (outside the 28-day baseline), Paris since, Berlin today: new.
    signIn('returner@example.com', '203.0.113.42', T0 - 30 * DAY_MS, PLACES.berlin),
    ...times(5, T0 - 10 * DAY_MS, DAY_MS).map((t) =>
      signIn('returner@example.com', '203.0.113.42', t, PLACES.paris),
    ),
    signIn('returner@example.com', '198.18.9.10', T0 + 5 * 60_000, PLACES.berlin),
    // A user's first sign-in ever is not "a new country".
    signIn('newcomer@example.com', '203.0.113.43', T0, PLACES.sydney),
    // The next day: the traveller again from Berlin (seen yesterday: not new), and a user
    // seen in New York five days ago now in Sydney (new).
    signIn('traveller@example.com', '198.18.9.9', T0 + DAY_MS, PLACES.berlin),
    signIn('flyer@example.com', '203.0.113.44', T0 - 5 * DAY_MS, PLACES.newYork),
    signIn('flyer@example.com', '198.18.9.11', T0 + DAY_MS + 60_000, PLACES.sydney),
  ];
}

const found = (outcome: DetectOutcome) =>
  outcome.changes.map((change) => `${change.rule.id} ${JSON.stringify(change.state.group)}`).sort();

describe('baseline summaries of the first_seen rules', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'detect-baselines-'));
    await writeAuditObjects(dir, month());
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('builds the snapshot of the day before the run once, and finds what the raw baseline finds', async () => {
    const raw = new DuckDbEngine({ dir });
    const withRaw = await detect({
      engine: raw,
      rules,
      range,
      store: new MemoryFindingStore(),
      now: () => range.to,
      baselines: false,
    });
    await raw.close();

    const engine = new DuckDbEngine({ dir });
    const first = await detect({
      engine,
      rules,
      range,
      store: new MemoryFindingStore(),
      now: () => range.to,
    });
    const second = await detect({
      engine,
      rules,
      range,
      store: new MemoryFindingStore(),
      now: () => range.to,
    });
    const snapshotRows = Number(
      (
        await engine.query(
          "SELECT count(*) AS n FROM authwatch_baselines WHERE rule_id = 'new-country-user' AND v IS NOT NULL",
          [],
        )
      ).rows[0]?.n,
    );
    await engine.close();

    expect(withRaw.baselines).toEqual([]);
    expect(found(withRaw)).toEqual([
      'new-country-user {"user.uid":"sub-returner@example.com"}',
      'new-country-user {"user.uid":"sub-traveller@example.com"}',
    ]);
    expect(found(first)).toEqual(found(withRaw));
    expect(found(second)).toEqual(found(withRaw));
    const yesterday = previousDay(dayOf(range.from));
    expect(first.baselines.find((b) => b.ruleId === 'new-country-user')).toMatchObject({
      built: { day: yesterday, from: 'raw baseline' },
      summaryUntil: dayOf(range.from),
    });
    expect(second.baselines.every((b) => b.built === undefined && !b.error)).toBe(true);
    expect(second.baselines.every((b) => b.summaryUntil === dayOf(range.from))).toBe(true);
    // One row per user and country of the 28 days (the commuter's two countries, the
    // traveller's, the returner's Paris and the flyer's New York): not one per sign-in.
    expect(snapshotRows).toBe(5);
  });

  it('builds the next day’s snapshot from the previous one and a day of events, with the same findings', async () => {
    const engine = new DuckDbEngine({ dir });
    await detect({
      engine,
      rules: newCountry,
      range,
      store: new MemoryFindingStore(),
      now: () => range.to,
    });
    const nextRange = { from: range.from + DAY_MS, to: range.to + DAY_MS };
    const next = await detect({
      engine,
      rules: newCountry,
      range: nextRange,
      store: new MemoryFindingStore(),
      now: () => nextRange.to,
    });
    await engine.close();
    const raw = new DuckDbEngine({ dir });
    const nextRaw = await detect({
      engine: raw,
      rules: newCountry,
      range: nextRange,
      store: new MemoryFindingStore(),
      now: () => nextRange.to,
      baselines: false,
    });
    await raw.close();
    expect(next.baselines[0]?.built).toEqual({ day: dayOf(T0), from: 'previous snapshot' });
    expect(found(nextRaw)).toEqual(['new-country-user {"user.uid":"sub-flyer@example.com"}']);
    expect(found(next)).toEqual(found(nextRaw));
  });

  it('does not build a snapshot of a day until it has settled, nor of the run’s own day', async () => {
    const engine = new DuckDbEngine({ dir });
    // A run just after midnight: yesterday is not settled yet (1 h), so it is read raw.
    const midnight = Date.UTC(2026, 10, 23, 0, 20, 0);
    const outcome = await detect({
      engine,
      rules: newCountry,
      range: { from: midnight - 10 * 60_000, to: midnight },
      store: new MemoryFindingStore(),
      now: () => midnight,
    });
    await engine.close();
    expect(outcome.baselines[0]).toMatchObject({
      built: { day: '20261121', from: 'raw baseline' },
      summaryUntil: '20261122',
    });
  });

  it('reads the baseline raw, and says why, when the summary table cannot be read', async () => {
    const inner = new DuckDbEngine({ dir });
    const engine: QueryEngine = {
      name: 'duckdb',
      query: (sql, params) =>
        /authwatch_baselines/.test(sql) && !/authwatch_events/.test(sql)
          ? Promise.reject(new Error('TABLE_NOT_FOUND: authwatch_baselines'))
          : inner.query(sql, params),
      close: () => inner.close(),
    };
    const outcome = await detect({
      engine,
      rules: newCountry,
      range,
      store: new MemoryFindingStore(),
      now: () => range.to,
    });
    await engine.close();
    expect(outcome.baselines[0]?.error).toContain('TABLE_NOT_FOUND');
    expect(outcome.runs[0]?.error).toBeUndefined();
    expect(found(outcome)).toHaveLength(2);
  });

  it('writes INSERTs and reads that Athena (Trino) parses', async () => {
    const grammar = await loadTrinoGrammar();
    for (const compiled of rules) {
      const build = compiled.baseline?.build('20261122', true);
      expect(build?.params.slice(0, 1)).toEqual(['20261121']);
      expect(build?.params.slice(2, 4)).toEqual(['20261122', '20261122']);
      expect(grammar.validate(build?.sql ?? ''), compiled.rule.id).toEqual([]);
      expect(grammar.validate(compiled.sql), compiled.rule.id).toEqual([]);
    }
    // From the raw baseline: the raw days start at the cut-off's day.
    const full = newCountry[0]?.baseline?.build('20261122', false);
    expect(full?.params[2]).toBe('20261026');
    expect(full?.params[1]).toBe(Date.UTC(2026, 10, 23) - 28 * DAY_MS);
    expect(() => newCountry[0]?.baseline?.build("2026'1121", true)).toThrow(/yyyyMMdd/);
  });
});
