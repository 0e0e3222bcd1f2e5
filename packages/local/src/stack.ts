/**
 * The local stack: every emulator in one process, the project's real handlers (in this
 * thread by default, or a worker thread each), and one user pool set up from the same
 * typed config infra uses. The Cognito emulator, the handlers and the protected API share
 * this thread; SES and the audit's delivery emulators (Firehose, the live feed) each run
 * in a worker thread, so what the handlers send after answering is received on the
 * other core.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ port: 0, stateDir: tmp, quiet: true });
 * const client = new CognitoIdentityProviderClient({ endpoint: stack.outputs.endpoint, ... });
 * await stack.stop();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { type AuthwatchConfig, loadConfig } from '@authwatch/infra/config';
import { LOCK_ATTRIBUTE } from '@authwatch/pre-auth/config';
import { ROUTES } from '@authwatch/protected-api/routes';
import { userPoolSectionOf } from '../../../infra/config/sections/user-pool.js';
import { createHttpApiServer, type HttpApiServer, IntegrationError } from './api/index.js';
import { ensureLocalClients, type LocalClientIds } from './clients.js';
import { createTrailDelivery } from './cloudtrail/delivery.js';
import { LOCAL_ACCOUNT_ID } from './cognito/cloudtrail.js';
import {
  type CognitoEmulator,
  createCognitoEmulator,
  type TriggerName,
  type TriggerVersion,
} from './cognito/index.js';
import {
  historyHandlerEnv,
  mergeHandlerEnv,
  seedSecurityUser,
  startLocalDashboard,
} from './dashboard.js';
import {
  type DeliveryFirehose,
  type DeliveryLiveFeed,
  type DeliveryPlacement,
  startDelivery,
} from './delivery/index.js';
import { type LocalDetections, startLocalDetections } from './detections.js';
import { LOCAL_LIVE_FEED_API_ID } from './live-feed/server.js';
import {
  formatAuditLine,
  type LiveView,
  subscribeLiveView,
  type ViewedEvent,
} from './live-view.js';
import { acquireStackLock, lockPath, portInUseError } from './lock.js';
import { sesMailer } from './mailer.js';
import { type LocalOutputs, outputsPath, portsOf, writeOutputs } from './outputs.js';
import { DEFAULT_BUNDLE_DIR, DEFAULT_STATE_DIR } from './paths.js';
import { startSesEmulator } from './ses.js';
import {
  handlerSpecs,
  LAMBDAS,
  LOCAL_AUDIT_STREAM,
  type LocalSecrets,
  preTokenVersion,
} from './triggers/environment.js';
import { createTriggerInvoker } from './triggers/invoker.js';
import {
  HandlerInvocationError,
  type HandlerIsolation,
  type HandlerLoader,
  type HandlerLogMode,
  HandlerRunner,
  type WorkerTiming,
} from './triggers/runner.js';

/** Default base port: Cognito on it, then the API, SES, Firehose, the live feed and the security page. */
export const DEFAULT_BASE_PORT = 4580;

/** The demo user seeded into the pool (confirmed, in group `users`). */
export const DEMO_USER = {
  email: 'demo@example.com',
  password: 'Demo-Passw0rd!',
  tenant: 'tenant-demo',
} as const;

/** API Gateway's integration timeout for HTTP APIs. */
const API_TIMEOUT_MS = 30_000;

export interface LocalStackOptions {
  /** Base port; 0 picks free ports for every server (tests). Default {@link DEFAULT_BASE_PORT}. */
  port?: number;
  /** State folder (pool, audit objects, handler logs). Default `.local/` at the repo root. */
  stateDir?: string;
  /** Wipe the state first. */
  reset?: boolean;
  /** No live view lines and no banner. */
  quiet?: boolean;
  /** Where each line of the live view goes (default stdout). */
  print?: (line: string) => void;
  /** Handler logs: per-trigger files under `<stateDir>/logs` (default), inherited, or dropped. */
  handlerLogs?: HandlerLogMode;
  /** Where handler bundles are cached (default: node_modules/.cache of this package). */
  bundleDir?: string;
  /** How handlers are loaded (default `bundle`). */
  loader?: HandlerLoader;
  /** Where handlers run (default `in-process`; see HandlerIsolation). */
  isolation?: HandlerIsolation;
  /** The typed config (default: `loadConfig()` of AUTHWATCH_ENV, else dev). */
  config?: AuthwatchConfig;
  /** Extra environment variables per handler key (e.g. a short code TTL in a test). */
  handlerEnv?: Record<string, Record<string, string>>;
  /** Resolve before the handlers are loaded (the CLI prints when they are). Default false. */
  background?: boolean;
  /** Per-trigger limit (default Cognito's 5 s). */
  triggerTimeoutMs?: number;
  /** The SES emulator's thread, already loading (the launcher starts it early). */
  sesWorker?: Worker;
  /** Where Firehose and the live feed run (default `thread`: a worker thread of their own). */
  delivery?: DeliveryPlacement;
  /** The delivery thread, already loading (the launcher starts it early). */
  deliveryWorker?: Worker;
  /** Clock of the Cognito emulator (tests). */
  now?: () => number;
}

export interface LocalStack {
  outputs: LocalOutputs;
  /** Resolves when every handler worker is loaded, with their start times. */
  handlersReady: Promise<WorkerTiming[]>;
  /** Bundling time and whether the cache was used. */
  bundling(): { ms: number; cached: boolean };
  /** The emulator itself (federated sign-in, direct state access in tests). */
  cognito: CognitoEmulator;
  /** The Firehose emulator: `flush()` puts every audit event answered so far on disk. */
  firehose: DeliveryFirehose;
  /** The AppSync Events emulator of the live feed. */
  liveFeed: DeliveryLiveFeed;
  /** Worker keys that run (entries present in this checkout). */
  handlers: string[];
  /** Why handlers failed to load, by key (their invocations fail with it). */
  loadErrors: ReadonlyMap<string, string>;
  /** Invocations and total time per handler since start (benchmarks). */
  handlerStats: ReadonlyMap<string, { invocations: number; totalMs: number }>;
  stateDir: string;
  /** Where `outputs.json` was written. */
  outputsFile: string;
  /** The detections on their timer (`runNow()` runs them at once). */
  detections: LocalDetections;
  /**
   * Resolves once the audit events of everything answered so far are delivered (the
   * handlers' open batches sent, Firehose's buffer written) and, unless quiet, shown in
   * the live view: waits at most `timeoutMs` (default 2 s) for the view's lines.
   */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

async function listenDelegate(
  handler: Parameters<typeof createServer>[1],
  port: number,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Starts servers at once; if one fails (a port in use), stops those that started (a
 * worker thread left running would keep the process alive) and rejects with its error.
 */
async function allOrNone<T extends readonly unknown[]>(
  starting: {
    [K in keyof T]: Promise<T[K]>;
  },
): Promise<T> {
  const settled = await Promise.allSettled(starting);
  const failure = settled.find((result) => result.status === 'rejected');
  if (!failure)
    return settled.map(
      (result) => (result as PromiseFulfilledResult<unknown>).value,
    ) as unknown as T;
  await Promise.allSettled(
    settled.map(async (result) => {
      if (result.status !== 'fulfilled') return;
      const started = result.value as { stop?: () => Promise<void>; server?: Server };
      if (started.stop) await started.stop();
      else if (started.server) await new Promise((resolve) => started.server?.close(resolve));
    }),
  );
  throw failure.reason;
}

/**
 * The local secrets (`secrets.json`, mode 0600): made at the first start. A file that
 * cannot be read back as one (not JSON, no code key of 32 bytes) is replaced, with a line
 * that says so: the only loss is that codes mailed before now no longer verify. A file
 * that cannot be read at all (permissions) is an error: replacing it would fail too.
 */
export async function loadSecrets(
  stateDir: string,
  print: (line: string) => void = () => undefined,
): Promise<LocalSecrets> {
  const file = join(stateDir, 'secrets.json');
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Why a file that exists is replaced, in fixed words: a JSON parser's message quotes
  // the text, and the text is a secret.
  let problem: string | undefined;
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      problem = 'it is not JSON';
    }
    const { codeKey, userHashKey } = (parsed ?? {}) as { codeKey?: unknown; userHashKey?: unknown };
    if (typeof codeKey === 'string' && Buffer.from(codeKey, 'base64').length === 32) {
      if (typeof userHashKey === 'string' && userHashKey.length >= 16)
        return { codeKey, userHashKey };
      // A state folder from before the pre-auth trigger: add its key, keep the code key.
      const secrets: LocalSecrets = { codeKey, userHashKey: randomBytes(32).toString('base64') };
      await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
      return secrets;
    }
    problem ??= 'it holds no code key of 32 bytes';
  }
  const secrets: LocalSecrets = {
    codeKey: randomBytes(32).toString('base64'),
    userHashKey: randomBytes(32).toString('base64'),
  };
  await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
  if (problem !== undefined) {
    print(
      `! ${file} could not be read (${problem}): a new code key was made; codes mailed before now no longer verify`,
    );
  }
  return secrets;
}

/** Wipes the state folder (pool, users, audit objects, logs, secrets), but not its lock. */
async function resetState(stateDir: string): Promise<void> {
  if (!existsSync(stateDir)) return;
  for (const entry of await readdir(stateDir)) {
    if (entry === basename(lockPath(stateDir))) continue;
    await rm(join(stateDir, entry), { recursive: true, force: true });
  }
}

/** Which triggers the pool wires, for the handlers present (PreTokenGeneration V3_0: M2M too). */
function triggerWiring(
  config: AuthwatchConfig,
  handlers: string[],
): Partial<Record<TriggerName, TriggerVersion>> {
  const wiring: Partial<Record<TriggerName, TriggerVersion>> = {};
  for (const lambda of LAMBDAS) {
    if (!lambda.trigger || !handlers.includes(lambda.key)) continue;
    wiring[lambda.trigger] =
      lambda.trigger === 'PreTokenGeneration' ? preTokenVersion(config) : 'V1_0';
  }
  return wiring;
}

/** Creates (or finds again) the pool, clients, groups, scopes and demo user. */
async function setUpPool(
  cognito: CognitoEmulator,
  config: AuthwatchConfig,
  handlers: string[],
): Promise<{ poolId: string } & LocalClientIds> {
  // The user pool section with its defaults, exactly as the CDK construct reads it.
  const section = userPoolSectionOf(config.userPool);
  const policy = section.passwordPolicy;
  const pool = cognito.ensureUserPool({
    name: `authwatch-${config.envName}`,
    usernameAttributes: section.signInWithUsername ? [] : ['email'],
    autoVerifiedAttributes: ['email'],
    passwordPolicy: {
      MinimumLength: policy.minLength,
      RequireLowercase: policy.requireLowercase,
      RequireUppercase: policy.requireUppercase,
      RequireNumbers: policy.requireDigits,
      RequireSymbols: policy.requireSymbols,
      TemporaryPasswordValidityDays: policy.tempPasswordValidityDays,
    },
    customAttributes: [
      { name: 'tenant_id', type: 'String', mutable: true },
      // The temporary lock the pre authentication trigger honours (epoch seconds).
      { name: LOCK_ATTRIBUTE.slice('custom:'.length), type: 'Number', mutable: true },
    ],
    triggers: triggerWiring(config, handlers),
  });
  const server = section.resourceServer;
  cognito.createResourceServer(pool.id, {
    identifier: server.identifier,
    name: server.name,
    scopes: server.scopes.map((scope) => ({ name: scope.name, description: scope.description })),
  });
  for (const group of section.groups) {
    cognito.ensureGroup(pool.id, {
      name: group.name,
      ...(group.description !== undefined ? { description: group.description } : {}),
      ...(group.precedence !== undefined ? { precedence: group.precedence } : {}),
    });
  }
  // The clients as infra deploys them, plus the local-only password client.
  const clients = ensureLocalClients(cognito, pool.id, config);
  const existing = await cognito
    .call('AdminGetUser', { UserPoolId: pool.id, Username: DEMO_USER.email })
    .catch(() => undefined);
  if (!existing) {
    const user = await cognito.seedUser(pool.id, DEMO_USER.email, DEMO_USER.password, {
      email: DEMO_USER.email,
      email_verified: 'true',
      'custom:tenant_id': DEMO_USER.tenant,
    });
    await cognito.call('AdminAddUserToGroup', {
      UserPoolId: pool.id,
      Username: user.username,
      GroupName: 'users',
    });
  }
  await cognito.save();
  return { poolId: pool.id, ...clients };
}

/**
 * Starts the whole local stack. Refuses (StackRunningError) when a stack is running on
 * the same state folder, before a `reset` could wipe it; a port in use is a
 * LocalStackStartError saying so.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  await mkdir(stateDir, { recursive: true });
  const lock = await acquireStackLock(stateDir, options.reset ? 'reset' : 'start');
  try {
    const stack = await startLocked(options, stateDir);
    await lock.update({ endpoint: stack.outputs.endpoint, ports: portsOf(stack.outputs) });
    const stop = stack.stop;
    return { ...stack, stop: () => stop().finally(() => lock.release()) };
  } catch (error) {
    await lock.release();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw portInUseError((error as { port?: number }).port ?? 0, stateDir, error);
    }
    throw error;
  }
}

async function startLocked(options: LocalStackOptions, stateDir: string): Promise<LocalStack> {
  const config = options.config ?? loadConfig();
  const base = options.port ?? DEFAULT_BASE_PORT;
  const portOf = (offset: number) => (base === 0 ? 0 : base + offset);
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (options.reset) await resetState(stateDir);
  const auditDir = join(stateDir, 'audit');
  const secrets = await loadSecrets(stateDir, print);

  // Everything that listens starts at once; the handlers need the URLs.
  let cognito: CognitoEmulator | undefined;
  let handlersSettled = (): Promise<void> => Promise.resolve();
  let api: HttpApiServer | undefined;
  const [cognitoHttp, ses, delivery] = await allOrNone([
    listenDelegate((req, res) => {
      if (cognito) cognito.listener(req, res);
      else {
        res.writeHead(503).end();
      }
    }, portOf(0)),
    startSesEmulator(portOf(2), '127.0.0.1', options.sesWorker),
    startDelivery({
      dir: auditDir,
      streams: [LOCAL_AUDIT_STREAM],
      region: config.region,
      firehosePort: portOf(3),
      liveFeedPort: portOf(4),
      // Audit sends run after each trigger's answer: a flush waits for them first.
      beforeFlush: () => handlersSettled(),
      ...(options.delivery ? { placement: options.delivery } : {}),
      ...(options.deliveryWorker ? { preloaded: options.deliveryWorker } : {}),
      onFailure: (error) =>
        process.stderr.write(
          `local stack: Firehose and the live feed stopped (${error.message}); audit events go to the handlers' fallback logs until a restart\n`,
        ),
    }),
  ]);
  const { firehose, liveFeed } = delivery;
  const liveFeedUrl = liveFeed.url;
  const endpoints = {
    cognito: cognitoHttp.url,
    firehose: firehose.url,
    ses: ses.url,
    liveFeed: liveFeedUrl,
  };

  const specs = handlerSpecs({
    config,
    endpoints,
    secrets,
    overrides: mergeHandlerEnv(historyHandlerEnv(config, auditDir), options.handlerEnv),
  }).map((spec) => (spec.key === 'protected-api' ? { ...spec, timeoutMs: API_TIMEOUT_MS } : spec));
  const handlers = specs.map((spec) => spec.key);
  const runner = new HandlerRunner({
    handlers: specs,
    region: config.region,
    loader: options.loader ?? 'bundle',
    ...(options.isolation ? { isolation: options.isolation } : {}),
    bundleDir: options.bundleDir ?? join(DEFAULT_BUNDLE_DIR, 'handlers'),
    logs: options.handlerLogs ?? 'file',
    logDir: join(stateDir, 'logs'),
    ...(options.triggerTimeoutMs !== undefined ? { timeoutMs: options.triggerTimeoutMs } : {}),
    onRestart: (key, reason) => {
      if (!options.quiet) print(`! handler ${key} restarted: ${reason}`);
    },
  });
  handlersSettled = () => runner.settled();
  // Worker threads load in parallel with the rest of the start-up; handlers that run in
  // this thread load once the stack answers (loading them is work for this very thread,
  // and an invocation that comes first loads its own handler on the spot).
  let handlersReady: Promise<WorkerTiming[]> | undefined =
    runner.isolation === 'worker' ? runner.start() : undefined;
  handlersReady?.catch(() => undefined);

  let poolIds: string[] = [];
  // Cognito's CloudTrail records, delivered as EventBridge/SQS would to the real handler.
  const trail = runner.has('cloudtrail')
    ? createTrailDelivery({
        handler: (event) => runner.invoke('cloudtrail', event),
        retryDelayMs: 250,
        region: config.region,
        accountId: LOCAL_ACCOUNT_ID,
        onError: (error) => {
          if (!options.quiet) print(`! cloudtrail handler failed: ${String(error)}`);
        },
      })
    : undefined;
  cognito = createCognitoEmulator({
    ...(trail ? { onApiCall: (record: Record<string, unknown>) => trail.record(record) } : {}),
    region: config.region,
    baseUrl: cognitoHttp.url,
    triggers: createTriggerInvoker(runner, () => poolIds),
    mailer: sesMailer(ses.url),
    stateFile: join(stateDir, 'cognito.json'),
    ...(options.now ? { now: options.now } : {}),
  });
  const ids = await setUpPool(cognito, config, handlers);
  poolIds = [ids.poolId];
  await seedSecurityUser(cognito, ids.poolId, config);
  const issuer = cognito.issuer(ids.poolId);
  const jwksUri = `${issuer}/.well-known/jwks.json`;

  api = createHttpApiServer({
    issuer,
    jwksUri,
    // The local password client stands in for the web client of scripts and load tests.
    audiences: () => [ids.webClientId, ids.machineClientId, ids.passwordClientId],
    // The same table the handler and the CDK construct's authorizationScopes read.
    routes: ROUTES,
    async invoke(event) {
      if (!runner.has('protected-api'))
        throw new IntegrationError('error', 'no protected-api handler');
      try {
        return await runner.invoke('protected-api', event);
      } catch (error) {
        if (error instanceof HandlerInvocationError)
          throw new IntegrationError(error.kind, error.message);
        throw error;
      }
    },
  });
  const apiUrl = await api.start(portOf(1));

  let view: LiveView | undefined;
  if (!options.quiet) {
    view = await subscribeLiveView({
      liveFeedUrl,
      // Each sign-in shows once (as authwatch-watch shows it): CloudTrail's sign-in-call
      // records only carry the IP of a sign-in whose own lines are shown.
      onEvent: (event: ViewedEvent) => {
        if (event.metadata?.log_name !== 'sign-in-call') print(formatAuditLine(event));
      },
    });
  }

  const outputs: LocalOutputs = {
    endpoint: cognitoHttp.url,
    region: config.region,
    userPoolId: ids.poolId,
    userPoolClientId: ids.webClientId,
    passwordClientId: ids.passwordClientId,
    machineClientId: ids.machineClientId,
    machineClientSecret: ids.machineSecret,
    issuer,
    jwksUri,
    apiUrl,
    sesEndpoint: ses.url,
    auditDir,
    firehoseEndpoint: firehose.url,
    auditStreamName: LOCAL_AUDIT_STREAM,
    liveFeedHttpUrl: liveFeedUrl,
    liveFeedApiId: LOCAL_LIVE_FEED_API_ID,
    liveFeedWsUrl: `${liveFeedUrl.replace(/^http/, 'ws')}/event/realtime`,
  };
  // The security page, on its own port (base + 5).
  const dashboard = await startLocalDashboard(portOf(5), outputs, config);
  outputs.dashboardUrl = dashboard.url;
  const outputsFile = outputsPath(stateDir);
  await writeOutputs(outputsFile, outputs);
  const detections = await startLocalDetections({
    ...{ config, stateDir, auditDir, endpoints, userPoolId: ids.poolId, report: print },
    bundleDir: join(options.bundleDir ?? DEFAULT_BUNDLE_DIR, 'detections'),
    flush: () => firehose.flush(),
  });
  handlersReady ??= runner.start();
  handlersReady.catch(() => undefined);

  if (!options.background) await handlersReady;
  handlersReady.then(() => {
    if (options.quiet) return;
    for (const [key, message] of runner.loadErrors)
      print(`! handler ${key} failed to load: ${message}`);
  });

  let stopping: Promise<void> | undefined;
  const emulator = cognito;
  return {
    outputs,
    handlersReady,
    bundling: () => runner.bundling,
    cognito: emulator,
    firehose,
    liveFeed,
    handlers,
    loadErrors: runner.loadErrors,
    handlerStats: runner.stats,
    stateDir,
    outputsFile,
    detections,
    async settle(timeoutMs = 2_000) {
      await trail?.drain();
      await firehose.flush();
      // The view's lines come over its WebSocket a moment after the publishes answered.
      const until = Date.now() + timeoutMs;
      if (!view) return;
      const { published } = await liveFeed.stats();
      while (view.received < published && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      view.flush();
    },
    stop() {
      stopping ??= (async () => {
        await trail?.drain();
        trail?.stop();
        await view?.close();
        await detections.stop();
        await Promise.allSettled([
          api?.stop(),
          dashboard.stop(),
          runner.stop(),
          emulator.save(),
          new Promise<void>((resolve) => {
            cognitoHttp.server.closeAllConnections();
            cognitoHttp.server.close(() => resolve());
          }),
        ]);
        await Promise.allSettled([delivery.stop(), ses.stop()]);
      })();
      return stopping;
    },
  };
}
