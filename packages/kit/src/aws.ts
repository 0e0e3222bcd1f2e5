/**
 * Settings every AWS SDK client in a trigger shares: a hard request timeout (an SDK
 * call must never outlive Cognito's 5-second trigger limit), few retries, and the
 * SDK's middleware cache. Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>`
 * variables, which is how the local stack points the real clients at its emulators.
 *
 * The middleware cache (`cacheMiddleware: true`) saves rebuilding the middleware chain
 * on every call (about 0.1 ms a call), but the SDK uses it only for calls without
 * options: `client.send(command, { abortSignal })` still rebuilds it. `sendWithSignal`
 * gives a call its abort signal in a way the cache keeps (see `withCallSignals`).
 * Add middleware (X-Ray's `captureClient`, plugins) before a client's first call:
 * with the cache, later changes to its middleware stack are ignored.
 *
 * @example
 * ```ts
 * const ses = captureClient(new SESClient(sdkClientConfig({ requestTimeoutMs: 1500 })));
 * ```
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DeserializeMiddleware, Pluggable } from '@smithy/types';

export interface SdkClientOptions {
  /** Abort a request that has not answered after this long (default 1,500 ms). */
  requestTimeoutMs?: number;
  /** Abort a connection attempt after this long (default 500 ms). */
  connectionTimeoutMs?: number;
  /** Total attempts including the first (default 2). */
  maxAttempts?: number;
}

/** Where a call's abort signal rides on its input and request (not enumerable). */
export const CALL_SIGNAL: unique symbol = Symbol.for('authwatch.sdk.call-signal');

type WithSignal = { [CALL_SIGNAL]?: AbortSignal };
type HandleArgs = Parameters<NodeHttpHandler['handle']>;
type HandleResult = ReturnType<NodeHttpHandler['handle']>;

/** Puts `signal` on `target` without making it part of what is serialized or logged. */
export function attachCallSignal(target: object, signal: AbortSignal | undefined): void {
  if (signal === undefined) return;
  Object.defineProperty(target, CALL_SIGNAL, { value: signal, configurable: true });
}

/** The abort signal `sendWithSignal` put on a command input or request, if any. */
export function callSignalOf(target: unknown): AbortSignal | undefined {
  return target !== null && typeof target === 'object'
    ? (target as WithSignal)[CALL_SIGNAL]
    : undefined;
}

/**
 * The SDK's `NodeHttpHandler`, which also honours the abort signal a request carries
 * (put there by `withCallSignals`' middleware) when the call has none in its options.
 */
export class CallSignalHttpHandler extends NodeHttpHandler {
  override handle(request: HandleArgs[0], options: HandleArgs[1] = {}): HandleResult {
    const signal = options?.abortSignal === undefined ? callSignalOf(request) : undefined;
    return super.handle(
      request,
      signal === undefined ? options : { ...options, abortSignal: signal },
    );
  }
}

export function sdkClientConfig(options: SdkClientOptions = {}) {
  return {
    maxAttempts: options.maxAttempts ?? 2,
    cacheMiddleware: true,
    requestHandler: new CallSignalHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? 500,
      requestTimeout: options.requestTimeoutMs ?? 1_500,
    }),
  };
}

/** An AbortSignal that fires at `deadline` (epoch ms), for one SDK call's `abortSignal`. */
export function signalForDeadline(deadline: number, now: number = Date.now()): AbortSignal {
  return AbortSignal.timeout(Math.max(1, deadline - now));
}

// biome-ignore lint/suspicious/noExplicitAny: serves every client's input and output
const carrySignal: DeserializeMiddleware<any, any> = (next) => (args) => {
  // The innermost step: `args.request` is the signed request the handler receives.
  attachCallSignal(args.request as object, callSignalOf(args.input));
  return next(args);
};

const CALL_SIGNAL_MIDDLEWARE = 'authwatchCallSignal';

// biome-ignore lint/suspicious/noExplicitAny: serves every client's input and output
const callSignalPlugin: Pluggable<any, any> = {
  applyToStack(stack) {
    stack.add(carrySignal, {
      name: CALL_SIGNAL_MIDDLEWARE,
      step: 'deserialize',
      priority: 'low',
      override: true,
    });
  },
};

interface SdkClient<Output> {
  send(command: { input: object }, options?: { abortSignal?: AbortSignal }): Promise<Output>;
  config: { requestHandler?: unknown };
  // biome-ignore lint/suspicious/noExplicitAny: any client's middleware stack
  middlewareStack: { use(plugin: Pluggable<any, any>): void };
}

const signalAware = new WeakSet<object>();

/**
 * Lets `sendWithSignal` pass abort signals to this client's calls through the command
 * input instead of send options, so the SDK's middleware cache stays in use. Only a
 * client whose handler is a `CallSignalHttpHandler` (from `sdkClientConfig`) and that
 * has not sent anything yet qualifies; `sendWithSignal` uses send options for any other.
 *
 * @example
 * ```ts
 * const ses = withCallSignals(captureClient(new SESClient(sdkClientConfig())));
 * await sendWithSignal(ses, new SendEmailCommand(input), signalForDeadline(deadline));
 * ```
 */
export function withCallSignals<C extends object>(client: C): C {
  const sdk = client as unknown as SdkClient<unknown> & { handlers?: unknown };
  // `handlers` is where the SDK keeps the cached chain: set once a call was made.
  if (!(sdk.config?.requestHandler instanceof CallSignalHttpHandler) || sdk.handlers) {
    return client;
  }
  sdk.middlewareStack.use(callSignalPlugin);
  signalAware.add(client);
  return client;
}

/**
 * `client.send(command, { abortSignal: signal })`, keeping the SDK's middleware cache
 * when the client was prepared with `withCallSignals`.
 */
export function sendWithSignal<Output>(
  client: object,
  command: { input: object },
  signal: AbortSignal,
): Promise<Output> {
  const sdk = client as SdkClient<Output>;
  if (!signalAware.has(client)) return sdk.send(command, { abortSignal: signal });
  attachCallSignal(command.input, signal);
  return sdk.send(command);
}
