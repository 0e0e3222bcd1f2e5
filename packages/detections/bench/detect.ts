/**
 * `pnpm bench` for the detections:
 *
 * 1. Every default rule over 1,000,000 generated events on DuckDB (a day of sign-ins at
 *    a steady rate, with one attack per rule mixed in): the time to load the NDJSON
 *    objects once, then each rule's query time, the whole set's, and events per second
 *    (target: the rule set in 2 s or less).
 * 2. The Parquet size of those events (DuckDB writes Snappy Parquet, as Firehose's
 *    conversion does), per column, and from it the bytes each rule's query would scan
 *    per day of data at 100 sign-ins per second, and Athena's cost per month at the
 *    default 5-minute schedule ($5 per TB, 10 MB minimum per query).
 *
 * The attack-to-finding latency in the local stack is measured by packages/local's
 * bench (`bench/detections-latency.ts`).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { detect } from '../src/detect.js';
import { FIELDS } from '../src/fields.js';
import { loadRulesFile } from '../src/load.js';
import { DEFAULT_RULES_FILE } from '../src/paths.js';
import { DuckDbEngine } from '../src/query/duckdb.js';
import { classesRead } from '../src/sql/classes.js';
import { dayOf } from '../src/sql/days.js';
import { MemoryFindingStore } from '../src/store.js';
import {
  codeSent,
  HOUR,
  PLACES,
  passwordFailure,
  rng,
  signIn,
  T0,
  writeAuditObjects,
  wrongCode,
} from '../tests/support/events.js';
import { scenarios } from '../tests/support/scenarios.js';

const TARGET_EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SIGN_INS_PER_SECOND = 100;
const ATHENA_USD_PER_TB = 5;
const ATHENA_MIN_BYTES = 10 * 1024 * 1024;
const RUNS_PER_MONTH = (30 * 86_400) / 300;

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** A day of traffic: each sign-in is a code sent and a success, with some failures. */
function generate(target: number): { events: object[]; signIns: number } {
  const random = rng(42);
  const events: object[] = [];
  const attacks = scenarios().flatMap((scenario) => scenario.events);
  const users = 200_000;
  const start = T0 - 12 * HOUR;
  let signIns = 0;
  const countries = Object.values(PLACES);
  while (events.length + attacks.length < target) {
    const index = Math.floor(random() * users);
    const user = `bench-${index}@example.com`;
    const ip = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
    const t = start + Math.floor(random() * 24 * HOUR);
    const geo = countries[index % countries.length];
    if (random() < 0.05) events.push(passwordFailure(user, ip, t - 30_000, { geo }));
    events.push(codeSent(user, ip, t - 10_000));
    if (random() < 0.05) events.push(wrongCode(user, ip, t - 5_000));
    events.push(signIn(user, ip, t, geo));
    signIns += 1;
  }
  return { events: [...events, ...attacks], signIns };
}

/** The OCSF fields whose SQL a piece of a compiled query reads. */
function fieldsIn(sql: string): string[] {
  const used = Object.entries(FIELDS)
    .filter(([, spec]) => sql.includes(spec.sql))
    .map(([name]) => name);
  return [...new Set(['time', ...used])];
}

/** Parquet leaf columns (`user.email_addr`, ...) of an OCSF field. */
function parquetColumnsOf(field: string): string[] {
  if (field === 'user.email_domain') return ['user.email_addr'];
  if (field === 'unmapped.clientId') return ['unmapped.clientId'];
  return [field];
}

const dir = await mkdtemp(join(tmpdir(), 'detect-bench-'));
try {
  const rules = loadRulesFile(DEFAULT_RULES_FILE).compiled;
  let started = performance.now();
  const { events, signIns } = generate(TARGET_EVENTS);
  const objects = await writeAuditObjects(dir, events, 10_000);
  console.log(
    `generated ${fmt(events.length)} events (${fmt(signIns)} sign-ins, ${fmt(events.length / signIns, 2)} events per sign-in) in ${objects} NDJSON objects, ${fmt(performance.now() - started)} ms`,
  );

  const engine = new DuckDbEngine({ dir, materialize: true });
  started = performance.now();
  await engine.refresh();
  const loadMs = performance.now() - started;
  console.log(`DuckDB: loaded the objects once in ${fmt(loadMs)} ms`);

  const range = { from: T0 - 12 * HOUR, to: T0 + 12 * HOUR };
  // One warm-up run (DuckDB's first queries plan and allocate), then the measured runs.
  await detect({ engine, rules, range, store: new MemoryFindingStore(), now: () => range.to });
  const measured = [];
  for (let run = 0; run < 3; run += 1) {
    started = performance.now();
    const cpu = process.cpuUsage();
    const outcome = await detect({
      engine,
      rules,
      range,
      store: new MemoryFindingStore(),
      now: () => range.to,
    });
    const used = process.cpuUsage(cpu);
    measured.push({
      ms: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      outcome,
    });
  }
  measured.sort((a, b) => a.ms - b.ms);
  const median = measured[1] ?? measured[0];
  if (!median) throw new Error('no run');
  const failed = median.outcome.runs.filter((run) => run.error);
  if (failed.length > 0)
    throw new Error(
      `rules failed: ${failed.map((run) => `${run.ruleId}: ${run.error}`).join('; ')}`,
    );
  const expected = new Set(scenarios().map((scenario) => scenario.rule));
  const fired = new Set(median.outcome.changes.map((change) => change.rule.id));
  const missing = [...expected].filter((id) => !fired.has(id));
  console.log(
    `\nall ${rules.length} rules over ${fmt(events.length)} events: median ${fmt(median.ms)} ms of 3 runs (${fmt(measured[0]?.ms ?? 0)}-${fmt(measured[2]?.ms ?? 0)}), ${fmt(events.length / (median.ms / 1000))} events/s (target: 2,000 ms), ${median.outcome.changes.length} findings${missing.length > 0 ? `, MISSING ${missing.join(', ')}` : ', every attack found'}`,
  );
  console.log(
    `  CPU time of that run (every DuckDB thread): ${fmt(median.cpuMs)} ms; load average during the bench: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(', ')} on ${(await import('node:os')).cpus().length} CPUs`,
  );
  console.log('per rule (median run):');
  for (const run of median.outcome.runs)
    console.log(
      `  ${run.ruleId.padEnd(36)} ${fmt(run.ms, 1).padStart(8)} ms  ${run.episodes} found`,
    );

  // ── Parquet sizes and Athena scans: one Parquet file per class, as the per-class
  // sources store them (Security Lake's layout), so a rule is charged only the sources
  // of the classes it reads (the Athena view states each source's class as a constant).
  const bytesByColumn = new Map<string, Map<number, number>>();
  let fileBytes = 0;
  const classes = await engine.query(
    'SELECT class_uid, count(*) AS n FROM authwatch_events GROUP BY class_uid ORDER BY class_uid',
    [],
  );
  const presentClasses = classes.rows.map((row) => Number(row.class_uid));
  for (const classUid of presentClasses) {
    const parquet = join(dir, `class-${classUid}.parquet`);
    await engine.query(
      `COPY (SELECT * FROM authwatch_events WHERE class_uid = ${classUid} ORDER BY time) TO '${parquet.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`,
      [],
    );
    const sizes = await engine.query(
      `SELECT path_in_schema AS path, sum(total_compressed_size) AS bytes FROM parquet_metadata('${parquet.replaceAll("'", "''")}') GROUP BY path_in_schema`,
      [],
    );
    for (const row of sizes.rows) {
      const column = String(row.path).replaceAll(', ', '.');
      const byClass = bytesByColumn.get(column) ?? new Map<number, number>();
      byClass.set(classUid, Number(row.bytes));
      bytesByColumn.set(column, byClass);
    }
    fileBytes += (await stat(parquet)).size;
  }
  /** Bytes per event (of all events) of a column, in the given classes' sources. */
  const perEvent = (column: string, readClasses: readonly number[]) => {
    const byClass = bytesByColumn.get(column);
    if (!byClass) return 0;
    return readClasses.reduce((sum, c) => sum + (byClass.get(c) ?? 0), 0) / events.length;
  };
  const eventsPerDay = SIGN_INS_PER_SECOND * 86_400 * (events.length / signIns);
  console.log(
    `\nParquet (Snappy): ${fmt(fileBytes / events.length, 1)} bytes per event; at ${SIGN_INS_PER_SECOND} sign-ins/s: ${fmt(eventsPerDay / 1e6, 1)} M events/day, ${fmt(((fileBytes / events.length) * eventsPerDay) / 1e9, 2)} GB/day`,
  );
  const heaviest = [...bytesByColumn.keys()]
    .map((column) => ({ column, bytes: perEvent(column, presentClasses) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 6);
  console.log(
    `  heaviest columns (bytes per event): ${heaviest.map(({ column, bytes }) => `${column} ${fmt(bytes, 1)}`).join(', ')}`,
  );
  console.log(
    'bytes each rule reads per day of data (its columns of one eventday partition of the sources of its classes), and Athena per month at a 5-minute schedule:',
  );
  const byId = new Map(rules.map((compiled) => [compiled.rule.id, compiled.rule]));
  console.log(
    `  ${'rule'.padEnd(36)} ${'classes'.padEnd(15)} ${'columns'.padStart(7)} ${'MB/day'.padStart(9)} ${'$/month (whole day per run)'.padStart(28)} ${'$/month (lookback only)'.padStart(24)}`,
  );
  let totalWhole = 0;
  let totalPruned = 0;
  const bytesPerDay = (fields: string[], readClasses: readonly number[]) =>
    fields
      .flatMap(parquetColumnsOf)
      .reduce((sum, column) => sum + perEvent(column, readClasses) * eventsPerDay, 0);
  const lookbackMs = 1_320_000;
  // The first_seen rules' baseline snapshots: built over the generated day, their Parquet
  // size per day of data (one row per user and value: the bench's users sign in about
  // 2.4 times a day, every day, so four weeks hold the same pairs as one day).
  const snapshotPerDay = new Map<string, number>();
  for (const compiled of rules) {
    if (!compiled.baseline) continue;
    const build = compiled.baseline.build(dayOf(T0 + 12 * HOUR), false);
    await engine.query(build.sql, build.params);
    const parquet = join(dir, `baseline-${compiled.rule.id}.parquet`);
    await engine.query(
      `COPY (SELECT * FROM authwatch_baselines WHERE rule_id = '${compiled.rule.id}' ORDER BY g0) TO '${parquet.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`,
      [],
    );
    snapshotPerDay.set(
      compiled.rule.id,
      ((await stat(parquet)).size / events.length) * eventsPerDay,
    );
  }
  for (const compiled of rules) {
    const columns = fieldsIn(compiled.sql);
    const readClasses = classesRead(compiled.rule, byId) ?? presentClasses;
    const perDay = bytesPerDay(columns, readClasses);
    // A first_seen rule reads its baseline (only the group, value, filter and time
    // columns: the `history` CTE) over many days, and everything else over the lookback.
    const history =
      compiled.rule.correlation.type === 'first_seen'
        ? compiled.sql.slice(compiled.sql.indexOf('history AS ('), compiled.sql.indexOf('seq AS ('))
        : '';
    const historyPerDay = history ? bytesPerDay(fieldsIn(history), readClasses) : 0;
    const historyDays = history ? compiled.lookbackMs / 86_400_000 : 0;
    // With the snapshots, a run reads one snapshot and raw only today's events so far
    // (half a day on average, plus the hour a day takes to settle); once a day, the next
    // snapshot reads the last one and one day of raw baseline columns.
    const snapshot = snapshotPerDay.get(compiled.rule.id) ?? 0;
    const rawToday = historyPerDay * (0.5 + 1 / 24);
    const buildPerRun = history ? (historyPerDay + snapshot) / (86_400 / 300) : 0;
    const summaryBytes = snapshot;
    // Partition pruning reads whole eventday partitions; Parquet row-group statistics on
    // `time` let Athena skip the objects outside the run's range (Firehose writes one
    // object per buffer interval), which the second figure assumes.
    const recentSpan = history ? lookbackMs : compiled.lookbackMs + lookbackMs;
    const whole =
      (Math.max(
        ATHENA_MIN_BYTES,
        perDay * Math.max(1, Math.ceil(recentSpan / 86_400_000)) +
          (history ? summaryBytes + historyPerDay * 2 : 0),
      ) +
        buildPerRun) *
      RUNS_PER_MONTH;
    const pruned =
      (Math.max(
        ATHENA_MIN_BYTES,
        perDay * (recentSpan / 86_400_000) + (history ? summaryBytes + rawToday : 0),
      ) +
        buildPerRun) *
      RUNS_PER_MONTH;
    totalWhole += whole;
    totalPruned += pruned;
    console.log(
      `  ${compiled.rule.id.padEnd(36)} ${readClasses.join('+').padEnd(15)} ${String(columns.length).padStart(7)} ${fmt(perDay / 1e6, 1).padStart(9)} ${fmt((whole / 1e12) * ATHENA_USD_PER_TB, 2).padStart(28)} ${fmt((pruned / 1e12) * ATHENA_USD_PER_TB, 2).padStart(24)}${history ? `  (baseline: ${historyDays} days, ${fmt(historyPerDay / 1e6, 1)} MB/day raw, a ${fmt((snapshotPerDay.get(compiled.rule.id) ?? 0) / 1e6, 1)} MB snapshot)` : ''}`,
    );
  }
  console.log(
    `  ${'all rules'.padEnd(36)} ${''.padEnd(15)} ${''.padStart(7)} ${''.padStart(9)} ${fmt((totalWhole / 1e12) * ATHENA_USD_PER_TB, 2).padStart(28)} ${fmt((totalPruned / 1e12) * ATHENA_USD_PER_TB, 2).padStart(24)}`,
  );
  await engine.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
