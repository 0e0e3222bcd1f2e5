/**
 * The page's settings, read from `config.json` next to it (infra writes it from the
 * stack's outputs; the local stack serves its own). A missing or wrong field stops the
 * page with a message naming it.
 */

export interface LiveFeedConfig {
  /** The HTTP host of the Event API, sent as `host` in the auth headers. */
  httpHost: string;
  /** `wss://<realtime host>/event/realtime` (locally `ws://127.0.0.1:<port>/event/realtime`). */
  realtimeUrl: string;
  /** The channels the page subscribes to. */
  channels: { signIn: string; detections: string };
  /**
   * `cognito`: the user's token authorises the WebSocket (the local feed, or an Event
   * API that trusts the pool); `iam`: SigV4 with the identity pool's credentials (the
   * security group's role), as infra deploys it.
   */
  auth: 'cognito' | 'iam';
  /** With `iam`: the identity pool. */
  identityPoolId?: string;
}

export interface PageConfig {
  region: string;
  userPoolId: string;
  clientId: string;
  /** Cognito's endpoint (`https://cognito-idp.<region>.amazonaws.com/`, or the local one). */
  cognitoEndpoint: string;
  /** The protected API's base URL. */
  apiUrl: string;
  liveFeed: LiveFeedConfig;
  /** The group whose members may use the page. */
  securityGroup: string;
  /** Sign-in flows offered: `password` (SRP) and/or `email-code` (custom auth). */
  signIn: ('password' | 'email-code')[];
}

export class ConfigError extends Error {
  constructor(field: string, problem: string) {
    super(`config.json: ${field} ${problem}`);
    this.name = 'ConfigError';
  }
}

function text(source: Record<string, unknown>, field: string, path = field): string {
  const value = source[field];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(path, 'must be a non-empty string');
  }
  return value;
}

function object(
  source: Record<string, unknown>,
  field: string,
  path = field,
): Record<string, unknown> {
  const value = source[field];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(path, 'must be an object');
  }
  return value as Record<string, unknown>;
}

function url(value: string, field: string, schemes: string[]): string {
  // A path on this origin (the local stack proxies Cognito and the API) is allowed too.
  if (value.startsWith('/') && !value.startsWith('//')) return value;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(field, 'must be a URL');
  }
  if (!schemes.includes(parsed.protocol)) {
    throw new ConfigError(field, `must use ${schemes.join(' or ')}`);
  }
  return value;
}

function liveAuth(live: Record<string, unknown>): Pick<LiveFeedConfig, 'auth' | 'identityPoolId'> {
  const auth = live.auth ?? 'cognito';
  if (auth === 'cognito') return { auth };
  if (auth !== 'iam') throw new ConfigError('liveFeed.auth', 'must be cognito or iam');
  const identityPoolId = text(live, 'identityPoolId', 'liveFeed.identityPoolId');
  if (!/^[\w-]+:[0-9a-f-]+$/.test(identityPoolId)) {
    throw new ConfigError(
      'liveFeed.identityPoolId',
      'must be an identity pool id like eu-west-1:1234abcd-…',
    );
  }
  return { auth, identityPoolId };
}

/** Validates a parsed config.json. */
export function parseConfig(raw: unknown): PageConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('the file', 'must hold a JSON object');
  }
  const source = raw as Record<string, unknown>;
  const live = object(source, 'liveFeed');
  const channels = object(live, 'channels', 'liveFeed.channels');
  const userPoolId = text(source, 'userPoolId');
  if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(userPoolId)) {
    throw new ConfigError('userPoolId', 'must be a user pool id like eu-west-1_AbC123');
  }
  const signIn = source.signIn ?? ['password', 'email-code'];
  if (
    !Array.isArray(signIn) ||
    signIn.length === 0 ||
    !signIn.every((flow) => flow === 'password' || flow === 'email-code')
  ) {
    throw new ConfigError('signIn', 'must list password and/or email-code');
  }
  return {
    region: text(source, 'region'),
    userPoolId,
    clientId: text(source, 'clientId'),
    cognitoEndpoint: url(text(source, 'cognitoEndpoint'), 'cognitoEndpoint', ['https:', 'http:']),
    apiUrl: url(text(source, 'apiUrl'), 'apiUrl', ['https:', 'http:']).replace(/\/$/, ''),
    liveFeed: {
      httpHost: text(live, 'httpHost', 'liveFeed.httpHost'),
      realtimeUrl: url(text(live, 'realtimeUrl', 'liveFeed.realtimeUrl'), 'liveFeed.realtimeUrl', [
        'wss:',
        'ws:',
      ]),
      channels: {
        signIn: text(channels, 'signIn', 'liveFeed.channels.signIn'),
        detections: text(channels, 'detections', 'liveFeed.channels.detections'),
      },
      ...liveAuth(live),
    },
    securityGroup: typeof source.securityGroup === 'string' ? source.securityGroup : 'security',
    signIn: signIn as PageConfig['signIn'],
  };
}
