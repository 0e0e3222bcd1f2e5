/**
 * Invoking the pool's Lambda triggers through the stack's {@link TriggerInvoker}, with
 * Cognito's error mapping:
 * - the function threw → UserLambdaValidationException "<Trigger> failed with error <message>."
 * - it answered something that is not an event → InvalidLambdaResponseException
 *   "Unrecognizable lambda output"
 * - it did not answer within Cognito's 5 s → UnexpectedLambdaException "<Trigger> invocation
 *   failed due to error Socket timeout while invoking Lambda function." (what Cognito prints,
 *   e.g. furaiev/amazon-cognito-identity-dart-2#204, anomalyco/sst#1815).
 */
import { CognitoError } from './errors.js';
import type { TriggerName, TriggerVersion } from './state.js';

export interface TriggerInvoker {
  has(pool: string, name: TriggerName): boolean;
  /** Resolves with the event the handler returned; rejects with TriggerInvocationError. */
  invoke(
    pool: string,
    name: TriggerName,
    event: Record<string, unknown>,
    opts: { version?: TriggerVersion },
  ): Promise<Record<string, unknown>>;
}

/** How a trigger invocation failed, as the invoker reports it. */
export class TriggerInvocationError extends Error {
  constructor(
    readonly kind: 'error' | 'timeout' | 'invalid-response',
    message: string,
  ) {
    super(message);
    this.name = 'TriggerInvocationError';
  }
}

export interface TriggerEventBase {
  version: string;
  triggerSource: string;
  region: string;
  userPoolId: string;
  userName?: string;
  callerContext: { awsSdkVersion: string; clientId: string };
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}

/** Invokes `name` with `event`; returns the handler's `response` object. */
export async function invokeTrigger(
  invoker: TriggerInvoker,
  poolId: string,
  name: TriggerName,
  event: TriggerEventBase,
  version?: TriggerVersion,
): Promise<Record<string, unknown>> {
  let result: Record<string, unknown>;
  try {
    result = await invoker.invoke(
      poolId,
      name,
      event as unknown as Record<string, unknown>,
      version ? { version } : {},
    );
  } catch (error) {
    if (error instanceof TriggerInvocationError) {
      if (error.kind === 'error') {
        throw new CognitoError(
          'UserLambdaValidationException',
          `${name} failed with error ${error.message}.`,
        );
      }
      if (error.kind === 'invalid-response') {
        throw new CognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
      }
      throw new CognitoError(
        'UnexpectedLambdaException',
        `${name} invocation failed due to error Socket timeout while invoking Lambda function.`,
      );
    }
    throw new CognitoError(
      'UnexpectedLambdaException',
      `${name} invocation failed due to error ${error instanceof Error ? error.message : 'unknown'}.`,
    );
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new CognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
  }
  const response = result.response ?? {};
  if (typeof response !== 'object' || response === null || Array.isArray(response)) {
    throw new CognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
  }
  return response as Record<string, unknown>;
}
