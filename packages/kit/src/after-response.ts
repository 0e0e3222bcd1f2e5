/**
 * Work a handler finishes after its response: the audit sends. Cognito gets the
 * trigger's answer without waiting for Firehose and the live feed, and the work still
 * ends before the execution environment is frozen.
 *
 * `AFTER_RESPONSE` chooses how:
 * - `extension` (the default in Lambda): an internal Lambda extension, registered at cold
 *   start through the Extensions API (`AWS_LAMBDA_RUNTIME_API`), holds each invocation
 *   open until its work has settled: Lambda freezes the environment only once the runtime
 *   and every extension ask for their next event. If registration fails, a warning says
 *   so and the mode falls back to `inline`.
 * - `inline` (the default outside Lambda): the handler awaits its work before returning.
 * - `host`: the process that hosts the handler (the local stack) waits for the work, by
 *   calling the function under {@link AFTER_RESPONSE_SETTLED} on the handler.
 *
 * The work is bounded by the invocation's deadline (the auditor's own) and never throws.
 *
 * @example
 * ```ts
 * // handler.ts: register at cold start (a top-level await keeps it in Lambda's init phase).
 * await afterResponse.start();
 * export const handler = defineTrigger({ ..., handle: async (event, ctx) => {
 *   ctx.afterResponse(() => auditor.emit(audit, { deadline: ctx.deadline }));
 *   return response;
 * }});
 * ```
 */
import { request } from 'node:http';
import { ConfigError, getEnumFromEnv } from './env.js';
import { logger } from './observability.js';

export const AFTER_RESPONSE_MODES = ['extension', 'inline', 'host'] as const;
export type AfterResponseMode = (typeof AFTER_RESPONSE_MODES)[number];

/** The handler property a host calls to wait for all after-response work started so far. */
export const AFTER_RESPONSE_SETTLED: unique symbol = Symbol.for('authwatch.afterResponse.settled');

/** The name the internal extension registers under. */
export const EXTENSION_NAME = 'authwatch-after-response';

const API_VERSION = '2020-01-01';

type Env = Record<string, string | undefined>;

/** Where the extension's diagnostics go (the Powertools logger in production). */
export interface AfterResponseLog {
  warn(message: string, extra: Record<string, unknown>): void;
}

export interface AfterResponseOptions {
  env?: Env;
  log?: AfterResponseLog;
}

/** The mode the environment asks for: AFTER_RESPONSE, else by whether Lambda's API is there. */
export function afterResponseModeFromEnv(env: Env = process.env): AfterResponseMode {
  const runtimeApi = env.AWS_LAMBDA_RUNTIME_API?.trim();
  const mode = getEnumFromEnv('AFTER_RESPONSE', AFTER_RESPONSE_MODES, {
    env,
    defaultValue: runtimeApi ? 'extension' : 'inline',
  });
  if (mode === 'extension' && !runtimeApi) {
    throw new ConfigError(
      'AFTER_RESPONSE',
      'is "extension" but AWS_LAMBDA_RUNTIME_API is not set (only Lambda provides it)',
    );
  }
  return mode;
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to the Runtime API (node:http: no timeout, as `next` waits while frozen). */
function call(
  api: string,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<HttpAnswer> {
  const [host, port] = api.split(':');
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port: Number(port ?? 80), method, path, headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Waiter {
  promise: Promise<void>;
  resolve(work: Promise<void>): void;
}

/**
 * Tracks the work handlers leave for after their response, in one of the three modes.
 * The kit keeps one ({@link afterResponse}); tests make their own.
 */
export class AfterResponse {
  #mode: AfterResponseMode = 'inline';
  #started: Promise<AfterResponseMode> | undefined;
  readonly #pending = new Set<Promise<void>>();
  /** Per request id: the work, or the extension waiting for it (whichever comes first). */
  readonly #invocations = new Map<string, Waiter>();
  #log: AfterResponseLog = logger;
  #stopped = false;

  /** The mode in force (`inline` until {@link start} has settled). */
  get mode(): AfterResponseMode {
    return this.#mode;
  }

  /**
   * Reads AFTER_RESPONSE and, in `extension` mode, registers the internal extension and
   * starts its loop. Call once at module scope with a top-level await: Lambda accepts an
   * extension only during its init phase. Throws a ConfigError for a bad AFTER_RESPONSE;
   * never throws for a failed registration (the mode becomes `inline`).
   */
  start(options: AfterResponseOptions = {}): Promise<AfterResponseMode> {
    this.#started ??= this.#start(options);
    return this.#started;
  }

  async #start(options: AfterResponseOptions): Promise<AfterResponseMode> {
    const env = options.env ?? process.env;
    if (options.log) this.#log = options.log;
    const wanted = afterResponseModeFromEnv(env);
    if (wanted !== 'extension') {
      this.#mode = wanted;
      return wanted;
    }
    const api = (env.AWS_LAMBDA_RUNTIME_API ?? '').trim();
    try {
      const answer = await call(
        api,
        'POST',
        `/${API_VERSION}/extension/register`,
        { 'Lambda-Extension-Name': EXTENSION_NAME, 'Content-Type': 'application/json' },
        JSON.stringify({ events: ['INVOKE'] }),
      );
      const id = answer.headers['lambda-extension-identifier'];
      if (answer.status !== 200 || typeof id !== 'string' || id === '') {
        throw new Error(`register answered ${answer.status}`);
      }
      this.#mode = 'extension';
      void this.#loop(api, id);
    } catch (error) {
      this.#mode = 'inline';
      this.#log.warn('after-response extension not registered: work finishes before responding', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    return this.#mode;
  }

  /** The extension's loop: for each INVOKE, wait for that invocation's work, then ask again. */
  async #loop(api: string, id: string): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      let event: { eventType?: string; requestId?: string; deadlineMs?: number };
      try {
        const answer = await call(api, 'GET', `/${API_VERSION}/extension/event/next`, {
          'Lambda-Extension-Identifier': id,
        });
        if (answer.status !== 200) throw new Error(`next answered ${answer.status}`);
        event = JSON.parse(answer.body) as typeof event;
        failures = 0;
      } catch (error) {
        if (this.#stopped) return;
        // Lambda would wait for this extension forever: keep asking, with a short pause.
        failures += 1;
        if (failures === 1) {
          this.#log.warn('after-response extension: next event failed', {
            reason: error instanceof Error ? error.message : String(error),
          });
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 10 * failures)));
        continue;
      }
      if (event.eventType === 'SHUTDOWN') return;
      if (event.eventType === 'INVOKE' && typeof event.requestId === 'string') {
        await this.#settledFor(event.requestId, event.deadlineMs);
      }
    }
  }

  #waiter(requestId: string): Waiter {
    let waiter = this.#invocations.get(requestId);
    if (!waiter) {
      let resolve!: (work: Promise<void>) => void;
      const promise = new Promise<void>((done) => {
        resolve = (work) => done(work);
      });
      waiter = { promise, resolve };
      this.#invocations.set(requestId, waiter);
    }
    return waiter;
  }

  /** Waits for the invocation's work; past its deadline, lets Lambda end it anyway. */
  async #settledFor(requestId: string, deadlineMs: number | undefined): Promise<void> {
    const waiter = this.#waiter(requestId);
    let timer: NodeJS.Timeout | undefined;
    const limit =
      typeof deadlineMs === 'number' && Number.isFinite(deadlineMs)
        ? new Promise<void>((resolve) => {
            timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
          })
        : undefined;
    await (limit ? Promise.race([waiter.promise, limit]) : waiter.promise);
    clearTimeout(timer);
    this.#invocations.delete(requestId);
  }

  /**
   * Hands over an invocation's work once its response is ready. Returns the promise to
   * await before responding in `inline` mode, and `undefined` when the work may go on
   * after the response. `work` must not reject.
   */
  defer(requestId: string, work: Promise<void>): Promise<void> | undefined {
    if (this.#mode === 'inline') return work;
    this.#pending.add(work);
    void work.finally(() => this.#pending.delete(work));
    if (this.#mode === 'extension') this.#waiter(requestId).resolve(work);
    return undefined;
  }

  /** Ends the extension's loop (for tests: in Lambda it lives as long as the process). */
  stop(): void {
    this.#stopped = true;
  }

  /** Resolves once all work handed over so far has settled (the host's wait). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}

/** The kit's tracker, used by `defineTrigger` and `defineHandler`. */
export const afterResponse = new AfterResponse();
