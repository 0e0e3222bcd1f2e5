import type { Context } from 'aws-lambda';

interface ContextOptions {
  /** The function's name; `authwatch-test` unless given. */
  functionName?: string;
  /** The Lambda timeout the remaining time counts down from, in ms (default 5,000). */
  timeoutMs?: number;
  /** The clock the remaining time is read from; `Date.now` unless given. */
  now?: () => number;
}

/**
 * A Lambda `Context` whose `getRemainingTimeInMillis` counts down from `timeoutMs`
 * on the given clock, as the Lambda runtime's does.
 *
 * @example
 * ```ts
 * let t = 0;
 * const context = createLambdaContext({ timeoutMs: 3000, now: () => t });
 * t = 1000; context.getRemainingTimeInMillis(); // 2000
 * ```
 */
export function createLambdaContext(options: ContextOptions = {}): Context {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const functionName = options.functionName ?? 'authwatch-test';
  const startedAt = now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/23/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (now() - startedAt)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
