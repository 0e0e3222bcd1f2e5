/**
 * Which pool the CLI works on: with no pool flag, the local stack of this checkout
 * (endpoint and pool id from `.local/outputs.json`, written by `pnpm start`); with
 * `--user-pool-id`, a real pool reached with the usual AWS region and credentials
 * (environment, shared config and `--profile`, as the AWS CLI finds them).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { InputError } from './errors.js';
import { PoolApi } from './throttle.js';

/** `.local/outputs.json` at the repository root (two levels above this package). */
export const DEFAULT_OUTPUTS = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'),
  '.local',
  'outputs.json',
);

/** Cognito's user-pool id pattern (API reference: `[\w-]+_[0-9a-zA-Z]+`). */
export const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;

export interface TargetOptions {
  userPoolId?: string;
  region?: string;
  profile?: string;
  /** An endpoint other than the Region's (the local stack's, a VPC endpoint). */
  endpoint?: string;
  /** outputs.json of a running local stack. */
  outputs?: string;
  /** Fraction of Cognito's quotas to use on a real pool (default 0.5). */
  quotaShare?: number;
}

export interface Target {
  kind: 'local' | 'aws';
  userPoolId: string;
  region: string;
  api: PoolApi;
  logs: CloudWatchLogsClient;
  /** How the target reads in messages: `local stack pool eu-west-1_abc` or the pool id. */
  label: string;
}

const requestHandler = () =>
  // Every SDK client gets a timeout: a stuck connection fails instead of hanging the CLI.
  new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 60_000 });

interface LocalOutputsFile {
  endpoint: string;
  region: string;
  userPoolId: string;
}

async function readLocalOutputs(file: string): Promise<LocalOutputsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(
      `no local stack: ${file} does not exist (run \`pnpm start\`, or pass --user-pool-id for a real pool)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(`${file} is not JSON`);
  }
  const value = parsed as Partial<LocalOutputsFile> | null;
  for (const key of ['endpoint', 'region', 'userPoolId'] as const) {
    if (typeof value?.[key] !== 'string' || value[key] === '') {
      throw new InputError(`${file} has no "${key}"`);
    }
  }
  return value as LocalOutputsFile;
}

/** Resolves the pool and builds the clients (no call is made yet). */
export async function resolveTarget(options: TargetOptions): Promise<Target> {
  if (options.userPoolId === undefined) {
    const outputs = await readLocalOutputs(options.outputs ?? DEFAULT_OUTPUTS);
    const endpoint = options.endpoint ?? outputs.endpoint;
    const config = {
      endpoint,
      region: outputs.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: requestHandler(),
      maxAttempts: 1,
    };
    return {
      kind: 'local',
      userPoolId: outputs.userPoolId,
      region: outputs.region,
      api: new PoolApi(new CognitoIdentityProviderClient(config), { share: Infinity }),
      // The local stack answers the CloudWatch Logs calls of an import job's log itself.
      logs: new CloudWatchLogsClient(config),
      label: `local stack pool ${outputs.userPoolId}`,
    };
  }
  const userPoolId = options.userPoolId;
  if (!POOL_ID.test(userPoolId) || userPoolId.length > 55) {
    throw new InputError(
      `--user-pool-id "${userPoolId}" is not a user pool id (like eu-west-1_AbC123)`,
    );
  }
  const region = options.region ?? process.env.AWS_REGION ?? userPoolId.split('_')[0];
  const share = options.quotaShare ?? 0.5;
  if (!(share > 0 && share <= 1))
    throw new InputError('--quota-share must be above 0 and at most 1');
  const config = {
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    requestHandler: requestHandler(),
    // PoolApi retries throttling itself (paced, with back-off); other errors fail once.
    maxAttempts: 1,
  };
  return {
    kind: 'aws',
    userPoolId,
    region: region ?? '',
    api: new PoolApi(new CognitoIdentityProviderClient(config), { share }),
    logs: new CloudWatchLogsClient({ ...config, maxAttempts: 3 }),
    label: userPoolId,
  };
}
