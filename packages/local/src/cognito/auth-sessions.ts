/**
 * The challenge-session store of sign-ins in progress. Sessions are opaque random strings
 * (96 random bytes) with server-side state, single use, expiring after the client's
 * AuthSessionValidity; they live in memory only (a restart invalidates open challenges).
 */
import { invalidSession, notAuthorized } from './errors.js';
import { newOpaque } from './ids.js';
import type { SrpServerState, Verifier } from './srp.js';
import type { ClientRecord } from './state.js';

export interface ChallengeResult {
  challengeName: string;
  challengeResult: boolean;
  challengeMetadata: string | null;
}

export interface AuthSession {
  poolId: string;
  clientId: string;
  /** The user's username, or the name given when the user does not exist. */
  username: string;
  userNotFound: boolean;
  flow: string;
  admin: boolean;
  expects: 'PASSWORD_VERIFIER' | 'CUSTOM_CHALLENGE' | 'NEW_PASSWORD_REQUIRED';
  srpA?: string;
  srp?: { state: SrpServerState; verifier: Verifier; secretBlock: string };
  challenges: ChallengeResult[];
  privateChallengeParameters?: Record<string, unknown>;
  /** challengeMetadata of the challenge awaiting an answer. */
  pendingMetadata?: string | null;
  clientMetadata: Record<string, string>;
  expires: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, AuthSession>();
  /** SECRET_BLOCK → session id: an SRP answer may name its session by the secret block. */
  private readonly secretBlocks = new Map<string, string>();
  private lastPrune = 0;

  constructor(private readonly now: () => number) {}

  /** Stores the session with the client's validity; returns its new id. */
  open(session: AuthSession, client: ClientRecord): string {
    session.expires = this.now() + client.authSessionValidity * 60_000;
    const id = newOpaque(96);
    this.sessions.set(id, session);
    this.prune();
    return id;
  }

  bindSecretBlock(secretBlock: string, id: string): void {
    this.secretBlocks.set(secretBlock, id);
  }

  /** Takes a session out of the store (single use); expired or unknown → NotAuthorized. */
  take(id: unknown, secretBlock: unknown): AuthSession {
    let key = typeof id === 'string' && id.length > 0 ? id : undefined;
    if (!key && typeof secretBlock === 'string') key = this.secretBlocks.get(secretBlock);
    const session = key ? this.sessions.get(key) : undefined;
    if (!key || !session) throw invalidSession();
    this.sessions.delete(key);
    if (session.srp) this.secretBlocks.delete(session.srp.secretBlock);
    if (session.expires <= this.now()) {
      throw notAuthorized('Invalid session for the user, session is expired.');
    }
    return session;
  }

  /** Drops expired, never-answered sessions; a sweep at most every 10 s past 10,000. */
  private prune(): void {
    if (this.sessions.size < 10_000) return;
    const now = this.now();
    if (now - this.lastPrune < 10_000) return;
    this.lastPrune = now;
    for (const [id, session] of this.sessions) {
      if (session.expires < now) this.sessions.delete(id);
    }
    for (const [block, id] of this.secretBlocks) {
      if (!this.sessions.has(id)) this.secretBlocks.delete(block);
    }
  }
}
