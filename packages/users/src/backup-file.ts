/**
 * The backup file: one JSON document, versioned, holding a pool's configuration, app
 * clients (no secrets), groups, resource servers, identity providers (no secrets),
 * users and their group memberships. `parseBackup` is its single definition: a file of
 * another version or shape is refused with the path of the first thing wrong.
 */
import { z } from 'zod';
import { InputError } from './errors.js';
import { UserRecordSchema } from './user-record.js';

export const BACKUP_FORMAT = 'authwatch-user-pool-backup';
export const BACKUP_VERSION = 1;

/** An AWS shape kept as Cognito answered it (minus secrets): an object of any fields. */
const AwsObject = z.record(z.string(), z.unknown());

export const BackupSchema = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    version: z.literal(BACKUP_VERSION),
    createdAt: z.string(),
    source: z.object({ userPoolId: z.string(), region: z.string() }).strict(),
    /** DescribeUserPool's UserPool. */
    pool: AwsObject.and(z.object({ Name: z.string() })),
    /** DescribeUserPoolClient's UserPoolClient without ClientSecret; `hadSecret` says it had one. */
    clients: z.array(AwsObject.and(z.object({ ClientName: z.string(), hadSecret: z.boolean() }))),
    groups: z.array(AwsObject.and(z.object({ GroupName: z.string() }))),
    resourceServers: z.array(AwsObject.and(z.object({ Identifier: z.string(), Name: z.string() }))),
    /** DescribeIdentityProvider's IdentityProvider; `removedSecrets` names the details taken out. */
    identityProviders: z.array(
      AwsObject.and(
        z.object({
          ProviderName: z.string(),
          ProviderType: z.string(),
          removedSecrets: z.array(z.string()),
        }),
      ),
    ),
    users: z.array(UserRecordSchema),
  })
  .strict();

export type Backup = z.infer<typeof BackupSchema>;

/** Parses a backup file's text; throws an InputError naming the problem. */
export function parseBackup(text: string, file = 'backup file'): Backup {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(`${file} is not JSON`);
  }
  // JSON.parse keeps a "__proto__" key as data, but an object built from it would drop it
  // silently (zod does): refuse it by name instead of restoring less than the file holds.
  const proto = text.includes('"__proto__"') ? findProtoKey(value, []) : undefined;
  if (proto) throw new InputError(`${file}: ${proto}: a key named __proto__ is not allowed`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(`${file} is not a backup: expected a JSON object`);
  }
  const head = value as { format?: unknown; version?: unknown };
  if (head.format !== BACKUP_FORMAT) {
    throw new InputError(
      `${file} is not an ${BACKUP_FORMAT} file (format: ${JSON.stringify(head.format ?? null)})`,
    );
  }
  if (head.version !== BACKUP_VERSION) {
    throw new InputError(
      `${file} has version ${JSON.stringify(head.version ?? null)}; this tool reads version ${BACKUP_VERSION}`,
    );
  }
  const parsed = BackupSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new InputError(`${file}: ${path}: ${issue?.message ?? 'invalid'}`);
  }
  const names = new Set<string>();
  for (const [i, user] of parsed.data.users.entries()) {
    if (names.has(user.username))
      throw new InputError(`${file}: users.${i}.username: duplicate user ${user.username}`);
    names.add(user.username);
  }
  return parsed.data;
}

/** Keys of IdP ProviderDetails and client fields that hold a secret. */
export function isSecretKey(key: string): boolean {
  return /secret|private_key|password/i.test(key);
}

/** The path of the first own "__proto__" key in parsed JSON, if any. */
function findProtoKey(value: unknown, path: string[]): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key === '__proto__') return [...path, key].join('.');
    const found = findProtoKey(child, [...path, key]);
    if (found) return found;
  }
  return undefined;
}
