/**
 * The code key's one Secrets Manager call, made without the SDK's client: a
 * `GetSecretValue` request in Secrets Manager's own protocol (awsJson1_1), signed with
 * the SDK's SigV4 signer (`@smithy/signature-v4`, the package every SDK v3 client signs
 * with) over Node's native SHA-256, and sent with Node's `http`/`https`.
 *
 * Why: the first invocation of create and verify reads the key, and loading the
 * `@aws-sdk/client-secrets-manager` package (with `@aws-sdk/core`, the credential chain
 * and the endpoint rules) on that invocation cost the first sign-in 40-100 ms here; the
 * signer is a few kilobytes already in the bundle (the audit live feed signs with it).
 * The README's "Reading the code key" weighs this against the Parameters and Secrets
 * Lambda Extension.
 *
 * What it keeps from the SDK client it replaces: Lambda's credentials (the execution
 * role's, from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`), the
 * regional endpoint or the SDK's `AWS_ENDPOINT_URL_SECRETS_MANAGER` / `AWS_ENDPOINT_URL`
 * override (how the benchmark and any emulator point it elsewhere), a timeout per attempt,
 * one retry of a transient failure, and an X-Ray subsegment shaped like the SDK's
 * (`SecretsManager`, namespace `aws`, operation, region, request id, retries).
 *
 * No error it raises quotes the secret: a body that does not parse is reported by its
 * shape only (V8's JSON.parse message would quote the text, so it is never kept as cause).
 */
// The module objects, not named imports: the tracer's HTTP capture replaces their
// `request` (aws-xray-sdk's captureHTTPsGlobal), which a named ESM import would not see.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { ConfigError, tracer } from '@authwatch/kit';
import type { SecretReader } from './keys.js';
import type { SignableRequest, SignerCredentials } from './secret-signer.js';

/** Longest one GetSecretValue attempt may take, connection included, ms. */
export const SECRET_READ_TIMEOUT_MS = 1_000;
/** Attempts in all (the first and one retry of a transient failure). */
export const SECRET_READ_MAX_ATTEMPTS = 2;
/** Upper bound of the random pause before the retry, ms (the SDK's base delay). */
export const SECRET_READ_RETRY_JITTER_MS = 100;
/**
 * Largest answer read, bytes: a secret holds at most 64 KiB (SecretBinary travels as
 * base64, ~87 KiB), plus the ARN, name and version fields.
 */
export const SECRET_READ_MAX_BODY_BYTES = 128 * 1024;

/** The variables the reader takes its endpoint, region and credentials from. */
export const SECRET_READER_ENV = {
  region: 'AWS_REGION',
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  sessionToken: 'AWS_SESSION_TOKEN',
  endpoint: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  globalEndpoint: 'AWS_ENDPOINT_URL',
  fips: 'AWS_USE_FIPS_ENDPOINT',
} as const;

/** The secret could not be read: which step failed, never the value. */
export class SecretReadError extends Error {
  /** Whether another attempt may succeed (network, timeout, throttling, 5xx). */
  readonly transient: boolean;
  constructor(message: string, options: { transient?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SecretReadError';
    this.transient = options.transient ?? false;
  }
}

type Env = Record<string, string | undefined>;

export interface SecretReaderOptions {
  /** Where region, credentials and endpoint come from (default `process.env`). */
  env?: Env;
  /** Longest one attempt may take, ms (default {@link SECRET_READ_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Attempts in all (default {@link SECRET_READ_MAX_ATTEMPTS}). */
  maxAttempts?: number;
  /** The pause before a retry (default a timer); tests record it instead. */
  pause?: (ms: number) => Promise<void>;
  /** A number in [0, 1) for the retry's jitter (default `Math.random`). */
  random?: () => number;
}

interface Target {
  url: URL;
  region: string;
  credentials: SignerCredentials;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required to read the code key from Secrets Manager');
  return value;
}

/**
 * Region, endpoint and credentials, as the SDK would find them in Lambda: the
 * endpoint override variables first, then the regional (or FIPS) endpoint of the
 * region's partition.
 */
export function secretsManagerTarget(env: Env): Target {
  const region = required(env, SECRET_READER_ENV.region);
  if (!REGION.test(region)) {
    throw new ConfigError(SECRET_READER_ENV.region, 'must be a region code such as eu-west-1');
  }
  const override = [SECRET_READER_ENV.endpoint, SECRET_READER_ENV.globalEndpoint]
    .map((name) => [name, env[name]?.trim()] as const)
    .find(([, value]) => value);
  let url: URL;
  if (override) {
    const [name, value] = override;
    try {
      url = new URL(value as string);
    } catch {
      throw new ConfigError(name, 'must be an http(s) URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigError(name, 'must be an http(s) URL');
    }
  } else {
    const fips = env[SECRET_READER_ENV.fips]?.trim().toLowerCase() === 'true';
    const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    url = new URL(`https://secretsmanager${fips ? '-fips' : ''}.${region}.${suffix}/`);
  }
  const sessionToken = env[SECRET_READER_ENV.sessionToken]?.trim();
  return {
    url,
    region,
    credentials: {
      accessKeyId: required(env, SECRET_READER_ENV.accessKeyId),
      secretAccessKey: required(env, SECRET_READER_ENV.secretAccessKey),
      ...(sessionToken ? { sessionToken } : {}),
    },
  };
}

/** The answer to one GetSecretValue attempt, read to the end. */
export interface GetSecretValueAnswer {
  status: number;
  requestId: string | undefined;
  errorType: string | undefined;
  body: string;
}

/** The signer's module, loaded by the first read (not at cold start) and kept. */
const signerModule = (() => {
  let loaded: Promise<typeof import('./secret-signer.js')> | undefined;
  return () => {
    loaded ??= import('./secret-signer.js').catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
})();

/** A safe name for an error type header or `__type` field, or undefined. */
export function errorTypeOf(
  header: string | string[] | undefined,
  body: string,
): string | undefined {
  let raw = typeof header === 'string' ? header : undefined;
  if (raw === undefined) {
    try {
      const parsed = JSON.parse(body) as { __type?: unknown };
      if (typeof parsed?.__type === 'string') raw = parsed.__type;
    } catch {
      // An error body that is not JSON has no type to report.
    }
  }
  // `aws.protocoltests#Name` or `Name:http://internal.amazon.com/...` → `Name`.
  const name = raw?.split(':')[0]?.split('#').pop()?.trim();
  return name && /^[A-Za-z][A-Za-z0-9_.]{0,99}$/.test(name) ? name : undefined;
}

async function attempt(
  target: Target,
  secretId: string,
  timeoutMs: number,
): Promise<GetSecretValueAnswer> {
  const { secretsManagerSigner } = await signerModule();
  const body = JSON.stringify({ SecretId: secretId });
  const { url } = target;
  const request: SignableRequest = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname || '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-target': 'secretsmanager.GetSecretValue',
    },
    body,
  };
  const signed = await secretsManagerSigner(target.region, target.credentials).sign(request);
  // The tracer's capture of Node's https adds the X-Ray trace header to this request.
  const headers = { ...signed.headers } as Record<string, string>;
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<GetSecretValueAnswer>((resolve, reject) => {
    let settled = false;
    const fail = (error: SecretReadError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const outgoing = send(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || undefined,
        path: signed.path,
        method: 'POST',
        headers,
        // One request per environment: no socket is kept open across freezes.
        agent: false,
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > SECRET_READ_MAX_BODY_BYTES) {
            fail(new SecretReadError(`answer larger than ${SECRET_READ_MAX_BODY_BYTES} bytes`));
            response.destroy();
            outgoing.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            requestId: headerOf(response, 'x-amzn-requestid'),
            errorType: errorTypeOf(response.headers['x-amzn-errortype'], text),
            body: text,
          });
        });
        response.on('error', (error) =>
          fail(new SecretReadError(`answer cut short (${codeOf(error)})`, { transient: true })),
        );
        response.on('close', () => {
          if (!response.complete) {
            fail(new SecretReadError('answer cut short', { transient: true }));
          }
        });
      },
    );
    const timer = setTimeout(() => {
      fail(new SecretReadError(`no answer within ${timeoutMs} ms`, { transient: true }));
      outgoing.destroy();
    }, timeoutMs);
    outgoing.on('error', (error) =>
      fail(new SecretReadError(`request failed (${codeOf(error)})`, { transient: true })),
    );
    outgoing.end(body);
  });
}

function headerOf(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** A network error's code (ECONNREFUSED, ...), which names the problem without data. */
function codeOf(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : error.name;
}

/** The secret's string, or undefined for a binary secret; throws on any other shape. */
function secretStringOf(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not kept as cause: V8's message quotes the text, which may hold the secret.
    throw new SecretReadError('answer is not JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SecretReadError('answer is not a JSON object');
  }
  const { SecretString, SecretBinary } = parsed as Record<string, unknown>;
  if (typeof SecretString === 'string') return SecretString;
  if (SecretString === undefined && typeof SecretBinary === 'string') return undefined;
  throw new SecretReadError('answer has no SecretString');
}

/**
 * What one answer means: the secret's string (undefined for a binary secret), or a
 * {@link SecretReadError} saying why not, marked transient for 5xx and throttling.
 */
export function secretFromAnswer(answer: GetSecretValueAnswer): string | undefined {
  if (answer.status === 200) return secretStringOf(answer.body);
  const type = answer.errorType ?? 'unknown error';
  const transient =
    answer.status >= 500 ||
    answer.status === 429 ||
    /^(ThrottlingException|TooManyRequestsException|RequestLimitExceeded)$/.test(type);
  throw new SecretReadError(`HTTP ${answer.status} ${type}`, { transient });
}

type TraceSegment = NonNullable<ReturnType<typeof tracer.getSegment>>;
type Subsegment = ReturnType<TraceSegment['addNewSubsegment']>;

/** Opens the call's X-Ray subsegment (as the SDK's capture would), when tracing. */
function openSubsegment(): { parent: TraceSegment; sub: Subsegment } | undefined {
  if (!tracer.isTracingEnabled()) return undefined;
  const parent = tracer.getSegment();
  if (parent === undefined) return undefined;
  const sub = parent.addNewSubsegment('SecretsManager');
  sub.addAttribute('namespace', 'aws');
  tracer.setSegment(sub);
  return { parent, sub };
}

/**
 * A {@link SecretReader} that calls Secrets Manager's GetSecretValue directly. The
 * first read loads the signer; every read is one request (two on a transient failure,
 * each bounded by the timeout): at most about 2.1 s with the defaults, inside Cognito's
 * 5-second trigger limit. Any failure rejects with a {@link SecretReadError} naming the
 * secret and the step, so the trigger fails closed (no key, no code).
 *
 * @example
 * ```ts
 * const keys = cachedKeys(() => loadCodeKeys(process.env, secretsManagerReader()));
 * ```
 */
export function secretsManagerReader(options: SecretReaderOptions = {}): SecretReader {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? SECRET_READ_TIMEOUT_MS;
  const maxAttempts = options.maxAttempts ?? SECRET_READ_MAX_ATTEMPTS;
  const random = options.random ?? Math.random;
  const pause =
    options.pause ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (secretId) => {
    const target = secretsManagerTarget(env);
    const traced = openSubsegment();
    const aws: Record<string, unknown> = {
      operation: 'GetSecretValue',
      region: target.region,
      resource_names: [secretId],
    };
    let status: number | undefined;
    try {
      for (let tries = 1; ; tries += 1) {
        try {
          const answer = await attempt(target, secretId, timeoutMs);
          status = answer.status;
          aws.request_id = answer.requestId;
          aws.retries = tries - 1;
          return secretFromAnswer(answer);
        } catch (error) {
          const transient = error instanceof SecretReadError && error.transient;
          if (!transient || tries >= maxAttempts) {
            aws.retries = tries - 1;
            throw error instanceof SecretReadError
              ? new SecretReadError(
                  `Secrets Manager GetSecretValue of ${secretId} at ${target.url.host} failed after ${tries} attempt(s): ${error.message}`,
                  { transient, cause: error },
                )
              : error;
          }
          await pause(Math.floor(random() * SECRET_READ_RETRY_JITTER_MS));
        }
      }
    } catch (error) {
      if (traced) {
        if (status === 429) traced.sub.addThrottleFlag();
        else if (status !== undefined && status < 500) traced.sub.addErrorFlag();
        traced.sub.addError(error as Error, true);
      }
      throw error;
    } finally {
      if (traced) {
        traced.sub.addAttribute('aws', aws);
        if (status !== undefined) traced.sub.addAttribute('http', { response: { status } });
        traced.sub.close();
        tracer.setSegment(traced.parent);
      }
    }
  };
}
