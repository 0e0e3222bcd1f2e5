/**
 * Loading a rules file: parse (YAML or JSON), check the structure with the zod schema,
 * then what the schema cannot know (known OCSF fields, value types, windows within
 * the history kept, references between rules, responses only where there is a user),
 * then compile every rule. Every problem is collected and one {@link RulesError}
 * lists them all, each with the rule id and the field.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { issueProblems, parseYamlText, protoKeyPaths } from '@authwatch/kit/rules-text';
import type * as z from 'zod';
import { durationMs } from './duration.js';
import { RulesError, type RulesProblem } from './errors.js';
import { fieldSpec } from './fields.js';
import { type Rule, RuleSchema, type RulesFile, RulesFileSchema } from './schema.js';
import { type CompiledRule, compileRule } from './sql/compile.js';

/** Days of history assumed when the file does not say (the audit bucket's default). */
export const DEFAULT_HISTORY_DAYS = 90;

/** A loaded, validated file and its compiled rules (enabled ones only in `compiled`). */
export interface LoadedRules {
  file: RulesFile;
  compiled: CompiledRule[];
  source: string;
}

const DAY_MS = 86_400_000;

/**
 * Parses YAML or JSON text (JSON is YAML) into a plain value; syntax errors become
 * problems with their line and column.
 */
export function parseRulesText(text: string, source = 'rules'): unknown {
  const parsed = parseYamlText(text);
  if ('problems' in parsed) {
    throw new RulesError(source, parsed.problems, parsed.cause ? { cause: parsed.cause } : {});
  }
  return parsed.value;
}

function zodProblems(
  issues: z.core.$ZodIssue[],
  rule: number | undefined,
  ruleId: string | undefined,
): RulesProblem[] {
  // A union (a filter value, a sequence step): the branch that got furthest.
  return issueProblems(issues, { unions: 'furthest' }).map((problem) => ({
    rule,
    ruleId,
    ...problem,
  }));
}

const WINDOWED = new Set(['event_count', 'value_count']);

function checkRule(
  rule: Rule,
  byId: Map<string, Rule>,
  historyMs: number,
  error: (field: string, message: string) => void,
): void {
  const correlation = rule.correlation;
  const knownField = (field: string, at: string): boolean => {
    if (fieldSpec(field)) return true;
    error(at, `${field} is not a known OCSF field (see the README's field table)`);
    return false;
  };
  correlation['group-by'].forEach((field, index) => {
    knownField(field, `correlation.group-by.${index}`);
  });
  if (new Set(correlation['group-by']).size !== correlation['group-by'].length) {
    error('correlation.group-by', 'lists a field twice');
  }
  const span = (text: string, at: string, what: string): void => {
    const ms = durationMs(text);
    if (ms === 0) error(at, `${what} must be longer than 0`);
    else if (ms > historyMs) {
      error(
        at,
        `${what} ${text} is longer than the history kept (${historyMs / DAY_MS} days, settings.historyDays)`,
      );
    }
  };
  const threshold = (value: number, at: string): void => {
    if (value < 1) error(at, `a threshold of ${value} would match every group: use 1 or more`);
  };
  switch (correlation.type) {
    case 'event_count':
      span(correlation.timespan, 'correlation.timespan', 'timespan');
      threshold(correlation.condition.gte, 'correlation.condition.gte');
      for (const [field, { gte }] of Object.entries(correlation.value_count ?? {})) {
        knownField(field, `correlation.value_count.${field}`);
        threshold(gte, `correlation.value_count.${field}.gte`);
      }
      break;
    case 'value_count':
      span(correlation.timespan, 'correlation.timespan', 'timespan');
      knownField(correlation.condition.field, 'correlation.condition.field');
      threshold(correlation.condition.gte, 'correlation.condition.gte');
      break;
    case 'temporal_ordered':
      span(correlation.timespan, 'correlation.timespan', 'timespan');
      correlation.sequence.forEach((step, index) => {
        if (!('rules' in step)) return;
        step.rules.forEach((id, position) => {
          const at = `correlation.sequence.${index}.rules.${position}`;
          const referenced = byId.get(id);
          if (id === rule.id) error(at, 'a rule cannot follow itself');
          else if (!referenced) error(at, `no rule has the id ${id}`);
          else if (!WINDOWED.has(referenced.correlation.type)) {
            error(
              at,
              `${id} is a ${referenced.correlation.type} rule: a step can name event_count and value_count rules`,
            );
          } else if (
            referenced.correlation['group-by'].join(',') !== correlation['group-by'].join(',')
          ) {
            error(
              at,
              `${id} groups by ${referenced.correlation['group-by'].join(', ')}, this rule by ${correlation['group-by'].join(', ')}: a step must group the same way`,
            );
          }
        });
      });
      break;
    case 'first_seen':
      span(correlation.baseline, 'correlation.baseline', 'baseline');
      knownField(correlation.field, 'correlation.field');
      break;
    case 'travel':
      span(correlation.timespan, 'correlation.timespan', 'timespan');
      break;
  }
  if ('per_value' in correlation && correlation.per_value) {
    knownField(correlation.per_value.field, 'correlation.per_value.field');
    threshold(correlation.per_value.lte, 'correlation.per_value.lte');
    const { gte, lte } = correlation.per_value;
    if (gte !== undefined && gte > lte)
      error('correlation.per_value.gte', `${gte} is more than lte (${lte}): no group could match`);
  }
  rule.evidence?.forEach((field, index) => {
    knownField(field, `evidence.${index}`);
  });
  if (
    rule.responses &&
    rule.responses.length > 0 &&
    !correlation['group-by'].some((field) => field === 'user.uid' || field === 'user.name')
  ) {
    error('responses', 'responses act on a user: the rule must group by user.uid (or user.name)');
  }
  const actions = (rule.responses ?? []).map((response) => response.action);
  if (new Set(actions).size !== actions.length) error('responses', 'lists an action twice');
}

/**
 * Validates a parsed rules file and compiles its enabled rules. Throws a
 * {@link RulesError} listing every problem (rule id and field).
 */
export function validateRules(raw: unknown, source = 'rules'): LoadedRules {
  const problems: RulesProblem[] = [];
  const shell = RulesFileSchema.omit({ rules: true }).loose().safeParse(raw);
  if (!shell.success) problems.push(...zodProblems(shell.error.issues, undefined, undefined));
  const rawRules = (raw as { rules?: unknown } | null | undefined)?.rules;
  if (!Array.isArray(rawRules)) {
    problems.push({ field: 'rules', message: 'must be a list of rules' });
    throw new RulesError(source, problems);
  }
  const historyMs =
    (shell.success
      ? (shell.data.settings?.historyDays ?? DEFAULT_HISTORY_DAYS)
      : DEFAULT_HISTORY_DAYS) * DAY_MS;
  const rules: { rule: Rule; index: number }[] = [];
  const seen = new Map<string, number>();
  rawRules.forEach((rawRule, index) => {
    const rawId = (rawRule as { id?: unknown } | null)?.id;
    const ruleId =
      typeof rawId === 'string' && /^[a-z0-9][a-z0-9-]{1,63}$/.test(rawId) ? rawId : undefined;
    const protos = protoKeyPaths(rawRule);
    if (protos.length > 0) {
      for (const field of protos)
        problems.push({
          rule: index,
          ruleId,
          field,
          message: '__proto__ cannot be used as a name',
        });
      return;
    }
    const parsed = RuleSchema.safeParse(rawRule);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error.issues, index, ruleId));
      return;
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      problems.push({
        rule: index,
        ruleId,
        field: 'id',
        message: `duplicates the id of rule ${first}`,
      });
      return;
    }
    seen.set(parsed.data.id, index);
    rules.push({ rule: parsed.data, index });
  });
  const byId = new Map(rules.map(({ rule }) => [rule.id, rule]));
  const compiled: CompiledRule[] = [];
  const settings = shell.success ? shell.data.settings : undefined;
  const file = { rules: rules.map(({ rule }) => rule), ...(settings ? { settings } : {}) };
  for (const { rule, index } of rules) {
    const error = (field: string, message: string) =>
      problems.push({ rule: index, ruleId: rule.id, field, message });
    const before = problems.length;
    checkRule(rule, byId, historyMs, error);
    if (problems.length > before) continue;
    const query = compileRule(rule, file, error);
    if (problems.length > before) continue;
    if (rule.enabled !== false) compiled.push(query);
  }
  if (problems.length > 0) throw new RulesError(source, problems);
  return { file: RulesFileSchema.parse(raw), compiled, source };
}

/** Parses and validates rules text (YAML or JSON). */
export function loadRulesText(text: string, source = 'rules'): LoadedRules {
  return validateRules(parseRulesText(text, source), source);
}

/**
 * Reads, validates and compiles a rules file. A relative path is resolved against
 * `baseDir` (the handler passes LAMBDA_TASK_ROOT); an unreadable file is a RulesError.
 */
export function loadRulesFile(path: string, options: { baseDir?: string } = {}): LoadedRules {
  const file = isAbsolute(path) ? path : resolve(options.baseDir ?? process.cwd(), path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RulesError(
      path,
      [
        {
          field: '(file)',
          message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        },
      ],
      { cause: error },
    );
  }
  return loadRulesText(text, path);
}
