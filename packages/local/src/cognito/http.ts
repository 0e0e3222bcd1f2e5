/**
 * The emulator's HTTP face:
 * - `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`: the awsJson1_1
 *   protocol (JSON in, `application/x-amz-json-1.1` out, errors `{ __type, message }` plus
 *   the `x-amzn-ErrorType` header the SDK also reads);
 * - `GET /<poolId>/.well-known/jwks.json` and `/<poolId>/.well-known/openid-configuration`;
 * - `POST /oauth2/token`: client_credentials (client auth by Basic header or body);
 * - `PUT /_import/<poolId>/<jobId>?X-Amz-Signature=...`: a user import job's pre-signed
 *   upload URL (S3's answers: 200, or 403 AccessDenied / 404 NoSuchKey as XML);
 * - `POST /` with `X-Amz-Target: Logs_20140328.GetLogEvents`: the import jobs' logs.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { accessKeyIdOf, sourceIpOf } from '../cloudtrail/record.js';
import type { CallContext } from './context.js';
import { CognitoError, OAuthError } from './errors.js';

/** What the HTTP face needs of an emulator (the `CognitoEmulator` facade is one). */
export interface HttpTarget {
  call(operation: string, input: Record<string, unknown>, caller: CallContext): Promise<unknown>;
  clientCredentials(
    clientId: string,
    clientSecret: string,
    scopeParam: string | undefined,
    caller: CallContext,
    viaBasic: boolean,
  ): Promise<unknown>;
  jwks(poolId: string): unknown;
  /** A PUT to an import job's pre-signed URL. */
  uploadImport(
    poolId: string,
    jobId: string,
    signature: string,
    body: Buffer,
  ): { status: number; code?: string; message?: string };
  openIdConfiguration(poolId: string): unknown;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
/** CloudWatch Logs (the import jobs' logs): the operation keeps its prefix in the table. */
const LOGS_PREFIX = 'Logs_20140328.';
/** An import file: Cognito takes up to 100 MB. */
const MAX_UPLOAD = 100 * 1024 * 1024;
const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new CognitoError('InvalidParameterException', 'Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType: string,
  extra: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...extra,
  });
  res.end(text);
}

export function callContext(req: IncomingMessage): CallContext {
  const agent = `${req.headers['x-amz-user-agent'] ?? ''} ${req.headers['user-agent'] ?? ''}`;
  const match = /aws-sdk-js\/(\S+)/.exec(agent);
  const userAgent = req.headers['user-agent'];
  const accessKeyId = accessKeyIdOf(req.headers.authorization);
  return {
    awsSdkVersion: match ? `aws-sdk-js-${match[1]}` : 'aws-sdk-unknown-unknown',
    // For the call's CloudTrail record (cloudtrail.ts).
    source: {
      ip: sourceIpOf(req.headers, req.socket.remoteAddress),
      ...(userAgent !== undefined ? { userAgent } : {}),
      ...(accessKeyId !== undefined ? { accessKeyId } : {}),
    },
  };
}

async function handleApi(
  emulator: HttpTarget,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const json = 'application/x-amz-json-1.1';
  try {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX)
      ? target.slice(TARGET_PREFIX.length)
      : target.startsWith(LOGS_PREFIX)
        ? target
        : undefined;
    if (operation === undefined) {
      throw new CognitoError('UnknownOperationException', 'Missing or unknown X-Amz-Target');
    }
    const text = await readBody(req);
    let input: unknown;
    try {
      input = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      throw new CognitoError('SerializationException', 'Request body is not valid JSON');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new CognitoError('SerializationException', 'Request body must be a JSON object');
    }
    const output = await emulator.call(
      operation,
      input as Record<string, unknown>,
      callContext(req),
    );
    send(res, 200, output, json);
  } catch (error) {
    const failure =
      error instanceof CognitoError
        ? error
        : new CognitoError(
            'InternalErrorException',
            'Internal error in the local Cognito emulator',
          );
    if (!(error instanceof CognitoError)) {
      process.emitWarning(
        `cognito emulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    send(res, failure.status, { __type: failure.type, message: failure.message }, json, {
      'x-amzn-errortype': `${failure.type}:`,
    });
  }
}

async function handleToken(
  emulator: HttpTarget,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const json = 'application/json;charset=UTF-8';
  try {
    const form = new URLSearchParams(await readBody(req));
    const grant = form.get('grant_type');
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    const auth = req.headers.authorization;
    let viaBasic = false;
    if (auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new OAuthError('invalid_client', 401);
      try {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1));
      } catch {
        throw new OAuthError('invalid_client', 401);
      }
      viaBasic = true;
    }
    if (!grant) throw new OAuthError('invalid_request', 400);
    if (grant !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 400);
    if (!clientId || !clientSecret) throw new OAuthError('invalid_client', viaBasic ? 401 : 400);
    const result = await emulator.clientCredentials(
      clientId,
      clientSecret,
      form.get('scope') ?? undefined,
      callContext(req),
      viaBasic,
    );
    send(res, 200, result, json, { 'cache-control': 'no-store' });
  } catch (error) {
    const failure = error instanceof OAuthError ? error : new OAuthError('invalid_request', 400);
    send(res, failure.status, { error: failure.error }, json);
  }
}

/** The node:http request listener of an emulator. */
/** Reads an upload whole (up to 100 MB); undefined when it is larger. */
function readUpload(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_UPLOAD) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** S3's XML error body. */
function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function handleUpload(
  emulator: HttpTarget,
  req: IncomingMessage,
  res: ServerResponse,
  poolId: string,
  jobId: string,
  signature: string,
): Promise<void> {
  try {
    const body = await readUpload(req);
    if (!body) {
      s3Error(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
      return;
    }
    const answer = emulator.uploadImport(poolId, jobId, signature, body);
    if (answer.status === 200) {
      res.writeHead(200, { etag: `"${randomUUID().replaceAll('-', '')}"`, 'content-length': 0 });
      res.end();
    } else
      s3Error(res, answer.status, answer.code ?? 'AccessDenied', answer.message ?? 'Access Denied');
  } catch {
    s3Error(res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
  }
}

export function createListener(emulator: HttpTarget) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method === 'POST' && (path === '/' || path === '')) {
      void handleApi(emulator, req, res);
      return;
    }
    if (req.method === 'POST' && path === '/oauth2/token') {
      void handleToken(emulator, req, res);
      return;
    }
    const upload = /^\/_import\/([^/]+)\/([^/]+)$/.exec(path);
    if (req.method === 'PUT' && upload) {
      void handleUpload(
        emulator,
        req,
        res,
        decodeURIComponent(upload[1] as string),
        decodeURIComponent(upload[2] as string),
        url.searchParams.get('X-Amz-Signature') ?? '',
      );
      return;
    }
    const wellKnown = /^\/([^/]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec(path);
    if (req.method === 'GET' && wellKnown) {
      try {
        const poolId = decodeURIComponent(wellKnown[1] as string);
        const body =
          wellKnown[2] === 'jwks.json'
            ? emulator.jwks(poolId)
            : emulator.openIdConfiguration(poolId);
        send(res, 200, body, 'application/json', { 'cache-control': 'max-age=60' });
      } catch {
        send(res, 404, { message: 'User pool not found' }, 'application/json');
      }
      return;
    }
    send(res, 404, { message: 'Not found' }, 'application/json');
  };
}
