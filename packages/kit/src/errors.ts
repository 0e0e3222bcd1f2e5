/**
 * Errors shared by every Authwatch trigger.
 *
 * Only a {@link UserFacingError} reaches a user unchanged: Cognito shows it as
 * "<Trigger> failed with error <message>.". Every other error is logged in full and
 * replaced by {@link GENERIC_USER_MESSAGE}.
 */

/** What a user sees when anything other than a {@link UserFacingError} goes wrong. */
export const GENERIC_USER_MESSAGE = 'the request could not be completed, please try again later';

/** Base class: every Authwatch error carries a stable `name` and an optional `cause`. */
export class AuthwatchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthwatchError';
  }
}

/**
 * An error whose message a user may read. Word it to follow Cognito's prefix
 * ("PreSignUp failed with error "): lower-case start, no trailing full stop, no secret.
 */
export class UserFacingError extends AuthwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserFacingError';
  }
}

/** A required environment variable is missing or holds a bad value. */
export class ConfigError extends AuthwatchError {
  readonly variable: string;
  constructor(variable: string, problem: string, options?: { cause?: unknown }) {
    super(`Environment variable ${variable} ${problem}`, options);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** One failed check of an event: where it failed and why, never the value. */
export interface EventIssue {
  /** Dotted path into the event, e.g. `request.userAttributes.email`. */
  path: string;
  /** The validator's code, e.g. `invalid_type`. */
  code: string;
  /** The validator's message, which names the expected type, not the value. */
  message: string;
}

/** The event does not have the shape Cognito documents for this trigger. */
export class InvalidEventError extends AuthwatchError {
  readonly issues: EventIssue[];
  constructor(trigger: string, issues: EventIssue[]) {
    const first = issues[0];
    super(
      `${trigger} event is malformed${first ? ` at ${first.path || '(root)'}: ${first.message}` : ''}${
        issues.length > 1 ? ` (+${issues.length - 1} more)` : ''
      }`,
    );
    this.name = 'InvalidEventError';
    this.issues = issues;
  }
}
