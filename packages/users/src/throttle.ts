/**
 * Every call this tool makes goes through `PoolApi.send`: it keeps under Cognito's
 * request-rate quotas (a pacer per quota category) and, when Cognito still answers
 * TooManyRequestsException (or a connection is reset before any answer), backs off
 * exponentially with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter") and tries again.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CommandIO, MetadataBearer } from '@smithy/types';
import { describeAwsError } from './errors.js';
import { allowedRate, OPERATION_CATEGORY } from './quotas.js';

export interface ThrottleOptions {
  /**
   * Fraction of each category's account quota this tool may use (0 < share <= 1);
   * `Infinity` turns pacing off (the local stack has no quota).
   */
  share: number;
  /** Attempts on TooManyRequestsException before giving up (default 8). */
  maxAttempts?: number;
  /** First back-off ceiling in ms (default 250), doubled on each attempt up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Injected for tests. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Paces calls: at most `rate` starts per second, in order of arrival. */
class Pacer {
  private next = 0;
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  async acquire(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await this.sleep(at - now);
  }
}

export class PoolApi {
  private readonly pacers = new Map<string, Pacer>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** TooManyRequestsException answers seen (each was retried). */
  throttled = 0;
  /** Calls sent, by operation. */
  readonly calls = new Map<string, number>();

  constructor(
    readonly client: CognitoIdentityProviderClient,
    private readonly options: ThrottleOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
  }

  /** Sends a command, paced and retried; throws a one-line CliError on failure. */
  async send<I extends object, O extends MetadataBearer>(command: CommandIO<I, O>): Promise<O> {
    const operation = command.constructor.name.replace(/Command$/, '');
    try {
      return await this.attempt(operation, () => this.client.send(command as never) as Promise<O>);
    } catch (error) {
      throw describeAwsError(operation, error);
    }
  }

  /** Runs `call` for `operation` paced and retried; errors other than throttling pass through. */
  async attempt<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 8;
    const base = this.options.baseDelayMs ?? 250;
    const cap = this.options.maxDelayMs ?? 20_000;
    for (let attempt = 1; ; attempt += 1) {
      await this.pacer(operation)?.acquire();
      this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
      try {
        return await call();
      } catch (error) {
        if (!(isThrottle(error) || isTransient(error)) || attempt >= maxAttempts) throw error;
        if (isThrottle(error)) this.throttled += 1;
        const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
        await this.sleep(Math.floor(this.random() * ceiling));
      }
    }
  }

  private pacer(operation: string): Pacer | undefined {
    if (!Number.isFinite(this.options.share)) return undefined;
    // Operations of one category share its quota (for the per-pool categories that also
    // keeps each of them under 5 RPS for the pool).
    const key = OPERATION_CATEGORY[operation] ?? operation;
    let pacer = this.pacers.get(key);
    if (!pacer) {
      pacer = new Pacer(1000 / allowedRate(operation, this.options.share), this.now, this.sleep);
      this.pacers.set(key, pacer);
    }
    return pacer;
  }
}

/**
 * A request that got no answer: the connection was reset or timed out (a kept-alive socket
 * the server had just closed). Retried like throttling; a create that had in fact landed
 * then answers "exists", which the callers treat as done.
 */
function isTransient(error: unknown): boolean {
  const failure = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (failure?.$metadata?.httpStatusCode !== undefined) return false;
  return (
    failure?.name === 'TimeoutError' ||
    ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED'].includes(failure?.code ?? '')
  );
}

function isThrottle(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'TooManyRequestsException' || name === 'ThrottlingException';
}
