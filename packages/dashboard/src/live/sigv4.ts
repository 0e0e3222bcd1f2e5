/**
 * SigV4 for the live feed's IAM mode, with WebCrypto: the auth headers AppSync Events
 * wants for `connection_init` (body `{}`) and each `subscribe` (body `{"channel":…}`),
 * signed as a `POST https://<http host>/event`, as `authwatch-watch` signs them with
 * `@smithy/signature-v4` (a test checks both give the same signature). The credentials
 * are the security group's identity-pool role, got with the user's ID token.
 *
 * @see https://docs.aws.amazon.com/appsync/latest/eventapi/configure-event-api-auth.html
 */

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Epoch ms. */
  expiration?: number;
}

const encoder = new TextEncoder();

const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

async function hmac(
  key: ArrayBuffer | Uint8Array<ArrayBuffer>,
  text: string,
): Promise<ArrayBuffer> {
  const imported = await crypto.subtle.importKey(
    'raw',
    key,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return crypto.subtle.sign('HMAC', imported, encoder.encode(text));
}

/** `20261206T213000Z` */
export function amzDate(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** The signed headers of a `POST /event` with `body`, for the `appsync` service. */
export async function signEventRequest(options: {
  host: string;
  region: string;
  body: string;
  credentials: AwsCredentials;
  now: number;
}): Promise<Record<string, string>> {
  const { host, region, body, credentials } = options;
  const date = amzDate(options.now);
  const day = date.slice(0, 8);
  const payloadHash = await sha256Hex(body);
  const headers: Record<string, string> = {
    accept: 'application/json, text/javascript',
    'content-encoding': 'amz-1.0',
    'content-type': 'application/json; charset=UTF-8',
    host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': date,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    'POST',
    '/event',
    '',
    ...names.map((name) => `${name}:${(headers[name] ?? '').trim()}`),
    '',
    names.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/appsync/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, await sha256Hex(canonical)].join('\n');
  let key = await hmac(encoder.encode(`AWS4${credentials.secretAccessKey}`), day);
  for (const part of [region, 'appsync', 'aws4_request']) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

/**
 * Credentials of the identity pool for a signed-in user (GetId, then
 * GetCredentialsForIdentity with the ID token as the pool's login), kept until five
 * minutes before they expire.
 */
export function identityPoolCredentials(options: {
  region: string;
  identityPoolId: string;
  userPoolId: string;
  idToken: () => Promise<string>;
  fetch?: typeof fetch;
  now?: () => number;
}): () => Promise<AwsCredentials> {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const now = options.now ?? Date.now;
  const endpoint = `https://cognito-identity.${options.region}.amazonaws.com/`;
  let cached: AwsCredentials | undefined;
  const call = async (action: string, body: unknown) => {
    const response = await doFetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityService.${action}`,
      },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok)
      throw new Error(`${action} failed (${String(answer.__type ?? response.status)})`);
    return answer;
  };
  return async () => {
    if (cached?.expiration !== undefined && cached.expiration - now() > 5 * 60_000) return cached;
    const logins = {
      [`cognito-idp.${options.region}.amazonaws.com/${options.userPoolId}`]:
        await options.idToken(),
    };
    const { IdentityId } = await call('GetId', {
      IdentityPoolId: options.identityPoolId,
      Logins: logins,
    });
    const { Credentials } = (await call('GetCredentialsForIdentity', {
      IdentityId,
      Logins: logins,
    })) as {
      Credentials: {
        AccessKeyId: string;
        SecretKey: string;
        SessionToken: string;
        Expiration: number;
      };
    };
    cached = {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretKey,
      sessionToken: Credentials.SessionToken,
      expiration: Credentials.Expiration * 1_000,
    };
    return cached;
  };
}

/** The auth headers of IAM mode: each request signed with fresh identity-pool credentials. */
export function iamAuth(options: {
  host: string;
  region: string;
  credentials: () => Promise<AwsCredentials>;
  now?: () => number;
}) {
  return async (body: string): Promise<Record<string, string>> =>
    signEventRequest({
      host: options.host,
      region: options.region,
      body,
      credentials: await options.credentials(),
      now: (options.now ?? Date.now)(),
    });
}
