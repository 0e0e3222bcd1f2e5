/**
 * The signed-in session: tokens in this object only (never in storage, a cookie, a URL
 * or a log), renewed with the refresh token a minute before the access token expires.
 * A reload signs the user out: that is the price of keeping nothing on disk.
 */
import type { CognitoClient, Tokens } from './cognito.js';
import { jwtClaims, tokenGroups } from './cognito.js';

export interface SessionUser {
  username: string;
  email?: string;
  groups: string[];
}

export interface SessionOptions {
  cognito: CognitoClient;
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** Called when the session ends (sign-out, or a refresh that failed). */
  onEnd?: (reason: string) => void;
}

const RENEW_BEFORE_MS = 60_000;

export function createSession(options: SessionOptions) {
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as number));
  let tokens: (Tokens & { expiresAt: number }) | undefined;
  let refreshToken: string | undefined;
  let timer: unknown;
  let renewing: Promise<void> | undefined;

  const schedule = () => {
    if (timer !== undefined) clearTimer(timer);
    if (!tokens) return;
    const wait = Math.max(1_000, tokens.expiresAt - RENEW_BEFORE_MS - now());
    timer = setTimer(() => {
      void session.renew().catch(() => undefined);
    }, wait);
  };

  const session = {
    /** Starts the session with a sign-in's tokens. */
    start(next: Tokens): SessionUser {
      tokens = { ...next, expiresAt: now() + next.expiresIn * 1_000 };
      refreshToken = next.refreshToken ?? refreshToken;
      schedule();
      return session.user() as SessionUser;
    },
    user(): SessionUser | undefined {
      if (!tokens) return undefined;
      const claims = jwtClaims(tokens.idToken);
      return {
        username: String(claims['cognito:username'] ?? claims.sub ?? ''),
        ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
        groups: tokenGroups(tokens.idToken),
      };
    },
    /** A valid access token, renewed first if it is about to expire. */
    async accessToken(): Promise<string> {
      if (!tokens) throw new Error('not signed in');
      if (tokens.expiresAt - now() < RENEW_BEFORE_MS) await session.renew();
      return tokens.accessToken;
    },
    /** A valid ID token (the identity pool's login in IAM mode). */
    async idToken(): Promise<string> {
      await session.accessToken();
      if (!tokens) throw new Error('not signed in');
      return tokens.idToken;
    },
    /** Renews the tokens with the refresh token (once at a time). */
    renew(): Promise<void> {
      renewing ??= (async () => {
        if (!refreshToken) throw new Error('no refresh token');
        try {
          const next = await options.cognito.refresh(refreshToken);
          tokens = { ...next, expiresAt: now() + next.expiresIn * 1_000 };
          schedule();
        } catch (error) {
          session.end('Your session ended; please sign in again.');
          throw error;
        }
      })().finally(() => {
        renewing = undefined;
      });
      return renewing;
    },
    /** Forgets the tokens; the refresh token is revoked when `revoke` is set. */
    end(reason: string, revoke = false): void {
      if (timer !== undefined) clearTimer(timer);
      const token = refreshToken;
      tokens = undefined;
      refreshToken = undefined;
      if (revoke && token) void options.cognito.revoke(token).catch(() => undefined);
      options.onEnd?.(reason);
    },
    get signedIn() {
      return tokens !== undefined;
    },
  };
  return session;
}

export type Session = ReturnType<typeof createSession>;
