/**
 * The body of `pnpm start` (loaded by cli.ts): the local stack in the foreground until
 * Ctrl-C.
 *
 *   tsx src/cli.ts [--port 4580] [--state-dir .local] [--reset] [--quiet] [--demo]
 *                  [--handler-logs file|inherit|ignore] [--loader bundle|tsx]
 *                  [--isolation in-process|worker]
 */
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, type Worker, workerData } from 'node:worker_threads';
import { SECURITY_USER } from './dashboard.js';
import { startFailureText } from './launcher.js';
import { watchParent } from './parent-watch.js';
import { DEFAULT_STATE_DIR } from './paths.js';
import { DEFAULT_BASE_PORT, DEMO_USER, type LocalStack, startLocalStack } from './stack.js';
import type { HandlerIsolation, HandlerLoader, HandlerLogMode } from './triggers/runner.js';

const USAGE = `Usage: pnpm start [--] [options]

Runs Authwatch offline: a Cognito-compatible user pool running the real triggers, the
protected API, SES, Firehose and the live feed, until Ctrl-C.

Options:
  --port <n>            base port (Cognito on it, then API, SES, Firehose, live feed);
                        0 picks free ports (default ${DEFAULT_BASE_PORT})
  --state-dir <dir>     where state, audit objects and handler logs live
                        (default $AUTHWATCH_LOCAL_DIR, else .local/ at the repository root)
  --reset               wipe the state first (new pool ids, no users but the demo user)
  --quiet               no banner and no live view of audit events
  --demo                run the guided demo once the stack is up, then keep running
  --handler-logs <m>    handler logs: file (default, <state-dir>/logs/<trigger>.log),
                        inherit (to stderr) or ignore
  --loader <m>          bundle (default: esbuild, cached) or tsx (load sources directly)
  --isolation <m>       in-process (default: each handler's bundle in the stack's thread,
                        with its own environment and log) or worker (a thread per handler,
                        which can also stop a handler stuck in a busy loop; always with tsx)
  --verbose             print the stack trace of a failure to start
  -h, --help            this text

One stack per state folder: a second start (or --reset) while one runs is refused.
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    fail(`--${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function banner(stack: LocalStack, startedAt: number): string {
  const o = stack.outputs;
  const rows: [string, string][] = [
    ['Cognito endpoint', o.endpoint],
    ['user pool', `${o.userPoolId} (${o.region})`],
    ['web client', `${o.userPoolClientId} (as deployed)`],
    ['password client', `${o.passwordClientId} (local only: USER_PASSWORD_AUTH, SRP)`],
    ['machine client', o.machineClientId],
    ['issuer', o.issuer],
    ['protected API', `${o.apiUrl}/me`],
    ['mailbox (SES)', `${o.sesEndpoint}/store`],
    ['audit objects', o.auditDir],
    ['live feed', `${o.liveFeedWsUrl} (API id ${o.liveFeedApiId}; pnpm watch)`],
    ['security page', o.dashboardUrl ?? '(not started)'],
    ['demo user', `${DEMO_USER.email} / ${DEMO_USER.password}`],
    ['security user', `${SECURITY_USER.email} / ${SECURITY_USER.password}`],
    ['outputs', stack.outputsFile],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `Authwatch local stack listening in ${Math.round(Date.now() - startedAt)} ms`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
  ].join('\n');
}

/**
 * Runs the CLI. `startedAt`: epoch ms at which the process started; `args`: the
 * command-line options. In a worker thread (cli.ts runs it in one), signals arrive as
 * `{ signal }` messages from the main thread.
 */
/** What the launcher hands over besides the options. */
export interface MainExtras {
  /** The SES emulator's thread, already loading its package (launcher.js). */
  sesWorker?: Worker | undefined;
  /** The delivery thread, already loading its bundle (launcher.js). */
  deliveryWorker?: Worker | undefined;
  /** The demo's module URL (its own bundle next to the stack's); default ./demo.js. */
  demoModule?: string | undefined;
}

export async function main(
  startedAt: number = performance.timeOrigin,
  args: string[] = process.argv.slice(2),
  extras: MainExtras = {},
): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      // `pnpm start -- --reset` hands the script a leading `--`.
      args: args[0] === '--' ? args.slice(1) : args,
      options: {
        port: { type: 'string' },
        'state-dir': { type: 'string' },
        reset: { type: 'boolean' },
        quiet: { type: 'boolean' },
        demo: { type: 'boolean' },
        'handler-logs': { type: 'string' },
        loader: { type: 'string' },
        isolation: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = values.port === undefined ? DEFAULT_BASE_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_530)
    fail('--port must be 0 or a port number');
  const quiet = values.quiet === true;
  const say = (line: string) => {
    if (!quiet) process.stdout.write(`${line}\n`);
  };

  const stack = await startLocalStack({
    port,
    ...(extras.sesWorker ? { sesWorker: extras.sesWorker } : {}),
    ...(extras.deliveryWorker ? { deliveryWorker: extras.deliveryWorker } : {}),
    stateDir: (values['state-dir'] as string | undefined) ?? DEFAULT_STATE_DIR,
    reset: values.reset === true,
    quiet,
    background: true,
    ...(oneOf<HandlerLogMode>('handler-logs', values['handler-logs'] as string | undefined, [
      'file',
      'inherit',
      'ignore',
    ])
      ? { handlerLogs: values['handler-logs'] as HandlerLogMode }
      : {}),
    ...(oneOf<HandlerLoader>('loader', values.loader as string | undefined, ['bundle', 'tsx'])
      ? { loader: values.loader as HandlerLoader }
      : {}),
    ...(oneOf<HandlerIsolation>('isolation', values.isolation as string | undefined, [
      'in-process',
      'worker',
    ])
      ? { isolation: values.isolation as HandlerIsolation }
      : {}),
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stderr.write(`\n${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    say(`\n${signal}: stopping the local stack...`);
    stack.stop().then(
      () => {
        say('stopped.');
        process.exit(0);
      },
      (error: Error) => {
        process.stderr.write(`error while stopping: ${error.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  // pnpm does not pass a SIGTERM on to the script: stop when it (our parent) ends.
  watchParent(() => shutdown('parent process ended'));
  parentPort?.on('message', (message: { signal?: string }) => {
    if (message?.signal) shutdown(message.signal);
  });

  say(banner(stack, startedAt));
  const timings = await stack.handlersReady;
  const bundling = stack.bundling();
  const slowest = Math.max(0, ...timings.map((timing) => timing.startMs));
  say(
    `handlers ready in ${Math.round(Date.now() - startedAt)} ms: ${timings
      .map((timing) => timing.key)
      .join(
        ', ',
      )} (bundles ${bundling.cached ? 'cached' : `built in ${Math.round(bundling.ms)} ms`}, slowest load ${Math.round(slowest)} ms)`,
  );
  for (const [key, message] of stack.loadErrors) say(`! ${key} did not load: ${message}`);
  say('live view of audit events (Ctrl-C to stop):');

  if (values.demo) {
    // Loaded only for --demo: it brings the Cognito SDK client.
    // A module path in a variable: the stack's bundle leaves the demo (and the Cognito
    // SDK client it brings) to a bundle of its own.
    const demoModule = extras.demoModule ?? new URL('./demo.js', import.meta.url).href;
    const { runDemo } = (await import(demoModule)) as typeof import('./demo.js');
    await runDemo({ outputs: stack.outputs, print: say, settle: () => stack.settle() }).catch(
      (error: Error) => process.stderr.write(`demo failed: ${error.message}\n`),
    );
  }
}

/** Set by cli.ts when it runs this bundle in a worker thread. */
interface MainWorkerData {
  authwatchLocalMain: { startedAt: number; args: string[]; demoModule?: string };
}

if (!isMainThread && (workerData as Partial<MainWorkerData> | null)?.authwatchLocalMain) {
  const { startedAt, args, demoModule } = (workerData as MainWorkerData).authwatchLocalMain;
  main(startedAt, args, { demoModule }).catch((error: Error) => {
    process.stderr.write(startFailureText(error, args));
    process.exit(1);
  });
}
