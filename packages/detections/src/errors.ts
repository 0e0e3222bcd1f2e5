import { AuthwatchError } from '@authwatch/kit';

/** One problem of a rules file: which rule (id, or index when it has none), which field, what. */
export interface RulesProblem {
  /** Index of the rule in `rules` (0-based); absent for a file-level problem. */
  rule?: number;
  /** The rule's id, when it has a readable one. */
  ruleId?: string;
  /** Dotted path inside the rule (or the file), e.g. `correlation.timespan`. */
  field: string;
  message: string;
}

/** Renders one problem the way the CLI and the error message print it. */
export function formatProblem(problem: RulesProblem): string {
  const where =
    problem.rule === undefined
      ? ''
      : problem.ruleId
        ? `rule ${problem.ruleId} `
        : `rule ${problem.rule} `;
  return `${where}${problem.field || '(root)'}: ${problem.message}`;
}

/**
 * A rules file that cannot be used. Lists EVERY problem found, each naming the rule
 * and the field, so a detection engineer fixes the file in one pass.
 */
export class RulesError extends AuthwatchError {
  readonly problems: RulesProblem[];
  readonly source: string;
  constructor(source: string, problems: RulesProblem[], options?: { cause?: unknown }) {
    super(
      `Invalid detection rules (${source}), ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map((problem) => `  - ${formatProblem(problem)}`)
        .join('\n')}`,
      options,
    );
    this.name = 'RulesError';
    this.problems = problems;
    this.source = source;
  }
}

/** A query an engine could not run (failed, cancelled, timed out, throttled too long). */
export class QueryError extends AuthwatchError {
  /** Whether running it again later may succeed (throttling, a timeout, a service error). */
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'QueryError';
    this.retryable = options.retryable;
  }
}
