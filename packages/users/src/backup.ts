/** `backup <file.json>`: the whole pool in one versioned file, without a single secret. */
import {
  DescribeIdentityProviderCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListIdentityProvidersCommand,
  ListResourceServersCommand,
  ListUserPoolClientsCommand,
  type ProviderDescription,
  type ResourceServerType,
  type UserPoolClientDescription,
} from '@aws-sdk/client-cognito-identity-provider';
import { BACKUP_FORMAT, BACKUP_VERSION, type Backup, isSecretKey } from './backup-file.js';
import { atomicWriter } from './files.js';
import { listGroups, mapLimit, readUsers } from './pool-reader.js';
import type { Progress } from './progress.js';
import type { PoolApi } from './throttle.js';
import type { UserRecord } from './user-record.js';

export interface BackupOptions {
  file: string;
  region: string;
  progress: Progress;
  now?: () => Date;
  concurrency?: number;
}

/** Dates as ISO strings, as JSON keeps them. */
const plain = <T>(value: T): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

async function listClients(api: PoolApi, userPoolId: string): Promise<UserPoolClientDescription[]> {
  const clients: UserPoolClientDescription[] = [];
  let token: string | undefined;
  do {
    const page = await api.send(
      new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: token }),
    );
    clients.push(...(page.UserPoolClients ?? []));
    token = page.NextToken;
  } while (token);
  return clients;
}

export async function listResourceServers(
  api: PoolApi,
  userPoolId: string,
): Promise<ResourceServerType[]> {
  const servers: ResourceServerType[] = [];
  let token: string | undefined;
  do {
    const page = await api.send(
      new ListResourceServersCommand({ UserPoolId: userPoolId, MaxResults: 50, NextToken: token }),
    );
    servers.push(...(page.ResourceServers ?? []));
    token = page.NextToken;
  } while (token);
  return servers;
}

export async function listProviders(
  api: PoolApi,
  userPoolId: string,
): Promise<ProviderDescription[]> {
  const providers: ProviderDescription[] = [];
  let token: string | undefined;
  do {
    const page = await api.send(
      new ListIdentityProvidersCommand({
        UserPoolId: userPoolId,
        MaxResults: 60,
        NextToken: token,
      }),
    );
    providers.push(...(page.Providers ?? []));
    token = page.NextToken;
  } while (token);
  return providers;
}

/** Reads the pool into a Backup (no secret: client secrets and IdP secrets are left out). */
export async function collectBackup(
  api: PoolApi,
  userPoolId: string,
  options: Omit<BackupOptions, 'file'>,
): Promise<Backup> {
  const { UserPool: pool } = await api.send(
    new DescribeUserPoolCommand({ UserPoolId: userPoolId }),
  );
  const clients = await mapLimit(await listClients(api, userPoolId), 2, async (summary) => {
    const { UserPoolClient: client } = await api.send(
      new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: summary.ClientId }),
    );
    const { ClientSecret, ...rest } = client ?? {};
    return {
      ...plain(rest),
      ClientName: rest.ClientName ?? '',
      hadSecret: ClientSecret !== undefined,
    };
  });
  const providers = await mapLimit(await listProviders(api, userPoolId), 2, async (summary) => {
    const { IdentityProvider: idp } = await api.send(
      new DescribeIdentityProviderCommand({
        UserPoolId: userPoolId,
        ProviderName: summary.ProviderName,
      }),
    );
    const details: Record<string, string> = {};
    const removedSecrets: string[] = [];
    for (const [key, value] of Object.entries(idp?.ProviderDetails ?? {})) {
      if (isSecretKey(key)) removedSecrets.push(key);
      else details[key] = value;
    }
    return {
      ...plain({ ...idp, ProviderDetails: details }),
      ProviderName: idp?.ProviderName ?? summary.ProviderName ?? '',
      ProviderType: idp?.ProviderType ?? summary.ProviderType ?? '',
      removedSecrets,
    };
  });
  const groups = (await listGroups(api, userPoolId)).map((group) => ({
    ...plain(group),
    GroupName: group.GroupName ?? '',
  }));
  const resourceServers = (await listResourceServers(api, userPoolId)).map((server) => ({
    ...plain(server),
    Identifier: server.Identifier ?? '',
    Name: server.Name ?? '',
  }));
  const users: UserRecord[] = [];
  options.progress.start(pool?.EstimatedNumberOfUsers ?? 0);
  try {
    for await (const page of readUsers(api, userPoolId, {
      concurrency: options.concurrency,
      onProgress: (done) =>
        options.progress.update(done, Math.max(done, pool?.EstimatedNumberOfUsers ?? 0)),
    })) {
      users.push(...page);
    }
  } finally {
    options.progress.stop();
  }
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    source: { userPoolId, region: options.region },
    pool: { ...plain(pool ?? {}), Name: pool?.Name ?? '' },
    clients,
    groups,
    resourceServers,
    identityProviders: providers,
    users,
  };
}

export async function backupPool(
  api: PoolApi,
  userPoolId: string,
  options: BackupOptions,
): Promise<Backup> {
  const backup = await collectBackup(api, userPoolId, options);
  const writer = atomicWriter(options.file);
  try {
    await writer.write(`${JSON.stringify(backup, null, 1)}\n`);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return backup;
}
