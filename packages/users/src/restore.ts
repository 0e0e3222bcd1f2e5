/**
 * `restore <file.json>`: a backup into an existing pool or a new one. Idempotent: each
 * step creates only what the pool lacks (clients by name, groups by name, resource
 * servers by identifier, identity providers by name, users by username or sign-in
 * attribute, memberships per group), so a second run changes nothing. Resumable: a
 * journal next to the backup records the target pool (a new pool is created once) and
 * the steps done, so an interrupted restore goes on where it stopped.
 *
 * Passwords cannot be restored (Cognito never exports them): a restored user gets the
 * state the admin chooses, a temporary password mailed by Cognito
 * (FORCE_CHANGE_PASSWORD) or a required reset (RESET_REQUIRED).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  CreateGroupCommand,
  CreateIdentityProviderCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
  CreateUserPoolCommand,
  type CreateUserPoolCommandInput,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ListUsersInGroupCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { listProviders, listResourceServers } from './backup.js';
import type { Backup } from './backup-file.js';
import { CliError, EXIT, InputError } from './errors.js';
import { listGroups, listUserPages, mapLimit } from './pool-reader.js';
import type { Progress } from './progress.js';
import type { PoolApi } from './throttle.js';

export type UserState = 'temporary-password' | 'reset-required';

export interface RestoreOptions {
  /** The backup file (its digest ties the journal to it). */
  file: string;
  backup: Backup;
  /** The pool given on the command line (or the local stack's). */
  userPoolId: string;
  /** Restore into a new pool of this name (found by name when it exists already). */
  newPool?: string;
  userState: UserState;
  /** IdP secrets the backup left out: provider name → ProviderDetails keys. */
  idpSecrets?: Record<string, Record<string, string>>;
  journal?: string;
  progress: Progress;
  out: (line: string) => void;
  concurrency?: number;
}

export interface Journal {
  backupSha256: string;
  userPoolId: string;
  done: string[];
}

export interface RestoreSummary {
  userPoolId: string;
  resumed: boolean;
  created: Record<string, number>;
  existing: Record<string, number>;
  skipped: string[];
}

export const journalPath = (file: string) => `${file}.restore-journal.json`;

async function readJournal(file: string): Promise<Journal | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<Journal>;
    if (
      typeof value.backupSha256 === 'string' &&
      typeof value.userPoolId === 'string' &&
      Array.isArray(value.done)
    ) {
      return value as Journal;
    }
  } catch {
    // fall through
  }
  throw new InputError(`${file} is not a restore journal: delete it to start over`);
}

async function writeJournal(file: string, journal: Journal): Promise<void> {
  const temp = `${file}.tmp`;
  await writeFile(temp, `${JSON.stringify(journal)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

const pick = <T extends object>(
  source: Record<string, unknown>,
  keys: readonly (keyof T)[],
): Partial<T> => {
  const result: Record<string, unknown> = {};
  for (const key of keys) {
    const value = source[key as string];
    if (value !== undefined && value !== null) result[key as string] = value;
  }
  return result as Partial<T>;
};

const POOL_FIELDS = [
  'Policies',
  'DeletionProtection',
  'AutoVerifiedAttributes',
  'AliasAttributes',
  'UsernameAttributes',
  'SmsVerificationMessage',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'VerificationMessageTemplate',
  'SmsAuthenticationMessage',
  'MfaConfiguration',
  'DeviceConfiguration',
  'EmailConfiguration',
  'SmsConfiguration',
  'UserPoolTags',
  'AdminCreateUserConfig',
  'UserPoolAddOns',
  'UsernameConfiguration',
  'AccountRecoverySetting',
  'UserPoolTier',
] as const satisfies readonly (keyof CreateUserPoolCommandInput)[];

const CLIENT_FIELDS = [
  'RefreshTokenValidity',
  'AccessTokenValidity',
  'IdTokenValidity',
  'TokenValidityUnits',
  'ReadAttributes',
  'WriteAttributes',
  'ExplicitAuthFlows',
  'SupportedIdentityProviders',
  'CallbackURLs',
  'LogoutURLs',
  'DefaultRedirectURI',
  'AllowedOAuthFlows',
  'AllowedOAuthScopes',
  'AllowedOAuthFlowsUserPoolClient',
  'PreventUserExistenceErrors',
  'EnableTokenRevocation',
  'EnablePropagateAdditionalUserContextData',
  'AuthSessionValidity',
] as const satisfies readonly (keyof CreateUserPoolClientCommandInput)[];

/** CreateUserPool's input from a backed-up DescribeUserPool (triggers are not copied). */
export function createPoolInput(backup: Backup, name: string): CreateUserPoolCommandInput {
  const pool = backup.pool as Record<string, unknown>;
  const schema = (Array.isArray(pool.SchemaAttributes) ? pool.SchemaAttributes : []) as {
    Name?: string;
    Required?: boolean;
  }[];
  // Custom attributes are declared without their prefix; standard ones only when required.
  const attributes = schema
    .filter((attribute) => attribute.Name?.startsWith('custom:') || attribute.Required)
    .filter((attribute) => attribute.Name !== 'sub')
    .map((attribute) => ({ ...attribute, Name: attribute.Name?.replace(/^custom:/, '') }));
  return {
    PoolName: name,
    ...pick<CreateUserPoolCommandInput>(pool, POOL_FIELDS),
    ...(attributes.length ? { Schema: attributes as CreateUserPoolCommandInput['Schema'] } : {}),
  };
}

/**
 * Runs a create; when the target pool refuses the backed-up settings as invalid (a
 * setting the target cannot take), answers the reason instead of throwing, so that the
 * rest of the restore goes on and the reason is reported.
 */
async function refusedAsInvalid(create: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await create();
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    if (cause?.name !== 'InvalidParameterException') throw error;
    return `refused by the pool (${cause.message ?? 'InvalidParameterException'})`;
  }
}

/** A password no one knows, meeting any pool policy (it is never printed or kept). */
function throwawayPassword(): string {
  return `${randomBytes(24).toString('base64url')}aA1!`;
}

/** Attributes AdminCreateUser accepts (sub, identities and cognito:* are Cognito's own). */
function writableAttributes(attributes: Record<string, string>) {
  return Object.entries(attributes)
    .filter(([name]) => name !== 'sub' && name !== 'identities' && !name.startsWith('cognito:'))
    .map(([Name, Value]) => ({ Name, Value }));
}

async function resolvePool(
  api: PoolApi,
  options: RestoreOptions,
  journal: Journal | undefined,
): Promise<string> {
  if (journal) return journal.userPoolId;
  if (options.newPool !== undefined) {
    let token: string | undefined;
    do {
      const page = await api.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: token }));
      const found = page.UserPools?.find((pool) => pool.Name === options.newPool);
      if (found?.Id) return found.Id;
      token = page.NextToken;
    } while (token);
    const created = await api.send(
      new CreateUserPoolCommand(createPoolInput(options.backup, options.newPool)),
    );
    const id = created.UserPool?.Id;
    if (!id) throw new CliError('CreateUserPool answered without a pool id', EXIT.failed);
    options.out(`created user pool ${id} (${options.newPool})`);
    return id;
  }
  await api.send(new DescribeUserPoolCommand({ UserPoolId: options.userPoolId }));
  return options.userPoolId;
}

export async function restorePool(api: PoolApi, options: RestoreOptions): Promise<RestoreSummary> {
  const journalFile = options.journal ?? journalPath(options.file);
  const digest = createHash('sha256')
    .update(await readFile(options.file))
    .digest('hex');
  let journal = await readJournal(journalFile);
  if (journal && journal.backupSha256 !== digest) {
    throw new InputError(
      `${journalFile} belongs to another backup file: finish that restore or delete the journal`,
    );
  }
  const resumed = journal !== undefined;
  const userPoolId = await resolvePool(api, options, journal);
  journal ??= { backupSha256: digest, userPoolId, done: [] };
  await writeJournal(journalFile, journal);
  if (resumed)
    options.out(
      `resuming the restore into ${userPoolId} (done: ${journal.done.join(', ') || 'nothing yet'})`,
    );

  const summary: RestoreSummary = { userPoolId, resumed, created: {}, existing: {}, skipped: [] };
  const count = (kind: 'created' | 'existing', what: string, n = 1) => {
    summary[kind][what] = (summary[kind][what] ?? 0) + n;
  };
  const step = async (name: string, work: () => Promise<void>) => {
    if (journal.done.includes(name)) return;
    await work();
    journal.done.push(name);
    await writeJournal(journalFile, journal);
  };
  const { backup } = options;
  const { UserPool: target } = await api.send(
    new DescribeUserPoolCommand({ UserPoolId: userPoolId }),
  );
  const signInAttributes = target?.UsernameAttributes ?? [];

  await step('resource-servers', async () => {
    const have = new Set(
      (await listResourceServers(api, userPoolId)).map((server) => server.Identifier),
    );
    for (const server of backup.resourceServers) {
      if (have.has(server.Identifier)) {
        count('existing', 'resource servers');
        continue;
      }
      await api.send(
        new CreateResourceServerCommand({
          UserPoolId: userPoolId,
          Identifier: server.Identifier,
          Name: server.Name,
          Scopes:
            (server.Scopes as { ScopeName: string; ScopeDescription: string }[] | undefined) ?? [],
        }),
      );
      count('created', 'resource servers');
    }
  });

  await step('identity-providers', async () => {
    const have = new Set((await listProviders(api, userPoolId)).map((idp) => idp.ProviderName));
    for (const idp of backup.identityProviders) {
      if (have.has(idp.ProviderName)) {
        count('existing', 'identity providers');
        continue;
      }
      const secrets = options.idpSecrets?.[idp.ProviderName] ?? {};
      const missing = idp.removedSecrets.filter((key) => secrets[key] === undefined);
      if (missing.length > 0) {
        summary.skipped.push(
          `identity provider ${idp.ProviderName}: needs ${missing.join(', ')} (pass --idp-secrets)`,
        );
        continue;
      }
      await api.send(
        new CreateIdentityProviderCommand({
          UserPoolId: userPoolId,
          ProviderName: idp.ProviderName,
          ProviderType: idp.ProviderType as never,
          ProviderDetails: {
            ...((idp.ProviderDetails as Record<string, string>) ?? {}),
            ...secrets,
          },
          AttributeMapping: idp.AttributeMapping as Record<string, string> | undefined,
          IdpIdentifiers: idp.IdpIdentifiers as string[] | undefined,
        }),
      );
      count('created', 'identity providers');
    }
  });

  await step('clients', async () => {
    const have = new Set<string>();
    let token: string | undefined;
    do {
      const page = await api.send(
        new ListUserPoolClientsCommand({
          UserPoolId: userPoolId,
          MaxResults: 60,
          NextToken: token,
        }),
      );
      for (const client of page.UserPoolClients ?? [])
        if (client.ClientName) have.add(client.ClientName);
      token = page.NextToken;
    } while (token);
    for (const client of backup.clients) {
      if (have.has(client.ClientName)) {
        count('existing', 'app clients');
        continue;
      }
      const refused = await refusedAsInvalid(() =>
        api.send(
          new CreateUserPoolClientCommand({
            UserPoolId: userPoolId,
            ClientName: client.ClientName,
            GenerateSecret: client.hadSecret,
            ...pick<CreateUserPoolClientCommandInput>(client, CLIENT_FIELDS),
          }),
        ),
      );
      if (refused) {
        summary.skipped.push(`app client ${client.ClientName}: ${refused}`);
        continue;
      }
      count('created', 'app clients');
      if (client.hadSecret) {
        options.out(
          `app client ${client.ClientName} has a new secret: read it with DescribeUserPoolClient`,
        );
      }
    }
  });

  await step('groups', async () => {
    const have = new Set((await listGroups(api, userPoolId)).map((group) => group.GroupName));
    for (const group of backup.groups) {
      if (have.has(group.GroupName)) {
        count('existing', 'groups');
        continue;
      }
      await api.send(
        new CreateGroupCommand({
          UserPoolId: userPoolId,
          GroupName: group.GroupName,
          Description: group.Description as string | undefined,
          Precedence: group.Precedence as number | undefined,
          RoleArn: group.RoleArn as string | undefined,
        }),
      );
      count('created', 'groups');
    }
  });

  // Users: those already in the pool (by username, or by sign-in attribute in a pool
  // that signs in with email or phone) are left as they are.
  const existing = new Map<string, UserType>();
  const keyOf = (username: string, attributes: Record<string, string>): string[] => [
    `u:${username}`,
    ...signInAttributes.flatMap((name) =>
      attributes[name] ? [`${name}:${attributes[name].toLowerCase()}`] : [],
    ),
  ];
  for await (const page of listUserPages(api, userPoolId)) {
    for (const user of page) {
      const attributes = Object.fromEntries(
        (user.Attributes ?? []).map((a) => [a.Name ?? '', a.Value ?? '']),
      );
      for (const key of keyOf(user.Username ?? '', attributes)) existing.set(key, user);
    }
  }
  /** Backup username → username in the target pool. */
  const renamed = new Map<string, string>();
  const restorable = backup.users.filter((user) => {
    if (user.status === 'EXTERNAL_PROVIDER') {
      summary.skipped.push(
        `user ${user.username}: federated, comes back at the next sign-in through its provider`,
      );
      return false;
    }
    return true;
  });
  const toDisable: string[] = [];
  // AdminCreateUser, where "exists" (a retried create that had landed, or a user added
  // since the listing) answers with the user that is there.
  const createOnce = async (username: string, command: AdminCreateUserCommand) => {
    try {
      return await api.send(command);
    } catch (error) {
      if ((error as { cause?: { name?: string } }).cause?.name !== 'UsernameExistsException')
        throw error;
      const user = await api.send(
        new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }),
      );
      return { User: { Username: user.Username } };
    }
  };
  // RESET_REQUIRED: a permanent password no one knows, then AdminResetUserPassword.
  const requireReset = async (username: string) => {
    await api.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: username,
        Password: throwawayPassword(),
        Permanent: true,
      }),
    );
    await api.send(
      new AdminResetUserPasswordCommand({ UserPoolId: userPoolId, Username: username }),
    );
  };
  options.progress.start(restorable.length);
  let progressed = 0;
  try {
    await mapLimit(restorable, options.concurrency ?? 8, async (user) => {
      const found = keyOf(user.username, user.attributes)
        .map((key) => existing.get(key))
        .find(Boolean);
      if (found) {
        renamed.set(user.username, found.Username ?? user.username);
        // A restore stopped between creating a user and requiring the reset finishes it.
        if (
          options.userState === 'reset-required' &&
          found.UserStatus === 'FORCE_CHANGE_PASSWORD' &&
          resumed &&
          !journal.done.includes('users')
        ) {
          await requireReset(found.Username ?? user.username);
        }
        if (!user.enabled && found.Enabled !== false)
          toDisable.push(found.Username ?? user.username);
        count('existing', 'users');
      } else {
        const signIn = signInAttributes.find((name) => user.attributes[name]);
        const username = signIn ? (user.attributes[signIn] as string) : user.username;
        const mail = user.attributes.email
          ? 'EMAIL'
          : user.attributes.phone_number
            ? 'SMS'
            : undefined;
        const created = await createOnce(
          username,
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: username,
            UserAttributes: writableAttributes(user.attributes),
            ...(options.userState === 'reset-required' || !mail
              ? { MessageAction: 'SUPPRESS' }
              : { DesiredDeliveryMediums: [mail] }),
          }),
        );
        const targetName = created.User?.Username ?? username;
        renamed.set(user.username, targetName);
        if (options.userState === 'reset-required') await requireReset(targetName);
        if (!user.enabled) toDisable.push(targetName);
        count('created', 'users');
      }
      progressed += 1;
      options.progress.update(progressed);
    });
  } finally {
    options.progress.stop();
  }

  journal.done.push('users');
  await writeJournal(journalFile, journal);

  // Memberships: per group, the members it lacks.
  const wanted = new Map<string, string[]>();
  for (const user of restorable) {
    for (const group of user.groups) {
      const target = renamed.get(user.username);
      if (target) wanted.set(group, [...(wanted.get(group) ?? []), target]);
    }
  }
  for (const [group, members] of wanted) {
    const have = new Set<string>();
    let token: string | undefined;
    do {
      const page = await api.send(
        new ListUsersInGroupCommand({
          UserPoolId: userPoolId,
          GroupName: group,
          Limit: 60,
          NextToken: token,
        }),
      );
      for (const user of page.Users ?? []) if (user.Username) have.add(user.Username);
      token = page.NextToken;
    } while (token);
    const missing = members.filter((member) => !have.has(member));
    count('existing', 'memberships', members.length - missing.length);
    await mapLimit(missing, options.concurrency ?? 8, async (member) => {
      await api.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: userPoolId,
          GroupName: group,
          Username: member,
        }),
      );
      count('created', 'memberships');
    });
  }
  await mapLimit(toDisable, options.concurrency ?? 8, async (username) => {
    await api.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: username }));
    count('created', 'disabled users');
  });

  await rm(journalFile, { force: true });
  return summary;
}
