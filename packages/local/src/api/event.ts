/**
 * API Gateway HTTP API (payload format 2.0) shapes: the event a Lambda integration
 * receives and how its answer is turned into an HTTP response.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface ApiRequest {
  method: string;
  path: string;
  rawQueryString: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  sourceIp: string;
}

/**
 * JWT claims as the authorizer hands them to the integration: every value a string,
 * arrays as `[a b]` (what API Gateway does with `cognito:groups`).
 */
export function stringifyClaims(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (typeof value === 'string') claims[key] = value;
    else if (Array.isArray(value)) {
      // An item may be an object whose toString is not a function: JSON for those.
      claims[key] =
        `[${value.map((item) => (typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item))).join(' ')}]`;
    } else if (value !== null && typeof value === 'object') claims[key] = JSON.stringify(value);
    else claims[key] = String(value);
  }
  return claims;
}

function headerMap(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === 'cookie') continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

function queryParameters(raw: string): Record<string, string> | undefined {
  if (raw === '') return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return out;
}

function isText(contentType: string | undefined): boolean {
  return (
    contentType === undefined ||
    /^(text\/|application\/(json|xml|x-www-form-urlencoded|[a-z.+-]*\+json))/i.test(contentType)
  );
}

export interface EventOptions {
  apiId: string;
  domainName: string;
  routeKey: string;
  pathParameters?: Record<string, string>;
  claims: Record<string, unknown>;
  scopes: string[] | null;
  now: number;
}

/** The payload-format-2.0 event of one request. */
export function buildHttpApiEvent(
  request: ApiRequest,
  options: EventOptions,
): Record<string, unknown> {
  const cookies = request.headers.cookie?.split(/;\s*/).filter(Boolean);
  const text = isText(request.headers['content-type']);
  const time = new Date(options.now);
  return {
    version: '2.0',
    routeKey: options.routeKey,
    rawPath: request.path,
    rawQueryString: request.rawQueryString,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers: headerMap(request.headers),
    ...(queryParameters(request.rawQueryString)
      ? { queryStringParameters: queryParameters(request.rawQueryString) }
      : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: options.apiId,
      authorizer: {
        jwt: { claims: stringifyClaims(options.claims), scopes: options.scopes },
      },
      domainName: options.domainName,
      domainPrefix: options.domainName.split('.')[0] ?? options.domainName,
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: options.routeKey,
      stage: '$default',
      time: time.toUTCString(),
      timeEpoch: options.now,
    },
    ...(options.pathParameters && Object.keys(options.pathParameters).length > 0
      ? { pathParameters: options.pathParameters }
      : {}),
    ...(request.body.length > 0
      ? {
          body: text ? request.body.toString('utf8') : request.body.toString('base64'),
          isBase64Encoded: !text,
        }
      : { isBase64Encoded: false }),
  };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * What API Gateway sends back for a Lambda's answer (format 2.0): a result with a
 * `statusCode` is used as is; any other JSON value is a 200 with it as JSON body.
 */
export function answerFromResult(result: unknown): HttpAnswer {
  if (
    typeof result === 'object' &&
    result !== null &&
    typeof (result as { statusCode?: unknown }).statusCode === 'number'
  ) {
    const shaped = result as {
      statusCode: number;
      headers?: Record<string, unknown>;
      body?: unknown;
      isBase64Encoded?: boolean;
      cookies?: string[];
    };
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(shaped.headers ?? {})) {
      headers[name.toLowerCase()] = String(value);
    }
    const body =
      typeof shaped.body === 'string'
        ? Buffer.from(shaped.body, shaped.isBase64Encoded ? 'base64' : 'utf8')
        : Buffer.alloc(0);
    if (shaped.cookies && shaped.cookies.length > 0)
      headers['set-cookie'] = shaped.cookies.join(', ');
    return { status: shaped.statusCode, headers, body };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(body, 'utf8'),
  };
}
