/**
 * The emulator's persistent state: plain JSON, written atomically (temporary file then
 * rename) so a crash never leaves half a file. Passwords are never stored, only SRP
 * verifiers; confirmation codes and refresh tokens only as SHA-256 digests.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClientOAuthRecord } from './client-config.js';
import type { DomainRecord } from './domains.js';
import type { PoolConfigRecord } from './pool-config.js';
import type { RiskConfigurationRecord } from './risk-configuration.js';
import type { Verifier } from './srp.js';
import type { UserMfaRecord } from './user-mfa.js';

export type TriggerName =
  | 'PreSignUp'
  | 'PostConfirmation'
  | 'PreAuthentication'
  | 'PostAuthentication'
  | 'PreTokenGeneration'
  | 'DefineAuthChallenge'
  | 'CreateAuthChallenge'
  | 'VerifyAuthChallengeResponse';

export type TriggerVersion = 'V1_0' | 'V2_0' | 'V3_0';

export type UserStatus =
  | 'UNCONFIRMED'
  | 'CONFIRMED'
  | 'FORCE_CHANGE_PASSWORD'
  | 'EXTERNAL_PROVIDER'
  | 'RESET_REQUIRED';

export interface ProviderLink {
  providerName: string;
  providerAttributeName: string;
  providerAttributeValue: string;
}

export interface UserRecord {
  username: string;
  /** Attributes including `sub`; values are strings as in Cognito. */
  attributes: Record<string, string>;
  status: UserStatus;
  enabled: boolean;
  created: number;
  modified: number;
  verifier?: Verifier;
  groups: string[];
  /** SHA-256 hex of the pending confirmation code, and when it expires. */
  confirmation?: { codeHash: string; expires: number };
  /** When an admin-set temporary password stops working. */
  temporaryPasswordExpires?: number;
  /** Identities of external providers linked to this (native) user. */
  links: ProviderLink[];
  /** Refresh tokens issued before this instant are revoked (GlobalSignOut). */
  signedOutAt?: number;
  /** AdminSetUserMFAPreference's factors: `user-mfa.ts`. */
  mfa?: UserMfaRecord;
}

export interface GroupRecord {
  name: string;
  description?: string;
  precedence?: number;
  roleArn?: string;
  created: number;
  modified: number;
}

export interface ClientRecord {
  clientId: string;
  clientName: string;
  clientSecret?: string;
  explicitAuthFlows: string[];
  /** Token validities in seconds (converted from the client's units). */
  accessTokenValidity: number;
  idTokenValidity: number;
  refreshTokenValidity: number;
  tokenValidityUnits: { AccessToken: string; IdToken: string; RefreshToken: string };
  rawValidity: { access: number; id: number; refresh: number };
  /** Minutes a sign-in session (challenge round trip) stays valid, 3 to 15. */
  authSessionValidity: number;
  allowedOAuthFlows: string[];
  allowedOAuthScopes: string[];
  allowedOAuthFlowsUserPoolClient: boolean;
  preventUserExistenceErrors: 'ENABLED' | 'LEGACY';
  enableTokenRevocation: boolean;
  readAttributes?: string[];
  writeAttributes?: string[];
  /** Hosted-UI settings (callback and sign-out URLs, identity providers): `pool-config.ts`. */
  oauth?: ClientOAuthRecord;
  created: number;
  modified: number;
}

export interface ResourceServerRecord {
  identifier: string;
  name: string;
  scopes: { ScopeName: string; ScopeDescription: string }[];
}

/** An identity provider of a pool (CreateIdentityProvider). */
export interface IdentityProviderRecord {
  name: string;
  type: string;
  details: Record<string, string>;
  attributeMapping: Record<string, string>;
  idpIdentifiers: string[];
  created: number;
  modified: number;
}

export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  TemporaryPasswordValidityDays: number;
}

export interface SchemaAttribute {
  Name: string;
  AttributeDataType?: string;
  Mutable?: boolean;
  Required?: boolean;
  DeveloperOnlyAttribute?: boolean;
  StringAttributeConstraints?: { MinLength?: string; MaxLength?: string };
  NumberAttributeConstraints?: { MinValue?: string; MaxValue?: string };
}

export interface PoolRecord {
  id: string;
  name: string;
  arn: string;
  created: number;
  modified: number;
  usernameAttributes: string[];
  aliasAttributes: string[];
  autoVerifiedAttributes: string[];
  passwordPolicy: PasswordPolicy;
  schema: SchemaAttribute[];
  triggers: Partial<Record<TriggerName, TriggerVersion>>;
  /** RS256 signing key of this pool. */
  key: { kid: string; privatePem: string; publicJwk: Record<string, string> };
  users: Record<string, UserRecord>;
  groups: Record<string, GroupRecord>;
  clients: Record<string, ClientRecord>;
  resourceServers: Record<string, ResourceServerRecord>;
  /** What UpdateUserPool / SetUserPoolMfaConfig set (MFA, LambdaConfig as set): `pool-config.ts`. */
  config?: PoolConfigRecord;
  /** Identity providers by name (absent in state files written before they existed). */
  identityProviders?: Record<string, IdentityProviderRecord>;
  /** User pool domains by name (CreateUserPoolDomain): `domains.ts`. */
  domains?: Record<string, DomainRecord>;
  /** SetRiskConfiguration's settings by client id, `ALL` for the pool's: `risk-configuration.ts`. */
  riskConfigurations?: Record<string, RiskConfigurationRecord>;
}

export interface RefreshTokenRecord {
  poolId: string;
  clientId: string;
  username: string;
  originJti: string;
  authTime: number;
  issued: number;
  expires: number;
  revoked: boolean;
}

export interface State {
  version: 1;
  pools: Record<string, PoolRecord>;
  /** Keyed by SHA-256 hex of the refresh token. */
  refreshTokens: Record<string, RefreshTokenRecord>;
}

/**
 * A map keyed by outside input (usernames, group names, ids): no prototype, so a key
 * like `__proto__` or `constructor` is an ordinary entry and never an inherited value.
 */
export function dict<T>(source?: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, source);
}

export const emptyState = (): State => ({ version: 1, pools: dict(), refreshTokens: dict() });

/** A state file that cannot be read back; the message names the file and the problem. */
export class StateFileError extends Error {
  constructor(file: string, problem: string) {
    super(
      `Cognito emulator state file ${file} ${problem} (\`pnpm start --reset\` starts with an empty state)`,
    );
    this.name = 'StateFileError';
  }
}

/** A JSON object (not `null`, not an array): what state, tokens and trigger answers must be. */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads the state file; a missing file is an empty state, a corrupt one a {@link StateFileError}. */
export function loadState(file: string | undefined): State {
  if (!file) return emptyState();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // JSON.parse's message quotes the text, and this one holds keys and verifiers: keep
    // the position only (as the kit's JSON env parser does).
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new StateFileError(
      file,
      `is not JSON${position === undefined ? '' : ` (at character ${position})`}`,
    );
  }
  if (!isJsonObject(parsed) || parsed.version !== 1 || !isJsonObject(parsed.pools)) {
    throw new StateFileError(file, 'is not a version 1 state');
  }
  if (parsed.refreshTokens !== undefined && !isJsonObject(parsed.refreshTokens)) {
    throw new StateFileError(file, 'has refreshTokens that are not an object');
  }
  const pools = dict<PoolRecord>();
  for (const [name, pool] of Object.entries(parsed.pools)) {
    if (!isJsonObject(pool) || typeof pool.id !== 'string' || !isJsonObject(pool.key)) {
      throw new StateFileError(file, `has a pool '${name}' without an id and a key`);
    }
    for (const member of [
      'users',
      'groups',
      'clients',
      'resourceServers',
      'identityProviders',
      'domains',
      'riskConfigurations',
    ] as const) {
      if (pool[member] !== undefined && !isJsonObject(pool[member])) {
        throw new StateFileError(file, `has a pool '${name}' whose ${member} are not an object`);
      }
    }
    const record = pool as unknown as PoolRecord;
    pools[record.id] = {
      ...record,
      users: dict(record.users),
      groups: dict(record.groups),
      clients: dict(record.clients),
      resourceServers: dict(record.resourceServers),
      identityProviders: dict(record.identityProviders),
    };
  }
  return {
    version: 1,
    pools,
    refreshTokens: dict(parsed.refreshTokens as Record<string, RefreshTokenRecord> | undefined),
  };
}

/** Writes the state atomically: a temporary file next to it, then a rename. */
export async function writeState(file: string, state: State | string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, typeof state === 'string' ? state : JSON.stringify(state), { mode: 0o600 });
  await rename(tmp, file);
}

/**
 * Refresh tokens live in an append-only log next to the state file (one JSON line per
 * issue or revocation), so a busy sign-in loop appends a line instead of rewriting the
 * whole state; the log is compacted (live tokens only) when the emulator starts.
 */
export function tokenLogFile(stateFile: string): string {
  return `${stateFile.replace(/\.json$/i, '')}.refresh-tokens.jsonl`;
}

export type TokenLogLine = { h: string; t: RefreshTokenRecord } | { h: string; revoked: true };

/** Replays the log into `tokens`; a torn last line (crash mid-append) is skipped. */
export function replayTokenLog(file: string, tokens: Record<string, RefreshTokenRecord>): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    // Anything but an issue or a revocation (a torn line can parse as a number) is skipped.
    if (!isJsonObject(entry) || typeof entry.h !== 'string') continue;
    if (isJsonObject(entry.t)) tokens[entry.h] = entry.t as unknown as RefreshTokenRecord;
    else if (entry.revoked === true && tokens[entry.h])
      (tokens[entry.h] as RefreshTokenRecord).revoked = true;
  }
}

/** Rewrites the log with exactly `tokens` (temporary file, then rename). */
export function compactTokenLog(file: string, tokens: Record<string, RefreshTokenRecord>): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const lines = Object.entries(tokens).map(([h, t]) => `${JSON.stringify({ h, t })}\n`);
  writeFileSync(tmp, lines.join(''), { mode: 0o600 });
  renameSync(tmp, file);
}

export async function appendTokenLog(file: string, lines: string[]): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await appendFile(file, lines.join(''), { mode: 0o600 });
}
