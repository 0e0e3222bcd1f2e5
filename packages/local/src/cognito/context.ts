/**
 * The emulator's shared state, passed explicitly to every operation as one object: the
 * persisted pools, users and refresh tokens, the in-memory session store and password
 * cache, the indexes over tokens, the clock, the trigger invoker and the mailer. A module
 * takes what it needs from it; nothing reaches state through a class's `this`.
 */
import type { KeyObject } from 'node:crypto';
import { SessionStore } from './auth-sessions.js';
import { Ghosts } from './ghosts.js';
import { PasswordCache } from './password-cache.js';
import { Persistence } from './persistence.js';
import {
  compactTokenLog,
  loadState,
  type RefreshTokenRecord,
  replayTokenLog,
  type State,
  tokenLogFile,
} from './state.js';
import type { TriggerInvoker } from './triggers.js';

/** Sends Cognito's own messages (confirmation codes, temporary passwords). */
export interface Mailer {
  send(to: string, subject: string, text: string): Promise<void>;
}

export interface CognitoEmulatorOptions {
  region: string;
  /** `http://127.0.0.1:<port>`: the issuer is `<baseUrl>/<poolId>`. */
  baseUrl: string;
  triggers?: TriggerInvoker;
  mailer?: Mailer;
  /** JSON state file; loaded at creation, written atomically after changes. */
  stateFile?: string;
  /** Clock in epoch ms (tests inject one). */
  now?: () => number;
  /** Delay before a change is written to the state file (default 100 ms). */
  saveDelayMs?: number;
  /**
   * Receives the CloudTrail record of every API call served over HTTP (`cloudtrail.ts`),
   * after the call is answered.
   */
  onApiCall?: (record: Record<string, unknown>) => void;
}

/** What a caller's request tells the triggers (`callerContext.awsSdkVersion`). */
export interface CallContext {
  awsSdkVersion: string;
  /** Who sent an HTTP request, for its CloudTrail record (absent for programmatic calls). */
  source?: { ip: string; userAgent?: string; accessKeyId?: string };
}

export const DEFAULT_CONTEXT: CallContext = { awsSdkVersion: 'aws-sdk-unknown-unknown' };

export interface EmulatorContext {
  readonly region: string;
  /** Without a trailing slash. */
  readonly baseUrl: string;
  readonly triggers: TriggerInvoker | undefined;
  readonly mailer: Mailer | undefined;
  /** The clock, epoch ms. */
  readonly now: () => number;
  /** Pools (with users, groups, clients, keys) and refresh tokens. */
  readonly state: State;
  /** Challenge sessions of sign-ins in progress (memory only). */
  readonly sessions: SessionStore;
  /** Passwords verified since start (memory only). */
  readonly passwords: PasswordCache;
  /** Stand-ins for unknown users' verifiers and password checks (same work, same look). */
  readonly ghosts: Ghosts;
  /** origin_jti → refresh-token digest: revoking a refresh token revokes its access tokens. */
  readonly originIndex: Map<string, string>;
  /** A pool's public key by `kid`, for verifying access tokens. */
  readonly publicKeys: Map<string, KeyObject>;
  /** Marks the state changed: the state file is written after the save delay. */
  changed(): void;
  /** Receives the CloudTrail record of each call served over HTTP. */
  readonly onApiCall: ((record: Record<string, unknown>) => void) | undefined;
  /** Records a refresh token's issue or revocation in the append-only token log. */
  tokenChanged(hash: string, token: RefreshTokenRecord): void;
  /** Writes the state file and the token log now (atomically); resolves when written. */
  save(): Promise<void>;
}

/** Loads `options.stateFile` (a missing file starts empty) and replays its token log. */
export function createEmulatorContext(options: CognitoEmulatorOptions): EmulatorContext {
  const clock = options.now ?? Date.now;
  const state = loadState(options.stateFile);
  const persistence = new Persistence(options.stateFile, options.saveDelayMs ?? 100, state);
  const originIndex = new Map<string, string>();
  if (options.stateFile) replayTokenLog(tokenLogFile(options.stateFile), state.refreshTokens);
  const now = clock();
  for (const [hash, token] of Object.entries(state.refreshTokens)) {
    if (token.expires < now) delete state.refreshTokens[hash];
    else originIndex.set(token.originJti, hash);
  }
  if (options.stateFile) compactTokenLog(tokenLogFile(options.stateFile), state.refreshTokens);
  return {
    region: options.region,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    triggers: options.triggers,
    mailer: options.mailer,
    onApiCall: options.onApiCall,
    now: clock,
    state,
    sessions: new SessionStore(clock),
    passwords: new PasswordCache(),
    ghosts: new Ghosts(),
    originIndex,
    publicKeys: new Map(),
    changed: () => persistence.changed(),
    tokenChanged: (hash, token) => persistence.tokenChanged(hash, token),
    save: () => persistence.save(),
  };
}
