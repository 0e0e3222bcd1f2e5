/**
 * Errors of `authwatch-users`. Every failure the CLI reports is one line naming the
 * problem; the exit code says what kind it was.
 */

/** Exit codes: 0 done, 1 the work failed (AWS refused, rows failed), 2 bad usage or input. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A failure with a one-line message meant for the admin, and its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Bad input: a file of the wrong shape or version, a bad flag value. */
export class InputError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.usage, options);
    this.name = 'InputError';
  }
}

interface AwsLikeError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const isAwsError = (error: unknown): error is AwsLikeError =>
  typeof error === 'object' && error !== null && '$metadata' in error;

/**
 * One line for an AWS error, naming the operation: a missing pool, missing permissions
 * and throttling each say what to do. The message is Cognito's (it never holds a
 * password: no operation this tool calls sends one back).
 */
export function describeAwsError(operation: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (!isAwsError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return new CliError(`${operation} failed: ${message}`, EXIT.failed, { cause: error });
  }
  const name = error.name ?? 'Error';
  const message = oneLine(error.message ?? '');
  switch (name) {
    case 'ResourceNotFoundException':
      return new CliError(`${operation}: not found (${message})`, EXIT.failed, { cause: error });
    case 'AccessDeniedException':
    case 'NotAuthorizedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return new CliError(
        `${operation}: permission denied (${name}: ${message}); the credentials need cognito-idp:${operation}`,
        EXIT.failed,
        { cause: error },
      );
    case 'TooManyRequestsException':
      return new CliError(
        `${operation}: still throttled after retries (${message}); try again later or lower --max-rps`,
        EXIT.failed,
        { cause: error },
      );
    default:
      return new CliError(`${operation} failed: ${name}: ${message}`, EXIT.failed, {
        cause: error,
      });
  }
}

/** A message on one line (an error line must not spill over several). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
