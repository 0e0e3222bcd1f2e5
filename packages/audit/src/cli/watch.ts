/**
 * `authwatch-watch <api-id> [--channel /auth/sign-in] [--json] [--user U]
 *   [--status success|failure] [--client ID] [--all] [--api-key KEY] [--region R]`
 *
 * Prints audit events from the live feed as they arrive. Auth: a Cognito token in
 * AUTHWATCH_WATCH_TOKEN (an ID or access token of a member of the security group),
 * else `--api-key`, else SigV4 with the default AWS credentials.
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
import type { CliIo } from './replay.js';

const USAGE = `usage: authwatch-watch <api-id> [--channel PATH] [--json] [--user USER]
                       [--status success|failure] [--client CLIENT_ID] [--all] [--api-key KEY] [--region R]

Prints audit events from the AppSync Events live feed, one line each (or JSON with --json).
Each sign-in shows once; --all also shows CloudTrail's sign-in-call records (the IP of a sign-in).
Auth: $AUTHWATCH_WATCH_TOKEN (Cognito token), else --api-key, else SigV4 (AWS credentials).
Against the local stack set AWS_ENDPOINT_URL_APPSYNC=http://127.0.0.1:<port> (plain ws://).`;

export interface WatchCli {
  /** Resolves when the watcher stops (connection closed): the exit code. */
  done: Promise<number>;
  /** Resolves once subscribed. */
  ready: Promise<void>;
  stop(): void;
}

export function startWatch(
  argv: string[],
  io: CliIo,
  appsync: AppSyncClient = new AppSyncClient(sdkClientConfig({ requestTimeoutMs: 5_000 })),
): WatchCli {
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
  const apiId = positionals[0];
  if (!apiId) return usage('missing <api-id>');
  const status = values.status;
  if (status !== undefined && status !== 'success' && status !== 'failure') {
    return usage('--status must be success or failure');
  }
  const filter: WatchFilter = {};
  if (values.user) filter.user = values.user;
  if (status) filter.status = status;
  if (values.client) filter.client = values.client;
  if (values.all) filter.all = true;
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const token = io.env.AUTHWATCH_WATCH_TOKEN;
  const auth: WatchAuth = token
    ? { type: 'token', token }
    : values['api-key']
      ? { type: 'apiKey', apiKey: values['api-key'] }
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
    const endpoints = await resolveEventApi(appsync, apiId, isInsecureEndpoint(io.env));
    await connect(endpoints, 0);
    io.stderr(`watching ${channel} on ${apiId}\n`);
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
      help: { type: 'boolean', short: 'h' },
    },
  });
}
