/**
 * The Cognito emulator's {@link TriggerInvoker}, backed by the handler runner: the
 * pool's trigger name selects the worker, failures become the emulator's
 * {@link TriggerInvocationError} kinds (which it maps to Cognito's exceptions).
 */
import { TriggerInvocationError, type TriggerInvoker, type TriggerName } from '../cognito/index.js';
import { LAMBDAS } from './environment.js';
import { HandlerInvocationError, type HandlerRunner } from './runner.js';

/** The worker key serving each trigger. */
const KEY_BY_TRIGGER = new Map(
  LAMBDAS.flatMap((lambda) => (lambda.trigger ? [[lambda.trigger, lambda.key] as const] : [])),
);

/** Whether a value is what a trigger must answer: an event object with an object `response`. */
function isTriggerEvent(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const response = (value as { response?: unknown }).response;
  return typeof response === 'object' && response !== null && !Array.isArray(response);
}

/**
 * @param pools The pools whose triggers these workers serve (every pool when unset).
 */
export function createTriggerInvoker(
  runner: HandlerRunner,
  pools?: () => string[],
): TriggerInvoker {
  const keyFor = (pool: string, name: TriggerName): string | undefined => {
    if (pools && !pools().includes(pool)) return undefined;
    const key = KEY_BY_TRIGGER.get(name);
    return key !== undefined && runner.has(key) ? key : undefined;
  };
  return {
    has: (pool, name) => keyFor(pool, name) !== undefined,
    async invoke(pool, name, event) {
      const key = keyFor(pool, name);
      if (key === undefined) throw new TriggerInvocationError('error', `no ${name} handler`);
      let result: unknown;
      try {
        result = await runner.invoke(key, event);
      } catch (error) {
        if (error instanceof HandlerInvocationError) {
          throw new TriggerInvocationError(error.kind, error.message);
        }
        throw new TriggerInvocationError('error', (error as Error).message);
      }
      if (!isTriggerEvent(result)) {
        throw new TriggerInvocationError('invalid-response', `${name} did not answer an event`);
      }
      return result;
    },
  };
}
