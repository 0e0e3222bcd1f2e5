import { AuthwatchError } from '@authwatch/kit';

/** One problem of a rules file: which rule (index and name), which field, what is wrong. */
export interface RulesProblem {
  /** Index of the rule in `rules` (0-based); absent for a file-level problem. */
  rule?: number;
  /** The rule's name, when it has one. */
  ruleName?: string;
  /** Dotted path inside the rule (or the file), e.g. `then.idToken.claims.sub`. */
  field: string;
  message: string;
}

/** Renders one problem the way the CLI and the error message print it. */
export function formatProblem(problem: RulesProblem): string {
  const where =
    problem.rule === undefined
      ? ''
      : `rule ${problem.rule}${problem.ruleName ? ` (${problem.ruleName})` : ''} `;
  return `${where}${problem.field || '(root)'}: ${problem.message}`;
}

/**
 * A rules file that cannot be used. Lists EVERY problem found, each naming the rule
 * and the field, so an admin fixes the file in one pass.
 */
export class RulesError extends AuthwatchError {
  readonly problems: RulesProblem[];
  readonly source: string;
  constructor(source: string, problems: RulesProblem[], options?: { cause?: unknown }) {
    super(
      `Invalid claims rules (${source}), ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems
        .map((problem) => `  - ${formatProblem(problem)}`)
        .join('\n')}`,
      options,
    );
    this.name = 'RulesError';
    this.problems = problems;
    this.source = source;
  }
}
