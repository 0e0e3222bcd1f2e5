/**
 * `authwatch-detect`: check rules, backtest them over audit objects, explain a finding.
 *
 *   authwatch-detect validate [rules]                  check a rules file (and its SQL against the Trino grammar)
 *   authwatch-detect sql [rules] [--rule id]           print the compiled SQL
 *   authwatch-detect run [--rules f] [--dir d] [--from t] [--to t] [--json] [--state f]
 *   authwatch-detect explain <finding uid> [--rules f] [--dir d] [--from t] [--to t] [--json]
 *   authwatch-detect schema                            print the JSON Schema of rules files
 *
 * Times: ISO 8601 (`2026-11-23T10:00:00Z`), epoch ms, `now`, or relative (`-2h`, `-30m`,
 * `-7d`). Default range: the last 24 hours. `--dir` is any folder of NDJSON or Parquet
 * audit objects (default `.local/audit`, the local stack's). Exit codes: 0 fine (run:
 * findings or not), 1 the rules are invalid or a query failed, 2 bad usage.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type DetectOutcome, detect, scanDays } from './detect.js';
import { durationMs } from './duration.js';
import type { Episode } from './episodes.js';
import { formatProblem, RulesError } from './errors.js';
import { findingUid } from './finding.js';
import { type LoadedRules, loadRulesFile } from './load.js';
import { DEFAULT_RULES_FILE, PACKAGE_DIR } from './paths.js';
import { DuckDbEngine } from './query/duckdb.js';
import { rulesJsonSchema } from './schema.js';
import { classesRead } from './sql/classes.js';
import { explainQuery } from './sql/group-events.js';
import { loadTrinoGrammar } from './sql/trino-grammar.js';
import { FileFindingStore, MemoryFindingStore } from './store.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  now?: () => number;
  cwd?: string;
}

const USAGE = `usage:
  authwatch-detect validate [rules]
  authwatch-detect sql [rules] [--rule <id>]
  authwatch-detect run [--rules <file>] [--dir <folder>] [--from <time>] [--to <time>] [--json] [--state <file>]
  authwatch-detect explain <finding uid> [--rules <file>] [--dir <folder>] [--from <time>] [--to <time>] [--json]
  authwatch-detect schema
times: ISO 8601, epoch ms, now, or --from=-30m / -2h / -7d (default: the last 24 hours)`;

/** The local stack's audit folder. */
export const DEFAULT_AUDIT_DIR = join(PACKAGE_DIR, '..', '..', '.local', 'audit');

class UsageError extends Error {}

/** Parses a CLI time: ISO 8601, epoch ms, `now` or `-<duration>` before now. */
export function parseTime(text: string, now: number): number {
  const value = text.trim();
  if (value === 'now') return now;
  if (/^-\d{1,6}[smhd]$/.test(value)) return now - durationMs(value.slice(1));
  if (/^\d{10,16}$/.test(value)) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(`"${text}" is not a time (ISO 8601, epoch ms, now, or -30m / -2h / -7d)`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function summary(episode: Episode): string {
  const parts = [`${episode.peakCount} events`];
  for (const [field, count] of Object.entries(episode.distinct)) parts.push(`${count} × ${field}`);
  if (episode.maxPerValue !== undefined) parts.push(`max ${episode.maxPerValue} per value`);
  if (episode.speedKmh !== undefined)
    parts.push(`${episode.distanceKm} km at ${episode.speedKmh} km/h`);
  return parts.join(', ');
}

function table(rows: string[][]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function loadRules(path: string | undefined, cwd: string): LoadedRules {
  return loadRulesFile(path ?? DEFAULT_RULES_FILE, { baseDir: cwd });
}

async function runDetect(
  values: Record<string, string | boolean | undefined>,
  io: CliIo,
  now: number,
) {
  const cwd = io.cwd ?? process.cwd();
  const rules = loadRules(values.rules as string | undefined, cwd);
  const to = values.to ? parseTime(values.to as string, now) : now;
  const from = values.from ? parseTime(values.from as string, now) : to - 86_400_000;
  if (from >= to) throw new UsageError('--from must be before --to');
  const dir = values.dir ? resolve(cwd, values.dir as string) : DEFAULT_AUDIT_DIR;
  if (!existsSync(dir)) throw new UsageError(`no such folder: ${dir}`);
  const engine = new DuckDbEngine({ dir, materialize: true });
  const files = await engine.refresh(scanDays(rules.compiled, { from, to }));
  io.err(
    `reading ${files.ndjson.length + files.parquet.length} objects under ${dir}, ${iso(from)} .. ${iso(to)}`,
  );
  const started = performance.now();
  const outcome = await detect({
    engine,
    rules: rules.compiled,
    range: { from, to },
    store: values.state
      ? new FileFindingStore(resolve(cwd, values.state as string))
      : new MemoryFindingStore(),
    now: () => now,
    onRule: (run, done, total) => {
      const status = run.error ? `FAILED: ${run.error}` : `${run.episodes} found`;
      io.err(`[${done}/${total}] ${run.ruleId} ${Math.round(run.ms)} ms, ${status}`);
    },
  });
  await engine.close();
  io.err(`${rules.compiled.length} rules in ${Math.round(performance.now() - started)} ms`);
  return { outcome, rules, range: { from, to }, dir };
}

function printOutcome(outcome: DetectOutcome, json: boolean, io: CliIo): void {
  if (json) {
    for (const change of outcome.changes) io.out(JSON.stringify(change.event));
    return;
  }
  if (outcome.changes.length === 0) {
    io.out('no findings');
    return;
  }
  io.out(
    table([
      ['SEVERITY', 'RULE', 'GROUP', 'FIRST SEEN', 'LAST SEEN', 'EVIDENCE', 'FINDING'],
      ...outcome.changes.map((change) => [
        change.event.severity.toUpperCase(),
        change.rule.id,
        Object.values(change.state.group).join(','),
        iso(change.state.firstSeen),
        iso(change.state.lastSeen),
        summary(change.state),
        change.state.uid,
      ]),
    ]).join('\n'),
  );
}

export async function main(argv = process.argv.slice(2), io: CliIo = defaultIo()): Promise<number> {
  const now = (io.now ?? Date.now)();
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rules: { type: 'string' },
        rule: { type: 'string' },
        dir: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        state: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, argument] = positionals;
    if (values.help || command === undefined) {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    const cwd = io.cwd ?? process.cwd();
    switch (command) {
      case 'schema':
        io.out(JSON.stringify(rulesJsonSchema(), null, 2));
        return 0;
      case 'validate': {
        const rules = loadRules(argument ?? values.rules, cwd);
        const grammar = await loadTrinoGrammar();
        let failed = 0;
        for (const compiled of rules.compiled) {
          for (const problem of grammar.validate(compiled.sql)) {
            failed += 1;
            io.err(
              `rule ${compiled.rule.id} sql line ${problem.line}:${problem.column}: ${problem.message}`,
            );
          }
        }
        if (failed > 0) return 1;
        io.out(
          `${rules.source}: ${rules.file.rules.length} rules, ${rules.compiled.length} enabled, SQL valid for Athena (Trino)`,
        );
        // Not an error, but a cost: a rule that names no class reads every source.
        const byId = new Map(rules.file.rules.map((rule) => [rule.id, rule]));
        for (const compiled of rules.compiled) {
          if (classesRead(compiled.rule, byId) === undefined) {
            io.out(
              `note: rule ${compiled.rule.id} names no class_uid in its filter, so Athena scans every source for it; add one (3002 for sign-ins) if it can`,
            );
          }
        }
        return 0;
      }
      case 'sql': {
        const rules = loadRules(argument ?? values.rules, cwd);
        const chosen = rules.compiled.filter(
          (compiled) => !values.rule || compiled.rule.id === values.rule,
        );
        if (chosen.length === 0) throw new UsageError(`no enabled rule has the id ${values.rule}`);
        for (const compiled of chosen) io.out(`-- ${compiled.rule.id}\n${compiled.sql};\n`);
        return 0;
      }
      case 'run': {
        const { outcome } = await runDetect(values, io, now);
        printOutcome(outcome, values.json === true, io);
        return outcome.runs.some((run) => run.error) ? 1 : 0;
      }
      case 'explain': {
        if (!argument)
          throw new UsageError('explain needs a finding uid (the FINDING column of run)');
        const { outcome, rules, dir } = await runDetect(values, io, now);
        const episode = outcome.episodes.find(
          (candidate) =>
            findingUid(candidate.ruleId, candidate.groupKey, candidate.firstSeen) === argument,
        );
        if (!episode) {
          io.err(
            `no finding ${argument} in this range: give the --from/--to of the run that showed it`,
          );
          return 1;
        }
        const compiled = rules.compiled.find((candidate) => candidate.rule.id === episode.ruleId);
        if (!compiled) return 1;
        const query = explainQuery(compiled.rule);
        const span = { from: episode.firstSeen - compiled.episodeGapMs, to: episode.lastSeen };
        const engine = new DuckDbEngine({ dir });
        const result = await engine.query(
          query.sql,
          query.params(span, Object.values(episode.group)),
        );
        await engine.close();
        if (values.json) {
          io.out(
            JSON.stringify({
              rule: compiled.rule.id,
              group: episode.group,
              evidence: episode,
              rows: result.rows,
            }),
          );
          return 0;
        }
        io.out(
          `${compiled.rule.title} (${compiled.rule.id}), ${Object.entries(episode.group)
            .map(([f, v]) => `${f}=${v}`)
            .join(', ')}`,
        );
        io.out(`${summary(episode)}; ${iso(episode.firstSeen)} .. ${iso(episode.lastSeen)}`);
        io.out(
          table([
            ['TIME', 'KIND', 'USER', 'IP', 'COUNTRY', 'DETAIL', 'EVENT'],
            ...result.rows.map((row) => [
              iso(Number(row.time)),
              String(row.kind ?? ''),
              String(row.user_name ?? row.user_uid ?? ''),
              String(row.source_ip ?? ''),
              String(row.country ?? ''),
              String(row.status_detail ?? ''),
              String(row.event_uid ?? ''),
            ]),
          ]).join('\n'),
        );
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (error) {
    if (error instanceof RulesError) {
      io.err(
        `${error.source}: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}`,
      );
      for (const problem of error.problems) io.err(`  - ${formatProblem(problem)}`);
      return 1;
    }
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.err(`authwatch-detect: ${(error as Error).message}`);
      io.err(USAGE);
      return 2;
    }
    io.err(`authwatch-detect: ${(error as Error).message}`);
    return 1;
  }
}

function defaultIo(): CliIo {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}
