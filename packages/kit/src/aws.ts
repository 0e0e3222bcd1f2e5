/**
 * Settings every AWS SDK client in a trigger shares: a hard request timeout (an SDK
 * call must never outlive Cognito's 5-second trigger limit) and few retries. Endpoints
 * come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables, which is how the
 * local stack points the real clients at its emulators.
 *
 * @example
 * ```ts
 * const ses = captureClient(new SESClient(sdkClientConfig({ requestTimeoutMs: 1500 })));
 * ```
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface SdkClientOptions {
  /** Abort a request that has not answered after this long (default 1,500 ms). */
  requestTimeoutMs?: number;
  /** Abort a connection attempt after this long (default 500 ms). */
  connectionTimeoutMs?: number;
  /** Total attempts including the first (default 2). */
  maxAttempts?: number;
}

export function sdkClientConfig(options: SdkClientOptions = {}) {
  return {
    maxAttempts: options.maxAttempts ?? 2,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? 500,
      requestTimeout: options.requestTimeoutMs ?? 1_500,
    }),
  };
}

/** An AbortSignal that fires at `deadline` (epoch ms), for one SDK call's `abortSignal`. */
export function signalForDeadline(deadline: number, now: number = Date.now()): AbortSignal {
  return AbortSignal.timeout(Math.max(1, deadline - now));
}
