/**
 * The code key's GetSecretValue call without the SDK client, against a Secrets Manager
 * stand-in on loopback that checks SigV4 signatures the way the service does (the
 * signed headers, the date, the body, the secret access key). The real SDK client
 * passes the same check, which is what makes it a check.
 */
import http, {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { ConfigError } from '@authwatch/kit';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CUSTOM_CHALLENGE_ENV } from '../../src/config.js';
import { createVerifyHandler } from '../../src/handlers.js';
import { productionKeys } from '../../src/runtime.js';
import {
  errorTypeOf,
  SECRET_READ_MAX_BODY_BYTES,
  SecretReadError,
  secretFromAnswer,
  secretsManagerReader,
  secretsManagerTarget,
} from '../../src/secret-reader.js';
import { lambdaContext, memoryAuditor, NOW, PASSWORDLESS, verifyEvent } from './helpers.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:authwatch-code-key-AbCdEf';
/** What Secrets Manager generates for the stack's CodeKey: 64 letters and digits. */
const SECRET_VALUE = 'Qm9uZ2hvdXNlU2VjcmV0S2V5Rm9yVGVzdHNPbmx5MTIzNDU2Nzg5MGFiY2RlZmdo';
const CREDENTIALS = {
  accessKeyId: 'ASIATESTACCESSKEY001',
  secretAccessKey: 'test-secret-access-key-0123456789abcdef',
  sessionToken: 'test-session-token',
};

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  signatureValid: boolean;
}

type Reply = (response: ServerResponse, request: Received) => void;

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

/** Checks a request's SigV4 signature as the service does: re-sign what was signed. */
async function signatureIsValid(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: string,
): Promise<boolean> {
  const match = SIGV4.exec(String(headers.authorization ?? ''));
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(
    String(headers['x-amz-date'] ?? ''),
  );
  if (!match || !date) return false;
  const [, keyId, , region, service, signedHeaders] = match as unknown as string[];
  if (keyId !== CREDENTIALS.accessKeyId || service !== 'secretsmanager') return false;
  const [, y, mo, d, h, mi, s] = date.map(Number) as number[];
  const signingDate = new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
  const host = String(headers.host ?? '');
  const request = {
    method,
    protocol: 'http:',
    hostname: host.split(':')[0] as string,
    path,
    query: {},
    headers: Object.fromEntries(
      (signedHeaders as string).split(';').map((name) => [name, String(headers[name] ?? '')]),
    ),
    body,
  };
  const signer = new SignatureV4({
    service: 'secretsmanager',
    region: region as string,
    credentials: CREDENTIALS,
    sha256: Hash.bind(null, 'sha256'),
  });
  const expected = await signer.sign(request, { signingDate });
  return expected.headers.authorization === headers.authorization;
}

/** A GetSecretValue answer of a healthy service. */
function secretAnswer(fields: Record<string, unknown> = { SecretString: SECRET_VALUE }): Reply {
  return (response) => {
    response.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': 'b3f3a5b6-0000-4000-8000-000000000001',
    });
    response.end(
      JSON.stringify({
        ARN: SECRET_ARN,
        Name: 'authwatch-code-key',
        VersionId: 'c1a0a8c4-0000-4000-8000-000000000002',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1.795e9,
        ...fields,
      }),
    );
  };
}

/** An error answer as Secrets Manager sends one (awsJson1_1). */
function errorAnswer(status: number, type: string, message: string): Reply {
  return (response) => {
    response.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': 'b3f3a5b6-0000-4000-8000-000000000003',
    });
    response.end(JSON.stringify({ __type: type, Message: message }));
  };
}

/** What the stand-in answers when a signature does not check out. */
const signatureRefused = errorAnswer(
  400,
  'InvalidSignatureException',
  'The request signature we calculated does not match the signature you provided.',
);

describe('reading the code key without the SDK client', () => {
  let server: Server;
  let url: string;
  let received: Received[];
  let replies: Reply[];
  let arrived: ((request: Received) => void)[];

  /** Resolves when the stand-in has received its `count`th request. */
  const requestNumber = (count: number) =>
    new Promise<Received>((resolve) => {
      arrived.push((request) => {
        if (received.length === count) resolve(request);
      });
    });

  beforeEach(async () => {
    received = [];
    replies = [];
    arrived = [];
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const seen: Received = {
          method: request.method ?? '',
          path: request.url ?? '',
          headers: request.headers,
          body,
          signatureValid: await signatureIsValid(
            request.method ?? '',
            request.url ?? '',
            request.headers,
            body,
          ),
        };
        received.push(seen);
        for (const listener of arrived) listener(seen);
        const reply = seen.signatureValid ? (replies.shift() ?? secretAnswer()) : signatureRefused;
        reply(response, seen);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
  });

  afterEach(async () => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const environment = (extra: Record<string, string> = {}) => ({
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
    ...extra,
  });

  const pauses: number[] = [];
  const reader = (extra: Record<string, string> = {}) =>
    secretsManagerReader({
      env: environment(extra),
      pause: async (ms) => {
        pauses.push(ms);
      },
      random: () => 0.5,
    });

  beforeEach(() => {
    pauses.length = 0;
  });

  it('reads the secret string with a request the service accepts', async () => {
    // Act
    const value = await reader()(SECRET_ARN);
    // Assess
    expect(value).toBe(SECRET_VALUE);
    expect(received).toHaveLength(1);
    const [request] = received as [Received];
    expect(request.signatureValid).toBe(true);
    expect(request).toMatchObject({ method: 'POST', path: '/' });
    expect(request.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'secretsmanager.GetSecretValue',
      'x-amz-security-token': CREDENTIALS.sessionToken,
    });
    expect(JSON.parse(request.body)).toEqual({ SecretId: SECRET_ARN });
  });

  it('sends what the SDK client sends, and the stand-in accepts both', async () => {
    // Prepare
    const client = new SecretsManagerClient({
      region: 'eu-west-1',
      endpoint: url,
      credentials: CREDENTIALS,
    });
    // Act
    const sdk = await client.send(new GetSecretValueCommand({ SecretId: SECRET_ARN }));
    const ours = await reader()(SECRET_ARN);
    // Assess
    expect(ours).toBe(sdk.SecretString);
    const [viaSdk, direct] = received as [Received, Received];
    expect(viaSdk.signatureValid).toBe(true);
    expect(direct.signatureValid).toBe(true);
    for (const field of ['method', 'path', 'body'] as const) {
      expect(direct[field]).toEqual(viaSdk[field]);
    }
    for (const header of ['content-type', 'x-amz-target', 'x-amz-security-token', 'host']) {
      expect(direct.headers[header]).toEqual(viaSdk.headers[header]);
    }
  });

  it('is refused when signed with another secret access key', async () => {
    // Act
    const failure = await reader({ AWS_SECRET_ACCESS_KEY: 'not-the-key' })(SECRET_ARN).catch(
      (error: unknown) => error,
    );
    // Assess
    expect(received[0]?.signatureValid).toBe(false);
    expect(failure).toBeInstanceOf(SecretReadError);
    expect((failure as Error).message).toContain('HTTP 400 InvalidSignatureException');
    expect(received).toHaveLength(1);
  });

  it('names the secret and the service error, and does not retry a refusal', async () => {
    // Prepare
    replies.push(
      errorAnswer(400, 'ResourceNotFoundException', "Secrets Manager can't find the secret."),
    );
    // Act
    const failure = await reader()(SECRET_ARN).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(SecretReadError);
    expect((failure as Error).message).toBe(
      `Secrets Manager GetSecretValue of ${SECRET_ARN} at ${new URL(url).host} failed after 1 attempt(s): HTTP 400 ResourceNotFoundException`,
    );
    expect(received).toHaveLength(1);
    expect(pauses).toEqual([]);
  });

  it('retries a throttled or failed answer once, after a jittered pause', async () => {
    // Prepare
    replies.push(errorAnswer(400, 'ThrottlingException', 'Rate exceeded'));
    // Act
    const value = await reader()(SECRET_ARN);
    // Assess
    expect(value).toBe(SECRET_VALUE);
    expect(received).toHaveLength(2);
    expect(pauses).toEqual([50]);
  });

  it('gives up after two service faults', async () => {
    // Prepare
    replies.push(
      errorAnswer(500, 'InternalServiceError', 'An error occurred on the server side.'),
      errorAnswer(503, 'InternalServiceError', 'An error occurred on the server side.'),
    );
    // Act
    const failure = await reader()(SECRET_ARN).catch((error: unknown) => error);
    // Assess
    expect((failure as Error).message).toMatch(
      /failed after 2 attempt\(s\): HTTP 503 InternalServiceError$/,
    );
    expect((failure as SecretReadError).transient).toBe(true);
  });

  it('says so when nothing listens at the endpoint', async () => {
    // Prepare
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // Act
    const failure = await reader()(SECRET_ARN).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(SecretReadError);
    expect((failure as Error).message).toMatch(
      /failed after 2 attempt\(s\): request failed \(ECONNREFUSED\)$/,
    );
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('gives up on an endpoint that does not answer, one timeout per attempt', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    replies.push(
      () => undefined,
      () => undefined,
    );
    const first = requestNumber(1);
    const second = requestNumber(2);
    let settled = false;
    // Act
    const read = reader()(SECRET_ARN)
      .catch((error: unknown) => error)
      .finally(() => {
        settled = true;
      });
    await first;
    vi.advanceTimersByTime(999);
    await new Promise((resolve) => setImmediate(resolve));
    const pendingAt999 = !settled && received.length === 1;
    vi.advanceTimersByTime(1);
    await second;
    vi.advanceTimersByTime(1_000);
    const failure = await read;
    // Assess
    expect(pendingAt999).toBe(true);
    expect(failure).toBeInstanceOf(SecretReadError);
    expect((failure as Error).message).toMatch(
      /failed after 2 attempt\(s\): no answer within 1000 ms$/,
    );
  });

  it.each([
    ['not JSON', `{"SecretString":"${SECRET_VALUE}"`, 'answer is not JSON'],
    ['a JSON array', `["${SECRET_VALUE}"]`, 'answer is not a JSON object'],
    ['a number as the value', '{"SecretString":42}', 'answer has no SecretString'],
  ])('refuses a malformed answer (%s) without quoting it', async (_case, body, problem) => {
    // Prepare
    replies.push((response) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(body);
    });
    // Act
    const failure = await reader()(SECRET_ARN).catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(SecretReadError);
    expect((failure as Error).message).toMatch(new RegExp(`${problem}$`));
    expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure))).not.toContain(
      SECRET_VALUE.slice(0, 12),
    );
    expect(String((failure as Error).cause)).not.toContain(SECRET_VALUE.slice(0, 12));
    expect(received).toHaveLength(1);
  });

  it('stops reading an answer larger than any secret', async () => {
    // Prepare
    replies.push((response) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(`{"SecretString":"${'a'.repeat(SECRET_READ_MAX_BODY_BYTES)}"}`);
    });
    // Act
    const failure = await reader()(SECRET_ARN).catch((error: unknown) => error);
    // Assess
    expect((failure as Error).message).toMatch(/answer larger than \d+ bytes$/);
  });

  it('fails the verify trigger closed, logging why but never the secret', async () => {
    // Prepare
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    replies.push((response) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(`{"SecretString": ${SECRET_VALUE}}`);
    });
    const keys = productionKeys(
      environment({ [CUSTOM_CHALLENGE_ENV.keySecretArn]: SECRET_ARN }) as Record<string, string>,
    );
    const verify = createVerifyHandler({
      config: PASSWORDLESS,
      keys,
      auditor: memoryAuditor().auditor,
      now: () => NOW,
    });
    // Act
    const failure = await verify(
      verifyEvent(),
      lambdaContext(() => NOW),
    ).catch((error: unknown) => error);
    const retried = await verify(
      verifyEvent(),
      lambdaContext(() => NOW),
    );
    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).not.toContain(SECRET_VALUE);
    const logs = written.join('');
    expect(logs).toContain('answer is not JSON');
    expect(logs).not.toContain(SECRET_VALUE.slice(0, 12));
    // The next invocation reads the key again (a failure does not stick) and answers.
    expect(retried.response).toEqual({ answerCorrect: false });
    expect(received).toHaveLength(2);
  });

  it('sends through the http module object, where the tracer’s HTTP capture hooks in', async () => {
    // Prepare
    const request = vi.spyOn(http, 'request');
    // Act
    await reader()(SECRET_ARN);
    // Assess
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('records the call as an X-Ray subsegment shaped like the SDK client’s', async () => {
    // Prepare
    const attributes: Record<string, unknown> = {};
    const subsegment = {
      addAttribute: (name: string, value: unknown) => {
        attributes[name] = value;
      },
      addErrorFlag: vi.fn(),
      addThrottleFlag: vi.fn(),
      addError: vi.fn(),
      close: vi.fn(),
    };
    const parent = { addNewSubsegment: vi.fn(() => subsegment) };
    const { tracer } = await import('@authwatch/kit');
    vi.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true);
    vi.spyOn(tracer, 'getSegment').mockReturnValue(parent as never);
    const setSegment = vi.spyOn(tracer, 'setSegment').mockImplementation(() => undefined);
    replies.push(errorAnswer(400, 'AccessDeniedException', 'not authorized'));
    // Act
    await reader()(SECRET_ARN).catch(() => undefined);
    await reader()(SECRET_ARN);
    // Assess
    expect(parent.addNewSubsegment).toHaveBeenCalledWith('SecretsManager');
    expect(attributes).toMatchObject({
      namespace: 'aws',
      aws: {
        operation: 'GetSecretValue',
        region: 'eu-west-1',
        resource_names: [SECRET_ARN],
        request_id: 'b3f3a5b6-0000-4000-8000-000000000001',
        retries: 0,
      },
      http: { response: { status: 200 } },
    });
    expect(subsegment.addErrorFlag).toHaveBeenCalledTimes(1);
    expect(subsegment.addError).toHaveBeenCalledTimes(1);
    expect(subsegment.close).toHaveBeenCalledTimes(2);
    expect(setSegment.mock.calls.map(([segment]) => segment)).toEqual([
      subsegment,
      parent,
      subsegment,
      parent,
    ]);
  });
});

describe('where the reader sends the request', () => {
  const credentials = { AWS_ACCESS_KEY_ID: 'AKIA', AWS_SECRET_ACCESS_KEY: 'secret' };

  it.each([
    [{ AWS_REGION: 'eu-west-1' }, 'https://secretsmanager.eu-west-1.amazonaws.com/'],
    [{ AWS_REGION: 'cn-north-1' }, 'https://secretsmanager.cn-north-1.amazonaws.com.cn/'],
    [
      { AWS_REGION: 'us-gov-west-1', AWS_USE_FIPS_ENDPOINT: 'true' },
      'https://secretsmanager-fips.us-gov-west-1.amazonaws.com/',
    ],
    [
      { AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://localhost:4566' },
      'http://localhost:4566/',
    ],
    [
      {
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL: 'http://localhost:4566',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9001',
      },
      'http://127.0.0.1:9001/',
    ],
  ])('resolves the endpoint as the SDK would (%o)', (env, expected) => {
    expect(secretsManagerTarget({ ...credentials, ...env }).url.href).toBe(expected);
  });

  it.each([
    [{ AWS_REGION: 'eu-west-1', AWS_SECRET_ACCESS_KEY: 'secret' }, 'AWS_ACCESS_KEY_ID'],
    [{ AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIA' }, 'AWS_SECRET_ACCESS_KEY'],
    [credentials, 'AWS_REGION'],
    [{ ...credentials, AWS_REGION: 'eu-west-1.evil.example' }, 'AWS_REGION'],
    [
      { ...credentials, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'ftp://x' },
      'AWS_ENDPOINT_URL_SECRETS_MANAGER',
    ],
    [
      { ...credentials, AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'not a url' },
      'AWS_ENDPOINT_URL',
    ],
  ])('names the variable that is missing or wrong', (env, variable) => {
    const read = () => secretsManagerTarget(env as Record<string, string>);
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(variable);
  });
});

describe('what an answer means', () => {
  it('reads the secret string, and nothing from a binary secret', () => {
    const answer = { status: 200, requestId: undefined, errorType: undefined };
    expect(secretFromAnswer({ ...answer, body: '{"SecretString":"k"}' })).toBe('k');
    expect(secretFromAnswer({ ...answer, body: '{"SecretBinary":"AAEC"}' })).toBeUndefined();
  });

  it('takes the error type from the header or the body, in the forms the service uses', () => {
    expect(errorTypeOf('ResourceNotFoundException:http://internal.amazon.com/', '')).toBe(
      'ResourceNotFoundException',
    );
    expect(
      errorTypeOf(undefined, '{"__type":"com.amazonaws.secretsmanager#DecryptionFailure"}'),
    ).toBe('DecryptionFailure');
    expect(errorTypeOf(undefined, '<html>502 Bad Gateway</html>')).toBeUndefined();
    expect(errorTypeOf(undefined, '{"__type":"<script>"}')).toBeUndefined();
  });

  it('gives a value only for a 200 and otherwise an error of a fixed form, never the body', () => {
    const bodies = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record({ SecretString: fc.jsonValue(), SecretBinary: fc.jsonValue(), __type: fc.string() })
        .map((value) => JSON.stringify(value)),
      fc.record({ __type: fc.string() }).map((value) => JSON.stringify(value)),
    );
    const ERROR_FORM =
      /^(answer is not JSON|answer is not a JSON object|answer has no SecretString|HTTP \d{3} ([A-Za-z][A-Za-z0-9_.]{0,99}|unknown error))$/;
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 599 }), bodies, (status, body) => {
        try {
          const value = secretFromAnswer({
            status,
            requestId: undefined,
            errorType: errorTypeOf(undefined, body),
            body,
          });
          return status === 200 && (value === undefined || typeof value === 'string');
        } catch (error) {
          return (
            error instanceof SecretReadError &&
            ERROR_FORM.test(error.message) &&
            error.cause === undefined
          );
        }
      }),
    );
  });
});
