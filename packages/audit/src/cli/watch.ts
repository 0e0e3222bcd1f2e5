/**
 * `authwatch-watch [<api-id>] [--channel /auth/sign-in] [--json] [--user U]
 *   [--status success|failure] [--client ID] [--all] [--api-key KEY] [--region R]
 *   [--http-domain HOST] [--outputs FILE]`
 *
 * Prints audit events from the live feed as they arrive. Without an API id it watches
 * the local stack found in `.local/outputs.json` (this folder or one above; `--outputs`
 * to name the file): its region and live feed, with no AWS credentials. Auth: a Cognito
 * token in AUTHWATCH_WATCH_TOKEN (an ID or access token of a member of the security
 * group), else `--api-key`, else SigV4 with the default AWS credentials. Only SigV4, or
 * an API whose endpoints are not given, needs AWS credentials (GetApi finds them).
 */
import { parseArgs } from 'node:util';
import { sdkClientConfig } from '@authwatch/kit';
import { DEFAULT_LIVE_FEED_CHANNEL } from '../config.js';
import {
  AppSyncClient,
  type EventApiEndpoints,
  formatEventLine,
  isInsecureEndpoint,
  resolveEventApi,
  type WatchAuth,
  type WatchFilter,
  watchLiveFeed,
} from '../watch.js';
import { CliInputError, findLocalOutputs, readLocalOutputs } from './local-outputs.js';
import type { CliIo } from './replay.js';

const USAGE = `usage: authwatch-watch [<api-id>] [--channel PATH] [--json] [--user USER]
                       [--status success|failure] [--client CLIENT_ID] [--all] [--api-key KEY]
                       [--region R] [--http-domain HOST] [--outputs FILE]

Prints audit events from the AppSync Events live feed, one line each (or JSON with --json).
Each sign-in shows once; --all also shows CloudTrail's sign-in-call records (the IP of a sign-in).
Without <api-id>: the local stack of .local/outputs.json (pnpm start), no AWS credentials.
Auth: $AUTHWATCH_WATCH_TOKEN (Cognito token), else --api-key, else SigV4 (AWS credentials).
  --http-domain HOST   the API's HTTP DNS name (console: <id>.appsync-api.<region>.amazonaws.com):
                       skips GetApi, so a token or API key needs no AWS credentials
  --outputs FILE       a local stack's outputs.json (default: .local/outputs.json here or above)`;

/** Credentials for signing requests nothing checks (the local stack). */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface WatchCli {
  /** Resolves when the watcher stops (connection closed): the exit code. */
  done: Promise<number>;
  /** Resolves once subscribed. */
  ready: Promise<void>;
  stop(): void;
}

/** Where the watcher connects, and with what. */
interface Target {
  apiId: string;
  region: string;
  /** Known endpoints (the local stack, or --http-domain); else GetApi finds them. */
  endpoints?: EventApiEndpoints;
  /** Where they came from, for messages. */
  from?: string;
}

function localTarget(file: string): Target {
  const outputs = readLocalOutputs(file);
  const host = new URL(outputs.liveFeedHttpUrl).host;
  return {
    apiId: outputs.liveFeedApiId,
    region: outputs.region,
    endpoints: { httpHost: host, realtimeHost: host, insecure: true },
    from: `the local stack of ${file}`,
  };
}

/**
 * Runs the command. `appsync` (tests) replaces the GetApi client, which is otherwise
 * made for the region given or found.
 */
export function startWatch(argv: string[], io: CliIo, appsync?: AppSyncClient): WatchCli {
  let values: ReturnType<typeof parse>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}\n`);
    return { done: Promise.resolve(2), ready: Promise.reject(new Error('usage')), stop() {} };
  }
  const usage = (message: string): WatchCli => {
    io.stderr(`${message}\n${USAGE}\n`);
    const ready = Promise.reject(new Error(message));
    ready.catch(() => undefined);
    return { done: Promise.resolve(values.help ? 0 : 2), ready, stop() {} };
  };
  if (values.help) return usage('');
  let target: Target;
  try {
    target = chooseTarget(positionals[0], values, io);
  } catch (error) {
    if (!(error instanceof CliInputError)) throw error;
    return usage(error.message);
  }
  const apiId = target.apiId;
  const status = values.status;
  if (status !== undefined && status !== 'success' && status !== 'failure') {
    return usage('--status must be success or failure');
  }
  const filter: WatchFilter = {};
  if (values.user) filter.user = values.user;
  if (status) filter.status = status;
  if (values.client) filter.client = values.client;
  if (values.all) filter.all = true;
  const region = target.region;
  const token = io.env.AUTHWATCH_WATCH_TOKEN;
  const auth: WatchAuth = token
    ? { type: 'token', token }
    : values['api-key']
      ? { type: 'apiKey', apiKey: values['api-key'] }
      : target.endpoints?.insecure
        ? // The local feed checks no signature: sign with placeholders, not the user's keys.
          { type: 'iam', region, credentials: LOCAL_CREDENTIALS }
        : iamAuth(region, io.env);

  let watcher: ReturnType<typeof watchLiveFeed> | undefined;
  let stopped = false;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const channel = values.channel ?? DEFAULT_LIVE_FEED_CHANNEL;
  const connect = (endpoints: EventApiEndpoints, attempt: number): Promise<void> => {
    watcher = watchLiveFeed({
      endpoints,
      auth,
      channel,
      filter,
      onEvent: (event) =>
        io.stdout(`${values.json ? JSON.stringify(event) : formatEventLine(event)}\n`),
      onClose: (reason) => {
        if (stopped) return;
        // A dropped connection is normal over hours: reconnect with a growing pause.
        const pause = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
        io.stderr(`${reason}; reconnecting in ${pause} ms\n`);
        setTimeout(() => {
          if (stopped) return;
          connect(endpoints, attempt + 1)
            .then(() => io.stderr(`watching ${channel} again\n`))
            .catch(() => undefined);
        }, pause).unref();
      },
      onReady: () => {
        attempt = 0;
      },
    });
    return watcher.ready;
  };
  const ready = (async () => {
    const endpoints = target.endpoints ?? (await lookUp(apiId, region, auth, io, appsync));
    try {
      await connect(endpoints, 0);
    } catch (error) {
      throw target.from
        ? new Error(
            `${(error as Error).message}: no live feed answers at ${endpoints.httpHost} (${target.from}); is the stack running? (pnpm start)`,
          )
        : error;
    }
    io.stderr(`watching ${channel} on ${apiId}${target.from ? ` (${target.from})` : ''}\n`);
  })();
  ready.catch((error: Error) => {
    // The first connection must work (wrong id, auth or endpoint): report and exit.
    stopped = true;
    watcher?.close();
    io.stderr(`${error.message}\n`);
    finish(1);
  });
  return {
    done,
    ready,
    stop() {
      stopped = true;
      watcher?.close();
      finish(0);
    },
  };
}

/** The API to watch: the one named (with --http-domain, its endpoints), else the local stack. */
function chooseTarget(
  apiId: string | undefined,
  values: ReturnType<typeof parse>['values'],
  io: CliIo,
): Target {
  const envRegion = io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (apiId === undefined || values.outputs !== undefined) {
    const file =
      values.outputs ?? findLocalOutputs(io.env.INIT_CWD ?? io.cwd ?? process.cwd(), io.env);
    if (file === undefined) {
      throw new CliInputError(
        'no <api-id> and no local stack: .local/outputs.json was not found here or above. ' +
          'Start the local stack (pnpm start), or give the API id of a deployed live feed',
      );
    }
    const local = localTarget(file);
    if (apiId !== undefined && apiId !== local.apiId) {
      throw new CliInputError(`${file} is the live feed ${local.apiId}, not ${apiId}`);
    }
    return { ...local, ...(values.region ? { region: values.region } : {}) };
  }
  const region = values.region ?? envRegion ?? 'us-east-1';
  const httpDomain = values['http-domain'];
  if (httpDomain !== undefined) {
    if (!/^[a-z0-9.-]+(:\d+)?$/i.test(httpDomain)) {
      throw new CliInputError(
        '--http-domain must be a host name, e.g. <id>.appsync-api.<region>.amazonaws.com',
      );
    }
    return {
      apiId,
      region,
      endpoints: {
        httpHost: httpDomain,
        // AppSync Events serves the realtime endpoint next to the HTTP one.
        realtimeHost: httpDomain.replace('.appsync-api.', '.appsync-realtime-api.'),
        insecure: isInsecureEndpoint(io.env),
      },
    };
  }
  return { apiId, region };
}

/** GetApi: the API's endpoints; needs AWS credentials, so a failure says what else works. */
async function lookUp(
  apiId: string,
  region: string,
  auth: WatchAuth,
  io: CliIo,
  appsync: AppSyncClient | undefined,
): Promise<EventApiEndpoints> {
  const insecure = isInsecureEndpoint(io.env);
  const endpoint = io.env.AWS_ENDPOINT_URL_APPSYNC ?? io.env.AWS_ENDPOINT_URL;
  const client =
    appsync ??
    new AppSyncClient({
      ...sdkClientConfig({ requestTimeoutMs: 5_000 }),
      region,
      ...(endpoint ? { endpoint } : {}),
      // A plain-http endpoint is the local stack: it checks no credentials.
      ...(insecure ? { credentials: LOCAL_CREDENTIALS } : {}),
    });
  try {
    return await resolveEventApi(client, apiId, insecure);
  } catch (error) {
    const message = (error as Error).message;
    const hint =
      auth.type !== 'iam' && /credential/i.test(message)
        ? " (GetApi needs AWS credentials to find the endpoints: give --http-domain <the API's HTTP DNS> to watch with a token or API key without them)"
        : '';
    throw new Error(`API ${apiId} in ${region}: ${message}${hint}`);
  } finally {
    if (!appsync) client.destroy();
  }
}

/** SigV4 with the credentials in `env` when it has them, else the default provider chain. */
function iamAuth(region: string, env: CliIo['env']): WatchAuth {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  if (!accessKeyId || !secretAccessKey) return { type: 'iam', region };
  const sessionToken = env.AWS_SESSION_TOKEN;
  return {
    type: 'iam',
    region,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      channel: { type: 'string' },
      json: { type: 'boolean' },
      all: { type: 'boolean' },
      user: { type: 'string' },
      status: { type: 'string' },
      client: { type: 'string' },
      'api-key': { type: 'string' },
      region: { type: 'string' },
      'http-domain': { type: 'string' },
      outputs: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
