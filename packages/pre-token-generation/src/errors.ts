import { AuthwatchError } from '@authwatch/kit';

/** One problem of a rules file: which rule (index and name), which field, what is wrong. */
export interface RulesProblem {
  /** Index of the rule in `rules` (0-based; shown 1-based, "rule 1" is the first); absent for a file-level problem. */
  rule?: number;
  /** The rule's name, when it has one. */
  ruleName?: string;
  /** Dotted path inside the rule (or the file), e.g. `then.idToken.claims.sub`. */
  field: string;
  message: string;
}

/** Renders one problem the way the CLI and the error message print it (rules numbered from 1). */
export function formatProblem(problem: RulesProblem): string {
  const where =
    problem.rule === undefined
      ? ''
      : `rule ${problem.rule + 1}${problem.ruleName ? ` (${problem.ruleName})` : ''} `;
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

const UNREADABLE: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
};

/**
 * A rules file that cannot be read at all (missing, a folder, no permission): still a
 * RulesError (the handler fails its cold start with it), which the CLI tells apart as
 * bad input (exit 2) from a file with invalid rules (exit 1).
 */
export class RulesFileUnreadableError extends RulesError {
  readonly file: string;
  constructor(source: string, file: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    super(
      source,
      [{ field: '(file)', message: `cannot read ${file}: ${UNREADABLE[code] ?? code}` }],
      {
        cause,
      },
    );
    this.name = 'RulesFileUnreadableError';
    this.file = file;
  }
}
