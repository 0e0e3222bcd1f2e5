/**
 * Cognito's user-pool API as the page uses it: JSON over HTTPS with an `X-Amz-Target`
 * header, no credentials (these calls are public, as amazon-cognito-identity-js makes
 * them). Errors come back as `{__type, message}` and become a {@link CognitoError}.
 */
import { startSrp } from './srp.js';

export class CognitoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CognitoError';
  }
}

export interface Tokens {
  idToken: string;
  accessToken: string;
  /** Absent in a refresh answer: the old one stays valid. */
  refreshToken?: string;
  /** Seconds. */
  expiresIn: number;
}

export type AuthStep =
  | { kind: 'tokens'; tokens: Tokens }
  | { kind: 'code'; session: string; username: string; destination?: string }
  | { kind: 'unsupported'; challenge: string };

interface AuthAnswer {
  AuthenticationResult?: {
    IdToken: string;
    AccessToken: string;
    RefreshToken?: string;
    ExpiresIn: number;
  };
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

export interface CognitoClientOptions {
  endpoint: string;
  userPoolId: string;
  clientId: string;
  fetch?: typeof fetch;
  now?: () => number;
}

export function createCognitoClient(options: CognitoClientOptions) {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const now = options.now ?? Date.now;
  const call = async <T>(action: string, body: Record<string, unknown>): Promise<T> => {
    let response: Response;
    try {
      response = await doFetch(options.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new CognitoError('NetworkError', 'The sign-in service cannot be reached.');
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const code =
        String(answer.__type ?? 'Error')
          .split('#')
          .pop() ?? 'Error';
      const message = typeof answer.message === 'string' ? answer.message : response.statusText;
      throw new CognitoError(code, message);
    }
    return answer as T;
  };

  const step = (answer: AuthAnswer, username: string): AuthStep => {
    const result = answer.AuthenticationResult;
    if (result) {
      return {
        kind: 'tokens',
        tokens: {
          idToken: result.IdToken,
          accessToken: result.AccessToken,
          ...(result.RefreshToken ? { refreshToken: result.RefreshToken } : {}),
          expiresIn: result.ExpiresIn,
        },
      };
    }
    if (answer.ChallengeName === 'CUSTOM_CHALLENGE' && answer.Session) {
      const destination =
        answer.ChallengeParameters?.email ?? answer.ChallengeParameters?.destination;
      return {
        kind: 'code',
        session: answer.Session,
        username: answer.ChallengeParameters?.USERNAME ?? username,
        ...(destination ? { destination } : {}),
      };
    }
    return { kind: 'unsupported', challenge: answer.ChallengeName ?? 'none' };
  };

  return {
    /**
     * USER_SRP_AUTH, then PASSWORD_VERIFIER: the password is proven, never sent. Where
     * the client allows SRP only inside CUSTOM_AUTH, the same exchange runs there and a
     * code challenge may follow.
     */
    async signInWithPassword(username: string, password: string): Promise<AuthStep> {
      const srp = await startSrp(options.userPoolId);
      let first: AuthAnswer;
      try {
        first = await call<AuthAnswer>('InitiateAuth', {
          AuthFlow: 'USER_SRP_AUTH',
          ClientId: options.clientId,
          AuthParameters: { USERNAME: username, SRP_A: srp.A },
        });
      } catch (error) {
        // A pool in password-then-code mode runs SRP inside CUSTOM_AUTH (USER_SRP_AUTH is
        // off on its client): the password first, then the emailed code.
        if (!(error instanceof CognitoError && error.code === 'InvalidParameterException')) {
          throw error;
        }
        first = await call<AuthAnswer>('InitiateAuth', {
          AuthFlow: 'CUSTOM_AUTH',
          ClientId: options.clientId,
          AuthParameters: { USERNAME: username, SRP_A: srp.A, CHALLENGE_NAME: 'SRP_A' },
        });
      }
      if (first.ChallengeName !== 'PASSWORD_VERIFIER' || !first.ChallengeParameters) {
        return step(first, username);
      }
      const params = first.ChallengeParameters as Record<string, string>;
      const proof = await srp.verify(
        {
          SALT: params.SALT ?? '',
          SRP_B: params.SRP_B ?? '',
          SECRET_BLOCK: params.SECRET_BLOCK ?? '',
          USER_ID_FOR_SRP: params.USER_ID_FOR_SRP ?? username,
        },
        password,
        now(),
      );
      const second = await call<AuthAnswer>('RespondToAuthChallenge', {
        ChallengeName: 'PASSWORD_VERIFIER',
        ClientId: options.clientId,
        ChallengeResponses: { USERNAME: params.USER_ID_FOR_SRP ?? username, ...proof },
        ...(first.Session ? { Session: first.Session } : {}),
      });
      return step(second, username);
    },
    /** CUSTOM_AUTH: the pool mails a one-time code. */
    async startEmailCode(username: string): Promise<AuthStep> {
      const answer = await call<AuthAnswer>('InitiateAuth', {
        AuthFlow: 'CUSTOM_AUTH',
        ClientId: options.clientId,
        AuthParameters: { USERNAME: username },
      });
      return step(answer, username);
    },
    async answerCode(username: string, session: string, code: string): Promise<AuthStep> {
      const answer = await call<AuthAnswer>('RespondToAuthChallenge', {
        ChallengeName: 'CUSTOM_CHALLENGE',
        ClientId: options.clientId,
        Session: session,
        ChallengeResponses: { USERNAME: username, ANSWER: code },
      });
      return step(answer, username);
    },
    async refresh(refreshToken: string): Promise<Tokens> {
      const answer = await call<AuthAnswer>('InitiateAuth', {
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: options.clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      });
      const result = step(answer, '');
      if (result.kind !== 'tokens')
        throw new CognitoError('RefreshFailed', 'The session could not be renewed.');
      return result.tokens;
    },
    async revoke(refreshToken: string): Promise<void> {
      await call('RevokeToken', { ClientId: options.clientId, Token: refreshToken });
    },
  };
}

export type CognitoClient = ReturnType<typeof createCognitoClient>;

/** The claims of a JWT (no verification: the API and the live feed verify it). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  const json = atob(
    payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '='),
  );
  const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** Groups of an ID or access token (`cognito:groups`, a list). */
export function tokenGroups(token: string): string[] {
  const groups = jwtClaims(token)['cognito:groups'];
  return Array.isArray(groups) ? groups.map(String) : [];
}
