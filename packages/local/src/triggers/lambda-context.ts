/**
 * The Lambda context a handler gets locally (in a worker or in the stack's thread):
 * its remaining time counts down to the invocation's deadline.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export function lambdaContext(functionName: string, region: string, deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${process.pid}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An error as plain data (what crosses a thread boundary or reaches the emulator). */
export function errorMessage(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** The line Lambda's runtime logs for an exception the handler did not catch. */
export function uncaughtExceptionLine(error: unknown): string {
  const { name, message } = errorMessage(error);
  const stack = error instanceof Error ? error.stack : undefined;
  const detail = JSON.stringify({ errorType: name, errorMessage: message, stack });
  return `${new Date().toISOString()}\tERROR\tUncaught Exception\t${detail}\n`;
}
