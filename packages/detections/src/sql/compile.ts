/**
 * Rules to SQL, once: every rule becomes one SELECT over the view `authwatch_events`
 * that Athena (Trino) and DuckDB both run as it is (DuckDB gets a few macros for the
 * functions it names differently, see `query/duckdb-shim.ts`). Time bounds are bound
 * parameters (`?`), so the text of a rule's query never changes between runs.
 *
 * Windows: a rule with a timespan T looks at windows [end - T, end) whose ends are
 * multiples of T / windowSteps (hopping windows, each event counted in every window
 * that holds it). A burst that fits in T - T / windowSteps is always inside one
 * window; the engine then merges a group's overlapping matching windows into one
 * finding. Every query returns one row per matching window (or per matching event for
 * first_seen, travel and sequences) with the same columns:
 *
 * | column | meaning |
 * | --- | --- |
 * | `g0`, `g1`, ... | the group's values (varchar) |
 * | `window_end` | the window's end (epoch ms), or the matching event's time |
 * | `first_seen`, `last_seen` | first and last matching event |
 * | `event_count` | events in the window |
 * | `distinct_<i>` | distinct values of the i-th counted field |
 * | `max_per_value` | most events of one value of the per-value field |
 * | `values_<i>` | JSON array: distinct values of the i-th evidence field (at most 20) |
 * | `distance_km`, `speed_kmh` | travel rules only |
 */
import { durationMs } from '../duration.js';
import { fieldSql } from '../fields.js';
import type { Filter, Rule, RulesFile } from '../schema.js';
import { BASELINES_TABLE, type BaselineBuild, baselineBuilder } from './baselines.js';
import { dayOf, previousDay } from './days.js';
import { compileFilter, type Problem, stepFilter } from './filter.js';
import { sqlNumber, sqlString } from './literals.js';
import { EVENTS_VIEW } from './view.js';

export { EVENTS_VIEW };

/** At most this many distinct values per evidence field. */
export const EVIDENCE_VALUES = 20;

/** Default evidence fields (the group-by fields are left out of them). */
export const DEFAULT_EVIDENCE = [
  'user.name',
  'src_endpoint.ip',
  'src_endpoint.location.country',
  'status_detail',
] as const;

/**
 * A bound parameter: `from`/`to` of the run (epoch ms), a day string (`yyyyMMdd`) of
 * `from - lookbackMs` or of `to`, or a time `from - lookbackMs`.
 */
export type Slot =
  | { kind: 'to_ms' }
  | { kind: 'to_day' }
  | { kind: 'from_ms'; lookbackMs: number }
  | { kind: 'from_day'; lookbackMs: number }
  | { kind: 'summary_until'; lookbackMs: number }
  | { kind: 'summary_day'; lookbackMs: number };

export interface EvidenceColumn {
  column: string;
  field: string;
}

export interface CompiledRule {
  rule: Rule;
  sql: string;
  slots: Slot[];
  /** The group-by fields, in the order of the `g<i>` columns. */
  groupBy: string[];
  /** `distinct_<i>` columns and what they count. */
  distinct: EvidenceColumn[];
  /** `values_<i>` columns and what they list. */
  values: EvidenceColumn[];
  /** Whether rows carry `max_per_value` (and of which field). */
  perValueField?: string;
  /** How far before `from` the query reads. */
  lookbackMs: number;
  /** Matching rows of a group at most this far apart belong to one finding. */
  episodeGapMs: number;
  /**
   * `first_seen` rules: how long the baseline is, and the INSERT that summarises some
   * days into `authwatch_baselines` (see `BaselineBuild`).
   */
  baseline?: {
    baselineMs: number;
    /** The INSERT of `day`'s snapshot; `incremental`: from the previous day's snapshot. */
    build: (day: string, incremental: boolean) => BaselineBuild;
  };
}

const SLOT_MARK = '\u0001';

class SqlText {
  readonly slots: Slot[] = [];
  slot(slot: Slot): string {
    this.slots.push(slot);
    return `${SLOT_MARK}${this.slots.length - 1}${SLOT_MARK}`;
  }
  /** Replaces slot marks with `?` in text order and orders the slots to match. */
  finish(text: string): { sql: string; slots: Slot[] } {
    const ordered: Slot[] = [];
    const sql = text.replace(new RegExp(`${SLOT_MARK}(\\d+)${SLOT_MARK}`, 'g'), (_, index) => {
      ordered.push(this.slots[Number(index)] as Slot);
      return '?';
    });
    return { sql, slots: ordered };
  }
}

const sqlOf = fieldSql;

function jsonList(expr: string): string {
  return `json_format(CAST(${expr} AS JSON))`;
}

function distinctValues(alias: string): string {
  return jsonList(
    `slice(array_sort(array_agg(DISTINCT ${alias}) FILTER (WHERE ${alias} IS NOT NULL)), 1, ${EVIDENCE_VALUES})`,
  );
}

interface Ctx {
  text: SqlText;
  windowSteps: number;
  rules: Map<string, Rule>;
  problem: Problem;
}

/** The scan of the view common to every rule: partition and time bounds, then the filter. */
function scanWhere(ctx: Ctx, filterSql: string, lookbackMs: number, notNull: string[]): string {
  const { text } = ctx;
  return [
    `eventday >= ${text.slot({ kind: 'from_day', lookbackMs })}`,
    `eventday <= ${text.slot({ kind: 'to_day' })}`,
    `time >= ${text.slot({ kind: 'from_ms', lookbackMs })}`,
    `time < ${text.slot({ kind: 'to_ms' })}`,
    `(${filterSql})`,
    ...notNull.map((expr) => `${expr} IS NOT NULL`),
  ].join('\n    AND ');
}

function groupColumns(groupBy: string[], prefix = ''): string {
  return groupBy.map((_, index) => `${prefix}g${index}`).join(', ');
}

function evidenceFields(rule: Rule): string[] {
  const group = new Set(rule.correlation['group-by']);
  return (rule.evidence ?? [...DEFAULT_EVIDENCE]).filter((field) => !group.has(field));
}

function filterOrFail(ctx: Ctx, filter: Filter, at: string): string {
  return compileFilter(filter, at, ctx.problem) ?? 'false';
}

interface WindowedParts {
  ctes: string[];
  /** The CTE holding one row per matching window with the standard columns. */
  result: string;
  distinct: EvidenceColumn[];
  values: EvidenceColumn[];
  perValueField?: string;
}

/**
 * event_count and value_count rules. `prefix` keeps CTE names apart when a sequence
 * inlines the rule; `fromLookbackMs` moves the report bound back for such a use.
 */
function windowedParts(
  ctx: Ctx,
  rule: Rule,
  prefix: string,
  fromLookbackMs: number,
): WindowedParts {
  const correlation = rule.correlation;
  if (correlation.type !== 'event_count' && correlation.type !== 'value_count') {
    throw new RangeError(`rule ${rule.id} is not a windowed rule`);
  }
  const groupBy = correlation['group-by'];
  const spanMs = durationMs(correlation.timespan);
  const hopMs = Math.max(1, Math.floor(spanMs / ctx.windowSteps));
  const steps = Math.ceil(spanMs / hopMs);
  const counted =
    correlation.type === 'value_count'
      ? [{ field: correlation.condition.field, gte: correlation.condition.gte }]
      : Object.entries(correlation.value_count ?? {}).map(([field, { gte }]) => ({ field, gte }));
  const minEvents = correlation.type === 'event_count' ? correlation.condition.gte : undefined;
  const perValue = correlation.per_value;
  const evidence = evidenceFields(rule);

  const select = [
    ...groupBy.map((field, index) => `CAST(${sqlOf(field)} AS VARCHAR) AS g${index}`),
    ...counted.map(({ field }, index) => `${sqlOf(field)} AS d${index}`),
    ...evidence.map((field, index) => `CAST(${sqlOf(field)} AS VARCHAR) AS e${index}`),
    ...(perValue ? [`CAST(${sqlOf(perValue.field)} AS VARCHAR) AS pv`] : []),
    'time AS t',
  ];
  const filterSql = filterOrFail(ctx, rule.filter, 'filter');
  const lookbackMs = spanMs + fromLookbackMs;
  const g = groupColumns(groupBy);
  const base = `${prefix}base AS (
  SELECT ${select.join(', ')}
  FROM ${EVENTS_VIEW}
  WHERE ${scanWhere(ctx, filterSql, lookbackMs, groupBy.map(sqlOf))}
)`;
  const having = [
    ...(minEvents !== undefined ? [`count(*) >= ${sqlNumber(minEvents)}`] : []),
    ...counted.map(({ gte }, index) => `count(DISTINCT d${index}) >= ${sqlNumber(gte)}`),
  ];
  const onGroup = (left: string, right: string) =>
    groupBy.map((_, index) => `${left}.g${index} = ${right}.g${index}`).join(' AND ');
  // A window holds at most the events of the whole scan: groups that fail the
  // thresholds over the whole scan cannot match in any window (most groups of normal
  // traffic), so only the others are spread over windows.
  const candidates = `${prefix}candidates AS (
  SELECT ${g}
  FROM ${prefix}base
  GROUP BY ${g}${having.length > 0 ? `\n  HAVING ${having.join(' AND ')}` : ''}
)`;
  const windows = `${prefix}windows AS (
  SELECT b.*, b.t - (b.t % ${hopMs}) + ${hopMs} * (w.k + 1) AS window_end
  FROM ${prefix}base b
  JOIN ${prefix}candidates c ON ${onGroup('b', 'c')}
  CROSS JOIN UNNEST(sequence(0, ${steps - 1})) AS w (k)
  WHERE b.t - (b.t % ${hopMs}) + ${hopMs} * (w.k + 1) > ${ctx.text.slot({ kind: 'from_ms', lookbackMs: fromLookbackMs })}
)`;
  // Counts first, for every candidate window; the evidence (lists of values) only for
  // the windows that match.
  const counts = `${prefix}counts AS (
  SELECT ${g}, window_end, count(*) AS event_count, min(t) AS first_seen, max(t) AS last_seen${counted
    .map((_, index) => `,\n    count(DISTINCT d${index}) AS distinct_${index}`)
    .join('')}
  FROM ${prefix}windows
  GROUP BY ${g}, window_end${having.length > 0 ? `\n  HAVING ${having.join(' AND ')}` : ''}
)`;
  const ctes = [base, candidates, windows, counts];
  let matchedWindows = `${prefix}counts`;
  if (perValue) {
    ctes.push(`${prefix}per_value AS (
  SELECT w.${g.split(', ').join(', w.')}, w.window_end, w.pv, count(*) AS n
  FROM ${prefix}windows w
  JOIN ${prefix}counts m ON ${onGroup('w', 'm')} AND w.window_end = m.window_end
  GROUP BY w.${g.split(', ').join(', w.')}, w.window_end, w.pv
)`);
    ctes.push(`${prefix}constrained AS (
  SELECT m.*, p.max_per_value
  FROM ${prefix}counts m
  JOIN (SELECT ${g}, window_end, max(n) AS max_per_value FROM ${prefix}per_value GROUP BY ${g}, window_end) p
    ON ${onGroup('m', 'p')} AND m.window_end = p.window_end
  WHERE p.max_per_value <= ${sqlNumber(perValue.lte)}${perValue.gte !== undefined ? ` AND p.max_per_value >= ${sqlNumber(perValue.gte)}` : ''}
)`);
    matchedWindows = `${prefix}constrained`;
  }
  const keep = [
    'event_count',
    'first_seen',
    'last_seen',
    ...counted.map((_, index) => `distinct_${index}`),
    ...(perValue ? ['max_per_value'] : []),
  ];
  ctes.push(`${prefix}matched AS (
  SELECT ${groupBy.map((_, index) => `m.g${index}`).join(', ')}, m.window_end, ${keep.map((column) => `m.${column}`).join(', ')}${evidence
    .map((_, index) => `,\n    ${distinctValues(`w.e${index}`)} AS values_${index}`)
    .join('')}
  FROM ${matchedWindows} m
  JOIN ${prefix}windows w ON ${onGroup('m', 'w')} AND m.window_end = w.window_end
  GROUP BY ${groupBy.map((_, index) => `m.g${index}`).join(', ')}, m.window_end, ${keep.map((column) => `m.${column}`).join(', ')}
)`);
  const result = `${prefix}matched`;
  return {
    ctes,
    result,
    distinct: counted.map(({ field }, index) => ({ column: `distinct_${index}`, field })),
    values: evidence.map((field, index) => ({ column: `values_${index}`, field })),
    ...(perValue ? { perValueField: perValue.field } : {}),
  };
}

function compileWindowed(
  ctx: Ctx,
  rule: Rule,
): Omit<CompiledRule, 'rule' | 'sql' | 'slots'> & { text: string } {
  const parts = windowedParts(ctx, rule, '', 0);
  const spanMs = durationMs((rule.correlation as { timespan: string }).timespan);
  return {
    text: `WITH ${parts.ctes.join(',\n')}\nSELECT * FROM ${parts.result}\nORDER BY ${groupColumns(rule.correlation['group-by'])}, window_end`,
    groupBy: rule.correlation['group-by'],
    distinct: parts.distinct,
    values: parts.values,
    ...(parts.perValueField ? { perValueField: parts.perValueField } : {}),
    lookbackMs: spanMs,
    episodeGapMs: spanMs,
  };
}

function compileOrdered(
  ctx: Ctx,
  rule: Rule,
): Omit<CompiledRule, 'rule' | 'sql' | 'slots'> & { text: string } {
  const correlation = rule.correlation;
  if (correlation.type !== 'temporal_ordered') throw new RangeError('not a sequence');
  const groupBy = correlation['group-by'];
  const spanMs = durationMs(correlation.timespan);
  const ctes: string[] = [];
  let lookbackMs = spanMs;
  const stepNames: string[] = [];
  const g = groupColumns(groupBy);
  correlation.sequence.forEach((step, index) => {
    const name = `s${index}`;
    stepNames.push(name);
    if ('rules' in step) {
      const unions: string[] = [];
      step.rules.forEach((id, position) => {
        const referenced = ctx.rules.get(id);
        if (!referenced) return; // reported by the loader
        const parts = windowedParts(ctx, referenced, `${name}_r${position}_`, spanMs);
        const referencedSpan = durationMs(
          (referenced.correlation as { timespan: string }).timespan,
        );
        lookbackMs = Math.max(lookbackMs, spanMs + referencedSpan);
        ctes.push(...parts.ctes);
        unions.push(
          `SELECT ${g}, first_seen, last_seen, CAST(${`'${id}'`} AS VARCHAR) AS rule_id FROM ${parts.result}`,
        );
      });
      ctes.push(
        `${name} AS (\n  ${unions.length > 0 ? unions.join('\n  UNION ALL\n  ') : `SELECT ${groupBy.map((_, i) => `CAST(NULL AS VARCHAR) AS g${i}`).join(', ')}, CAST(NULL AS BIGINT) AS first_seen, CAST(NULL AS BIGINT) AS last_seen, CAST(NULL AS VARCHAR) AS rule_id WHERE false`}\n)`,
      );
    } else {
      // The rule's base filter holds for every event the rule looks at, each step's too.
      const filterSql = stepFilter(rule.filter, step.filter, index, ctx.problem) ?? 'false';
      ctes.push(`${name} AS (
  SELECT ${groupBy.map((field, i) => `CAST(${sqlOf(field)} AS VARCHAR) AS g${i}`).join(', ')}, time AS first_seen, time AS last_seen, CAST(NULL AS VARCHAR) AS rule_id
  FROM ${EVENTS_VIEW}
  WHERE ${scanWhere(ctx, filterSql, spanMs, groupBy.map(sqlOf))}
)`);
    }
  });
  const [first, ...rest] = stepNames as [string, ...string[]];
  const last = stepNames[stepNames.length - 1] as string;
  const joins = rest
    .map((name, index) => {
      const previous = stepNames[index] as string;
      const on = groupBy.map((_, i) => `${name}.g${i} = ${previous}.g${i}`).join(' AND ');
      return `JOIN ${name} ON ${on} AND ${name}.first_seen > ${previous}.first_seen AND ${name}.first_seen <= ${previous}.last_seen + ${spanMs}`;
    })
    .join('\n');
  const select = `SELECT ${groupBy.map((_, i) => `${last}.g${i} AS g${i}`).join(', ')}, ${last}.first_seen AS window_end,
  min(${first}.first_seen) AS first_seen, max(${last}.last_seen) AS last_seen, count(DISTINCT ${last}.first_seen) AS event_count,
  ${jsonList(`array_sort(array_agg(DISTINCT ${first}.rule_id) FILTER (WHERE ${first}.rule_id IS NOT NULL))`)} AS values_0
FROM ${first}
${joins}
WHERE ${last}.first_seen > ${ctx.text.slot({ kind: 'from_ms', lookbackMs: 0 })}
  AND ${last}.first_seen <= ${first}.first_seen + ${spanMs}
GROUP BY ${groupBy.map((_, i) => `${last}.g${i}`).join(', ')}, ${last}.first_seen
ORDER BY ${g}, window_end`;
  return {
    text: `WITH ${ctes.join(',\n')}\n${select}`,
    groupBy,
    distinct: [],
    values: [{ column: 'values_0', field: 'finding_info.analytic.uid' }],
    lookbackMs,
    episodeGapMs: spanMs,
  };
}

function compileFirstSeen(
  ctx: Ctx,
  rule: Rule,
): Omit<CompiledRule, 'rule' | 'sql' | 'slots'> & { text: string } {
  const correlation = rule.correlation;
  if (correlation.type !== 'first_seen') throw new RangeError('not first_seen');
  const groupBy = correlation['group-by'];
  const baselineMs = durationMs(correlation.baseline);
  const g = groupColumns(groupBy);
  const evidence = evidenceFields(rule).filter((field) => field !== correlation.field);
  const filterSql = filterOrFail(ctx, rule.filter, 'filter');
  const groupSelect = groupBy
    .map((field, i) => `CAST(${sqlOf(field)} AS VARCHAR) AS g${i}`)
    .join(', ');
  const notNull = [...groupBy.map(sqlOf), sqlOf(correlation.field)];
  const onGroup = (left: string, right: string) =>
    groupBy.map((_, i) => `${left}.g${i} = ${right}.g${i}`).join(' AND ');
  // The run's own events, with everything a finding shows; the baseline reads only the
  // group, the value and the time (the columns Athena scans over the whole baseline).
  const recent = `recent AS (
  SELECT ${groupSelect}, CAST(${sqlOf(correlation.field)} AS VARCHAR) AS v,
    ${evidence.map((field, i) => `CAST(${sqlOf(field)} AS VARCHAR) AS e${i}, `).join('')}time AS t
  FROM ${EVENTS_VIEW}
  WHERE ${scanWhere(ctx, filterSql, 0, notNull)}
)`;
  // The baseline: the snapshot of the day before `summary_until` (a value's first and
  // last time stand for its events: the last is the latest earlier sighting the
  // condition compares with, either keeps the group seen), then the raw events from
  // that day on. Without a snapshot the `summary_day` matches nothing.
  const gCols = groupBy.map((_, i) => `g${i}`).join(', ');
  const summaryWhere = () =>
    `rule_id = ${sqlString(rule.id)}
      AND eventday = ${ctx.text.slot({ kind: 'summary_day', lookbackMs: baselineMs })}`;
  const history = `history AS (
  SELECT ${gCols}, v, t FROM (
    SELECT ${gCols}, v, first_time AS t FROM ${BASELINES_TABLE}
    WHERE ${summaryWhere()}
    UNION ALL
    SELECT ${gCols}, v, last_time AS t FROM ${BASELINES_TABLE}
    WHERE ${summaryWhere()}
  ) summary
  WHERE t >= ${ctx.text.slot({ kind: 'from_ms', lookbackMs: baselineMs })} AND t < ${ctx.text.slot({ kind: 'to_ms' })}
  UNION ALL
  SELECT ${groupSelect}, CAST(${sqlOf(correlation.field)} AS VARCHAR) AS v, time AS t
  FROM ${EVENTS_VIEW}
  WHERE eventday >= ${ctx.text.slot({ kind: 'summary_until', lookbackMs: baselineMs })}
    AND ${scanWhere(ctx, filterSql, baselineMs, notNull)}
)`;
  const build = baselineBuilder({
    ruleId: rule.id,
    groupSelect,
    groups: groupBy.length,
    valueSql: sqlOf(correlation.field),
    filterSql,
    notNull,
    baselineMs,
  });
  const seq = `seq AS (
  SELECT h.*, lag(h.t) OVER (PARTITION BY ${groupBy.map((_, i) => `h.g${i}`).join(', ')}, h.v ORDER BY h.t) AS previous_same,
    min(h.t) OVER (PARTITION BY ${groupBy.map((_, i) => `h.g${i}`).join(', ')}) AS group_first
  FROM history h
  JOIN (SELECT DISTINCT ${g} FROM recent) c ON ${onGroup('h', 'c')}
)`;
  const select = `SELECT ${groupBy.map((_, i) => `r.g${i}`).join(', ')}, r.t AS window_end, r.t AS first_seen, r.t AS last_seen, CAST(1 AS BIGINT) AS event_count,
  ${jsonList('ARRAY[r.v]')} AS values_0${evidence.map((_, i) => `, ${jsonList(`ARRAY[r.e${i}]`)} AS values_${i + 1}`).join('')}
FROM recent r
JOIN seq s ON ${onGroup('r', 's')} AND s.v = r.v AND s.t = r.t
WHERE r.t > ${ctx.text.slot({ kind: 'from_ms', lookbackMs: 0 })}
  AND s.group_first < r.t
  AND (s.previous_same IS NULL OR r.t - s.previous_same > ${baselineMs})
ORDER BY ${groupBy.map((_, i) => `g${i}`).join(', ')}, window_end`;
  return {
    text: `WITH ${recent},\n${history},\n${seq}\n${select}`,
    groupBy,
    distinct: [],
    values: [
      { column: 'values_0', field: correlation.field },
      ...evidence.map((field, i) => ({ column: `values_${i + 1}`, field })),
    ],
    lookbackMs: baselineMs,
    episodeGapMs: 3_600_000,
    baseline: { baselineMs, build },
  };
}

function compileTravel(
  ctx: Ctx,
  rule: Rule,
): Omit<CompiledRule, 'rule' | 'sql' | 'slots'> & { text: string } {
  const correlation = rule.correlation;
  if (correlation.type !== 'travel') throw new RangeError('not travel');
  const groupBy = correlation['group-by'];
  const spanMs = durationMs(correlation.timespan);
  const g = groupColumns(groupBy);
  const lat = sqlOf('src_endpoint.location.lat');
  const lon = sqlOf('src_endpoint.location.long');
  const filterSql = filterOrFail(ctx, rule.filter, 'filter');
  const over = `OVER (PARTITION BY ${g} ORDER BY t)`;
  const base = `base AS (
  SELECT ${groupBy.map((field, i) => `CAST(${sqlOf(field)} AS VARCHAR) AS g${i}`).join(', ')}, ${lat} AS lat, ${lon} AS lon,
    CAST(${sqlOf('src_endpoint.location.country')} AS VARCHAR) AS country, CAST(${sqlOf('src_endpoint.ip')} AS VARCHAR) AS ip,
    time AS t
  FROM ${EVENTS_VIEW}
  WHERE ${scanWhere(ctx, filterSql, spanMs, [...groupBy.map(sqlOf), lat, lon])}
)`;
  const moves = `moves AS (
  SELECT base.*, lag(t) ${over} AS previous_t, lag(lat) ${over} AS previous_lat, lag(lon) ${over} AS previous_lon,
    lag(country) ${over} AS previous_country, lag(ip) ${over} AS previous_ip
  FROM base
),
distances AS (
  SELECT moves.*, great_circle_distance(previous_lat, previous_lon, lat, lon) AS km
  FROM moves
  WHERE previous_t IS NOT NULL AND t - previous_t <= ${spanMs}
)`;
  const minKm = correlation.min_distance_km ?? 100;
  const select = `SELECT ${g}, t AS window_end, previous_t AS first_seen, t AS last_seen, CAST(2 AS BIGINT) AS event_count,
  ${jsonList('ARRAY[previous_country, country]')} AS values_0, ${jsonList('ARRAY[previous_ip, ip]')} AS values_1,
  CAST(round(km) AS BIGINT) AS distance_km,
  CAST(round(km * 3600000.0 / greatest(t - previous_t, 1)) AS BIGINT) AS speed_kmh
FROM distances
WHERE t > ${ctx.text.slot({ kind: 'from_ms', lookbackMs: 0 })}
  AND km >= ${sqlNumber(minKm)}
  AND km * 3600000.0 > ${sqlNumber(correlation.max_speed_kmh)} * greatest(t - previous_t, 1)
ORDER BY ${g}, window_end`;
  return {
    text: `WITH ${base},\n${moves}\n${select}`,
    groupBy,
    distinct: [],
    values: [
      { column: 'values_0', field: 'src_endpoint.location.country' },
      { column: 'values_1', field: 'src_endpoint.ip' },
    ],
    lookbackMs: spanMs,
    episodeGapMs: spanMs,
  };
}

/**
 * Compiles one rule of a validated file. `problem` receives filter problems (the
 * loader has checked everything else); the SQL of a rule with problems is not used.
 */
export function compileRule(
  rule: Rule,
  file: Pick<RulesFile, 'rules' | 'settings'>,
  problem: Problem = () => undefined,
): CompiledRule {
  const ctx: Ctx = {
    text: new SqlText(),
    windowSteps: file.settings?.windowSteps ?? 10,
    rules: new Map(file.rules.map((item) => [item.id, item])),
    problem,
  };
  const type = rule.correlation.type;
  const parts =
    type === 'event_count' || type === 'value_count'
      ? compileWindowed(ctx, rule)
      : type === 'temporal_ordered'
        ? compileOrdered(ctx, rule)
        : type === 'first_seen'
          ? compileFirstSeen(ctx, rule)
          : compileTravel(ctx, rule);
  const { text, ...rest } = parts;
  const { sql, slots } = ctx.text.finish(text);
  return { rule, sql, slots, ...rest };
}

/** The values of a compiled rule's parameters for a run over [from, to). */
export function bindSlots(
  slots: readonly Slot[],
  range: { from: number; to: number },
  /** The first day the baseline summary does not hold (default: it holds none). */
  summaryUntil?: string,
): (number | string)[] {
  // The raw events are read from `until` on; the snapshot of the day before holds the
  // baseline up to it. Never past the run's own first day (its events must come raw: they
  // are the run's candidates), never before the baseline's first day (then there is no
  // snapshot, and `day` is one no snapshot can have).
  const summaryBounds = (lookbackMs: number) => {
    const start = dayOf(range.from - lookbackMs);
    const limit = dayOf(range.from);
    const wanted = summaryUntil ?? start;
    // yyyyMMdd days order as text: the earlier of `wanted` and `limit`, not before `start`.
    const earlier = [wanted, limit].sort()[0] as string;
    const until = [earlier, start].sort()[1] as string;
    return { until, day: until === start ? '00000000' : previousDay(until) };
  };
  return slots.map((slot) => {
    switch (slot.kind) {
      case 'to_ms':
        return range.to;
      case 'to_day':
        return dayOf(range.to);
      case 'from_ms':
        return range.from - slot.lookbackMs;
      case 'summary_until':
        return summaryBounds(slot.lookbackMs).until;
      case 'summary_day':
        return summaryBounds(slot.lookbackMs).day;
      default:
        return dayOf(range.from - slot.lookbackMs);
    }
  });
}
