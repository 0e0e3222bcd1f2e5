/**
 * One detection run: every compiled rule's query on the engine over a time range, the
 * rows merged into episodes, the episodes reconciled with the finding store. Returns
 * what changed (new findings, updates, escalations) with their OCSF events; sending
 * them (audit, live feed, alerts, responses) is `deliver.ts`'s job.
 *
 * A rule whose query fails does not stop the others: its error is in the outcome, and
 * the caller decides (the scheduled handler re-reads that range on its next run).
 */
import { type Episode, mergeEpisodes, toEpisodes } from './episodes.js';
import { type DetectionFinding, findingUid, SEVERITY_IDS, toFindingEvent } from './finding.js';
import type { QueryEngine } from './query/engine.js';
import type { Rule } from './schema.js';
import { BASELINES_TABLE } from './sql/baselines.js';
import { bindSlots, type CompiledRule } from './sql/compile.js';
import { dayOf, previousDay } from './sql/days.js';
import { type ExplainQuery, SAMPLE_EVENTS, sampleQuery } from './sql/group-events.js';
import type { FindingState, FindingStore } from './store.js';

/** A day is summarised for the baselines this long after it ends (late deliveries). */
export const BASELINE_SETTLE_MS = 3_600_000;

export interface TimeRange {
  /** Epoch ms: windows ending after this are reported. */
  from: number;
  /** Epoch ms: events before this are read. */
  to: number;
}

export interface RuleRun {
  ruleId: string;
  ms: number;
  rows: number;
  episodes: number;
  bytesScanned?: number;
  error?: string;
  retryable?: boolean;
}

export type ChangeKind = 'new' | 'updated' | 'escalated';

export interface FindingChange {
  kind: ChangeKind;
  rule: Rule;
  state: FindingState;
  event: DetectionFinding;
  /** New findings and escalations are alerted; plain updates are not. */
  alert: boolean;
}

export interface DetectOutcome {
  changes: FindingChange[];
  runs: RuleRun[];
  baselines: BaselineRun[];
  /** Episodes found, including those already known (for `run --json` backtests). */
  episodes: Episode[];
}

export interface DetectOptions {
  engine: QueryEngine;
  rules: readonly CompiledRule[];
  range: TimeRange;
  store: FindingStore;
  now: () => number;
  region?: string;
  /** Called after each rule (the CLI prints progress on long runs). */
  onRule?: (run: RuleRun, index: number, total: number) => void;
  /** Runs at most this many rule queries at once (Athena: default 4; DuckDB: 1). */
  concurrency?: number;
  /**
   * The first_seen rules' baseline snapshots: a run makes sure each rule has the
   * snapshot of the last day before the run that ended `settleMs` ago (default 1 h:
   * Firehose's buffer and late CloudTrail deliveries), building it when missing (from
   * the day before's snapshot and one day of events, or from the raw baseline), and the
   * rule reads it instead of those days' raw events. `false`: every baseline is read raw.
   */
  baselines?: false | { settleMs?: number };
}

/** What a run did about one first_seen rule's baseline snapshot. */
export interface BaselineRun {
  ruleId: string;
  /** The snapshot this run built, and from what. */
  built?: { day: string; from: 'previous snapshot' | 'raw baseline' };
  /** The rule read the snapshot for the days before this one, raw events from it on. */
  summaryUntil: string;
  bytesScanned?: number;
  /** A failed build or lookup: the rule read its baseline raw (still correct, dearer). */
  error?: string;
}

/** The earliest time any of the rules reads for a run starting at `from`. */
export function scanStart(rules: readonly CompiledRule[], from: number): number {
  return Math.min(from, ...rules.map((rule) => from - rule.lookbackMs));
}

/** The `eventday` partitions a run reads. */
export function scanDays(
  rules: readonly CompiledRule[],
  range: TimeRange,
): { from: string; to: string } {
  return { from: dayOf(scanStart(rules, range.from)), to: dayOf(range.to) };
}

function severityOf(rule: Rule): number {
  return SEVERITY_IDS[rule.severity];
}

function changed(before: FindingState, after: Episode): boolean {
  if (after.lastSeen > before.lastSeen || after.peakCount > before.peakCount) return true;
  if ((after.maxPerValue ?? -1) > (before.maxPerValue ?? -1)) return true;
  for (const [field, list] of Object.entries(after.values)) {
    if (list.length > (before.values[field]?.length ?? 0)) return true;
  }
  return Object.entries(after.distinct).some(
    ([field, count]) => count > (before.distinct[field] ?? 0),
  );
}

const sampleQueries = new WeakMap<CompiledRule, ExplainQuery>();

/**
 * The uids of the latest events behind a finding (its `related_events`), merged with
 * those it has. A failed query leaves the sample as it is: the finding still goes out.
 */
async function sampleOf(
  compiled: CompiledRule,
  state: FindingState,
  options: DetectOptions,
): Promise<string[]> {
  let query = sampleQueries.get(compiled);
  if (!query) {
    query = sampleQuery(compiled.rule);
    sampleQueries.set(compiled, query);
  }
  try {
    const result = await options.engine.query(
      query.sql,
      query.params(
        { from: state.firstSeen, to: state.lastSeen },
        compiled.groupBy.map((field) => state.group[field] ?? ''),
      ),
    );
    const uids = result.rows.map((row) => String(row.event_uid)).filter((uid) => uid !== 'null');
    return [...new Set([...state.sample, ...uids])].slice(0, SAMPLE_EVENTS);
  } catch {
    return state.sample;
  }
}

/** Reconciles one episode with the store; returns the change, or undefined when nothing is new. */
async function reconcile(
  compiled: CompiledRule,
  episode: Episode,
  options: DetectOptions,
  attempt = 0,
): Promise<FindingChange | undefined> {
  const { rule } = compiled;
  const now = options.now();
  const previous = await options.store.latest(rule.id, episode.groupKey);
  const continues =
    previous !== undefined && episode.firstSeen <= previous.lastSeen + compiled.episodeGapMs;
  let state: FindingState;
  let kind: ChangeKind;
  if (previous && continues) {
    const merged = mergeEpisodes(previous, episode);
    if (!changed(previous, merged)) {
      if (!previous.pending) return undefined;
      // The run that found it could not deliver it: claim it again and deliver.
      const retry: FindingState = { ...previous, revision: previous.revision + 1, updatedAt: now };
      if (!(await options.store.save(retry, previous.revision))) return undefined;
      const event = toFindingEvent(rule, retry, previous.pending === 'new' ? 'create' : 'update', {
        now,
        ...(options.region ? { region: options.region } : {}),
      });
      return {
        kind: previous.pending,
        rule,
        state: retry,
        event,
        alert: previous.pending !== 'updated',
      };
    }
    const escalated = merged.peakCount >= 2 * Math.max(1, previous.alertedPeak);
    kind = escalated ? 'escalated' : 'updated';
    state = {
      ...previous,
      ...merged,
      uid: previous.uid,
      revision: previous.revision + 1,
      alertedPeak: escalated ? merged.peakCount : previous.alertedPeak,
      updatedAt: now,
      // A delivery still owed for an earlier revision is owed with this one.
      pending:
        escalated || previous.pending === 'escalated'
          ? 'escalated'
          : previous.pending === 'new'
            ? 'new'
            : 'updated',
    };
  } else {
    kind = 'new';
    state = {
      ...episode,
      uid: findingUid(rule.id, episode.groupKey, episode.firstSeen),
      severityId: severityOf(rule),
      alertedPeak: episode.peakCount,
      revision: 1,
      responded: [],
      updatedAt: now,
      pending: 'new',
    };
  }
  if (state.sample.length < SAMPLE_EVENTS) state.sample = await sampleOf(compiled, state, options);
  const saved = await options.store.save(state, previous?.revision);
  if (!saved) {
    // Another run saved this finding meanwhile: read it again and reconcile once more.
    if (attempt < 2) return reconcile(compiled, episode, options, attempt + 1);
    return undefined;
  }
  const event = toFindingEvent(rule, state, kind === 'new' ? 'create' : 'update', {
    now,
    ...(options.region ? { region: options.region } : {}),
  });
  const owed = state.pending ?? kind;
  return { kind: owed, rule, state, event, alert: owed !== 'updated' };
}

/**
 * Marks a change delivered (clears `pending`). False when another run saved the finding
 * since: that run then owns its delivery.
 */
export async function markDelivered(
  store: FindingStore,
  change: FindingChange,
  now: number,
  responded?: string[],
) {
  const { pending: _delivered, ...rest } = change.state;
  const done: FindingState = {
    ...rest,
    revision: change.state.revision + 1,
    updatedAt: now,
    responded: responded ?? change.state.responded,
  };
  const saved = await store.save(done, change.state.revision);
  if (saved) change.state = done;
  return saved;
}

/**
 * Brings each first_seen rule's baseline snapshot up to the last settled day before the
 * run and returns, per rule, the first day the snapshot does not hold. A failure leaves
 * that rule reading its baseline raw (the same findings, more bytes).
 */
async function prepareBaselines(
  options: DetectOptions,
): Promise<{ until: Map<string, string>; runs: BaselineRun[] }> {
  const until = new Map<string, string>();
  const runs: BaselineRun[] = [];
  const rules = options.rules.filter((compiled) => compiled.baseline);
  if (rules.length === 0 || options.baselines === false) return { until, runs };
  const settleMs = options.baselines?.settleMs ?? BASELINE_SETTLE_MS;
  const { range, engine } = options;
  // The snapshot wanted: of the last day that is before the run's first day and settled.
  const limit = [dayOf(range.from), dayOf(range.to - settleMs)].sort()[0] as string;
  const day = previousDay(limit);
  const startOf = (compiled: CompiledRule) =>
    dayOf(range.from - (compiled.baseline?.baselineMs ?? 0));
  let built: Set<string>;
  try {
    const result = await engine.query(
      `SELECT rule_id, eventday FROM ${BASELINES_TABLE} WHERE eventday >= ? AND eventday <= ? GROUP BY rule_id, eventday`,
      [previousDay(day), day],
    );
    built = new Set(result.rows.map((row) => `${String(row.rule_id)} ${String(row.eventday)}`));
  } catch (error) {
    for (const compiled of rules) {
      runs.push({
        ruleId: compiled.rule.id,
        summaryUntil: startOf(compiled),
        error: (error as Error).message,
      });
    }
    return { until, runs };
  }
  for (const compiled of rules) {
    const start = startOf(compiled);
    const run: BaselineRun = { ruleId: compiled.rule.id, summaryUntil: start };
    runs.push(run);
    if (!compiled.baseline || day < start) continue;
    if (!built.has(`${compiled.rule.id} ${day}`)) {
      const incremental = built.has(`${compiled.rule.id} ${previousDay(day)}`);
      try {
        const build = compiled.baseline.build(day, incremental);
        const result = await engine.query(build.sql, build.params);
        run.built = { day, from: incremental ? 'previous snapshot' : 'raw baseline' };
        if (result.bytesScanned !== undefined) run.bytesScanned = result.bytesScanned;
      } catch (error) {
        run.error = (error as Error).message;
        continue;
      }
    }
    run.summaryUntil = limit;
    until.set(compiled.rule.id, limit);
  }
  return { until, runs };
}

async function runRule(
  compiled: CompiledRule,
  options: DetectOptions,
  summaryUntil?: string,
): Promise<{ run: RuleRun; episodes: Episode[] }> {
  const started = performance.now();
  try {
    const result = await options.engine.query(
      compiled.sql,
      bindSlots(compiled.slots, options.range, summaryUntil),
    );
    const episodes = toEpisodes(compiled, result);
    const run: RuleRun = {
      ruleId: compiled.rule.id,
      ms: performance.now() - started,
      rows: result.rows.length,
      episodes: episodes.length,
    };
    if (result.bytesScanned !== undefined) run.bytesScanned = result.bytesScanned;
    return { run, episodes };
  } catch (error) {
    return {
      run: {
        ruleId: compiled.rule.id,
        ms: performance.now() - started,
        rows: 0,
        episodes: 0,
        error: (error as Error).message,
        retryable: (error as { retryable?: boolean }).retryable ?? false,
      },
      episodes: [],
    };
  }
}

/**
 * Runs the rules over `range` and reconciles what they found with the store.
 *
 * @example
 * ```ts
 * const engine = new DuckDbEngine({ dir: '.local/audit' });
 * const { changes } = await detect({ engine, rules: loadRulesFile(DEFAULT_RULES_FILE).compiled,
 *   range: { from: Date.now() - 3_600_000, to: Date.now() }, store: new MemoryFindingStore(), now: Date.now });
 * ```
 */
export async function detect(options: DetectOptions): Promise<DetectOutcome> {
  const concurrency = Math.max(
    1,
    options.concurrency ?? (options.engine.name === 'athena' ? 4 : 1),
  );
  const baselines = await prepareBaselines(options);
  const results: { run: RuleRun; episodes: Episode[] }[] = new Array(options.rules.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < options.rules.length) {
      const index = next++;
      const compiled = options.rules[index] as CompiledRule;
      results[index] = await runRule(compiled, options, baselines.until.get(compiled.rule.id));
      done += 1;
      options.onRule?.(results[index].run, done, options.rules.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, options.rules.length) }, worker));
  const changes: FindingChange[] = [];
  const episodes: Episode[] = [];
  for (const [index, compiled] of options.rules.entries()) {
    for (const episode of results[index]?.episodes ?? []) {
      episodes.push(episode);
      const change = await reconcile(compiled, episode, options);
      if (change) changes.push(change);
    }
  }
  return {
    changes,
    runs: results.map((result) => result.run),
    baselines: baselines.runs,
    episodes,
  };
}
