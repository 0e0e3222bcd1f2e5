/**
 * Values built on first use, for what a Lambda needs on some paths only or only after
 * its answer (an SDK client for a rare call, the audit stream's client): the cold start
 * does not pay for loading the SDK package, and warm invocations reuse the one value.
 */

/** A value built on first use: the same promise for every caller. */
export type Lazy<T> = () => Promise<T>;

/** A dependency given ready-made (tests, a client shared at module scope) or built on first use. */
export type Deferred<T> = T | Lazy<T>;

/**
 * Builds the value on the first call and returns the same promise after that. A build
 * that fails is tried again by the next call, so one failed load (a throttled secret, a
 * missing module) does not poison a warm environment.
 *
 * @example
 * ```ts
 * const ses = lazy(async () => {
 *   const { SESClient } = await import('@aws-sdk/client-ses');
 *   return captureClient(new SESClient(sdkClientConfig()));
 * });
 * await sendMail(ses, mail, deadline);
 * ```
 */
export function lazy<T>(build: () => T | Promise<T>): Lazy<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= Promise.resolve()
      .then(build)
      .catch((error: unknown) => {
        value = undefined;
        throw error;
      });
    return value;
  };
}

/** The dependency itself, built first when it was given as a {@link Lazy}. */
export function resolveDeferred<T>(dependency: Deferred<T>): Promise<T> {
  return typeof dependency === 'function' ? (dependency as Lazy<T>)() : Promise.resolve(dependency);
}
