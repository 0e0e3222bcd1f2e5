/**
 * What CloudTrail records of the calls the emulator serves: for every API call that came
 * over HTTP (`caller.source` set by the HTTP face), the record Cognito writes to
 * CloudTrail, handed to `onApiCall` (the stack delivers it to the real
 * `packages/cloudtrail` handler, as EventBridge and SQS would). The record's shape and
 * redactions are `../cloudtrail/record.ts`'s; this module adds what only the emulator
 * knows: the user's `sub` (Cognito records the sub, not the name) and the account.
 */
import { randomUUID } from 'node:crypto';
import { cloudTrailRecord } from '../cloudtrail/record.js';
import type { CallContext, EmulatorContext } from './context.js';
import { CognitoError } from './errors.js';
import type { Json } from './input.js';
import { clientById, findUser } from './lookup.js';

/** The account the local pools live in (their ARNs say the same). */
export const LOCAL_ACCOUNT_ID = '000000000000';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The sub of the user the call names, when that user exists (or was just signed up). */
export function subOf(ctx: EmulatorContext, input: Json, output: unknown): string | undefined {
  const signedUp = (output as { UserSub?: unknown } | undefined)?.UserSub;
  if (typeof signedUp === 'string') return signedUp;
  const params = (input.AuthParameters ?? input.ChallengeResponses) as Json | undefined;
  const name =
    text(input.Username) ?? text(params?.USERNAME) ?? text((params as Json | undefined)?.username);
  if (name === undefined) return undefined;
  try {
    const pool =
      typeof input.UserPoolId === 'string'
        ? ctx.state.pools[input.UserPoolId]
        : clientById(ctx, input.ClientId).pool;
    return pool ? findUser(pool, name)?.attributes.sub : undefined;
  } catch {
    return undefined;
  }
}

/** Records one served call; never throws (a recording problem must not fail the call). */
export function recordApiCall(
  ctx: EmulatorContext,
  operation: string,
  input: Json,
  outcome: { output: unknown } | { error: unknown },
  caller: CallContext,
): void {
  const sink = ctx.onApiCall;
  const source = caller.source;
  if (sink === undefined || source === undefined) return;
  try {
    const failure = 'error' in outcome ? outcome.error : undefined;
    const error =
      failure === undefined
        ? undefined
        : failure instanceof CognitoError
          ? { code: failure.type, message: failure.message }
          : { code: 'InternalErrorException', message: 'Internal error' };
    const output = 'output' in outcome ? outcome.output : undefined;
    const sub = subOf(ctx, input, output);
    sink(
      cloudTrailRecord({
        operation,
        input,
        ...(error ? { error } : { output }),
        sourceIp: source.ip,
        ...(source.userAgent !== undefined ? { userAgent: source.userAgent } : {}),
        ...(source.accessKeyId !== undefined ? { accessKeyId: source.accessKeyId } : {}),
        ...(sub !== undefined ? { sub } : {}),
        region: ctx.region,
        accountId: LOCAL_ACCOUNT_ID,
        time: ctx.now(),
        requestId: randomUUID(),
        eventId: randomUUID(),
      }),
    );
  } catch (recordingError) {
    process.emitWarning(
      `cognito emulator: CloudTrail record not written (${String(recordingError)})`,
    );
  }
}
