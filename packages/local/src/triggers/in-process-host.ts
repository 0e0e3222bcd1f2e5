/**
 * A handler in this thread (the default isolation): its bundle imported in a scope of its
 * own (in-process.ts), with a deadline per invocation.
 */
import { closeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import {
  type HandlerHost,
  HandlerInvocationError,
  type HandlerRunnerOptions,
  type HandlerSpec,
  TRIGGER_TIMEOUT_MS,
  type WorkerFiles,
  type WorkerTiming,
} from './handler-host.js';
import { createScope, type HandlerScope, inScope, writeToScope } from './in-process.js';
import { errorMessage, lambdaContext, uncaughtExceptionLine } from './lambda-context.js';

type Handler = ((event: unknown, context: Context) => unknown) & {
  [AFTER_RESPONSE_SETTLED]?: () => Promise<void>;
};

/**
 * The property the kit's handlers carry: waits for their after-response work (audit
 * sends). Handlers in this thread run with AFTER_RESPONSE=host, so the stack answers
 * Cognito calls without waiting for Firehose, as Lambda's extension lets Cognito.
 */
// The kit's AFTER_RESPONSE_SETTLED (a registered symbol), named here rather than imported:
// the kit's index would bring Powertools into the stack's own bundle.
const AFTER_RESPONSE_SETTLED = Symbol.for('authwatch.afterResponse.settled');

/** Numbers in-process hosts, whose module URLs must never repeat in this process. */
let nextHostId = 1;

/**
 * One handler in this thread: its bundle imported once in its scope, each invocation
 * run in the scope with a deadline. A timed-out handler is replaced by a fresh import
 * of its bundle (a new module instance: a cold start, as Lambda would give it); the
 * old one's pending work is left to finish on its own.
 */
export class InProcessHandler implements HandlerHost {
  timing: WorkerTiming | undefined;
  files: WorkerFiles | undefined;
  private readonly scope: HandlerScope;
  private loaded: Promise<Handler> | undefined;
  private generation = 0;
  private readonly hostId = nextHostId++;
  private stopped = false;
  /** Every module instance loaded so far (an old one may still be finishing work). */
  private readonly instances = new Set<Handler>();
  /** How to fail each invocation in flight. */
  private readonly inFlight = new Set<(error: HandlerInvocationError) => void>();

  constructor(
    private readonly spec: HandlerSpec,
    private readonly options: HandlerRunnerOptions,
    logFile: string | null | 'inherit',
  ) {
    this.scope = createScope(spec.env, logFile);
    this.scope.crashed = (error) => this.crash(error);
  }

  /**
   * The handler threw outside its promise or left one rejected: as Lambda's runtime
   * does, log it, fail what is in flight, and give the next invocation a fresh cold
   * start.
   */
  private crash(error: unknown): void {
    const { message } = errorMessage(error);
    writeToScope(this.scope, uncaughtExceptionLine(error));
    const failure = new HandlerInvocationError('error', `handler crashed: ${message}`);
    for (const fail of this.inFlight) fail(failure);
    this.inFlight.clear();
    this.options.onRestart?.(this.spec.key, `crashed: ${message}`);
    if (!this.stopped) void this.start().catch(() => undefined);
  }

  private handler(): Promise<Handler> {
    if (this.loaded === undefined) void this.start().catch(() => undefined);
    return this.loaded as Promise<Handler>;
  }

  start(): Promise<void> {
    const started = performance.now();
    const entry = this.files?.entry;
    if (entry === undefined) {
      this.loaded = Promise.reject(new Error('in-process handlers need bundles'));
      this.loaded.catch(() => undefined);
      return this.loaded.then(() => undefined);
    }
    this.generation += 1;
    // A module URL of its own per host and cold start: a second stack in this process
    // (or a restart) must not get a module instance another one initialised.
    const url = `${pathToFileURL(entry).href}?handler=${encodeURIComponent(this.spec.key)}&host=${this.hostId}&cold=${this.generation}`;
    const exportName = this.spec.exportName ?? 'handler';
    this.loaded = inScope(this.scope, () => import(url)).then(
      (module: Record<string, unknown>) => {
        const exported = module[exportName];
        if (typeof exported !== 'function') {
          throw new Error(`${this.spec.entry} does not export a function "${exportName}"`);
        }
        const loadMs = performance.now() - started;
        this.timing = { key: this.spec.key, startMs: loadMs, loadMs };
        this.instances.add(exported as Handler);
        return exported as Handler;
      },
      (error: Error) => {
        throw new Error(`${this.spec.key}: cannot load ${this.spec.entry}: ${error.message}`);
      },
    );
    this.loaded.catch(() => undefined);
    return this.loaded.then(() => undefined);
  }

  async invoke(event: Record<string, unknown>): Promise<unknown> {
    if (this.stopped) throw new HandlerInvocationError('error', 'the local stack is stopping');
    let handler: Handler;
    try {
      handler = await this.handler();
    } catch (error) {
      throw new HandlerInvocationError('error', (error as Error).message);
    }
    const timeoutMs = this.spec.timeoutMs ?? this.options.timeoutMs ?? TRIGGER_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const context = lambdaContext(
      `authwatch-local-${this.spec.key}`,
      this.options.region,
      deadline,
    );
    // The handler gets its own copy, as it would from Lambda's JSON, and answers one.
    const input = structuredClone(event);
    let timer: NodeJS.Timeout | undefined;
    let fail: ((error: HandlerInvocationError) => void) | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      fail = reject;
      this.inFlight.add(reject);
      timer = setTimeout(() => {
        reject(new HandlerInvocationError('timeout', `timed out after ${timeoutMs} ms`));
        this.options.onRestart?.(this.spec.key, `timed out after ${timeoutMs} ms`);
        if (!this.stopped) void this.start().catch(() => undefined);
      }, timeoutMs);
    });
    const run = inScope(this.scope, () => Promise.resolve().then(() => handler(input, context)));
    try {
      const result = await Promise.race([run, timeout]);
      try {
        return structuredClone(result);
      } catch (error) {
        throw new HandlerInvocationError(
          'invalid-response',
          `response is not plain data: ${errorMessage(error).message}`,
        );
      }
    } catch (error) {
      if (error instanceof HandlerInvocationError) throw error;
      throw new HandlerInvocationError('error', errorMessage(error).message);
    } finally {
      clearTimeout(timer);
      if (fail) this.inFlight.delete(fail);
      run.catch(() => undefined);
    }
  }

  async settled(): Promise<void> {
    await Promise.allSettled(
      [...this.instances].map((handler) =>
        inScope(this.scope, () => handler[AFTER_RESPONSE_SETTLED]?.()),
      ),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Audit sends of answered invocations land before the stack closes Firehose.
    await this.settled();
    // Work the handler left running may still write: to nowhere from now on, never to
    // a closed descriptor (or a file that reuses its number).
    const output = this.scope.output;
    this.scope.output = 'drop';
    if (typeof output === 'number') closeSync(output);
  }
}
