/** Whether a pool has a trigger, and running one with the event fields every trigger shares. */
import type { CallContext, EmulatorContext } from './context.js';
import type { Json } from './input.js';
import { triggerAttached } from './pool-config.js';
import type { PoolRecord, TriggerName, TriggerVersion } from './state.js';
import { invokeTrigger, type TriggerEventBase, type TriggerInvoker } from './triggers.js';

/** Whether `name` runs: a handler serves it and the pool's LambdaConfig still names it. */
export function hasTrigger(ctx: EmulatorContext, pool: PoolRecord, name: TriggerName): boolean {
  return (ctx.triggers?.has(pool.id, name) ?? false) && triggerAttached(pool, name);
}

export async function runTrigger(
  ctx: EmulatorContext,
  pool: PoolRecord,
  name: TriggerName,
  triggerSource: string,
  clientId: string,
  userName: string | undefined,
  request: Json,
  response: Json,
  caller: CallContext,
  version?: TriggerVersion,
): Promise<Json> {
  const event: TriggerEventBase = {
    version: version ? version.slice(1, 2) : '1',
    triggerSource,
    region: ctx.region,
    userPoolId: pool.id,
    ...(userName !== undefined ? { userName } : {}),
    callerContext: { awsSdkVersion: caller.awsSdkVersion, clientId },
    request,
    response,
  };
  return invokeTrigger(ctx.triggers as TriggerInvoker, pool.id, name, event, version);
}
