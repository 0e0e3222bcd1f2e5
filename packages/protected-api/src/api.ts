/**
 * The API's logic: route, check the caller's scopes again (API Gateway's authorizer
 * enforces them; a route reached without them is a misconfiguration, refused here too),
 * answer in JSON. The raw token never leaves the request: only claim names and the
 * subject are logged, and the Authorization header is stripped from anything logged.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type ApiRoute, hasRequiredScope, matchRoute } from './routes.js';
import type { ApiEvent } from './schema.js';

export type ApiResult = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

/** What the handler logs for a request: names and the subject, never values of the token. */
export interface RequestLog {
  route?: string;
  method: string;
  path: string;
  status: number;
  sub?: string;
  clientId?: string;
  claimNames: string[];
  scopes: string[];
}

export interface ApiOutcome {
  result: ApiResult;
  log: RequestLog;
}

export interface ApiDeps {
  /** Epoch ms. */
  now(): number;
}

/** Headers never logged: credentials and session cookies. */
const SECRET_HEADERS = new Set([
  'authorization',
  'cookie',
  'x-amz-security-token',
  'proxy-authorization',
]);

/** The request's headers without credentials, for logging. */
export function loggableHeaders(
  headers: Record<string, string | undefined> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && !SECRET_HEADERS.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  body: JSON.stringify(body),
});

/**
 * The scopes of the token: the authorizer's list, else the `scope` claim (space-separated,
 * as Cognito writes it).
 */
export function grantedScopes(event: ApiEvent): string[] {
  const jwt = event.requestContext.authorizer?.jwt;
  if (jwt?.scopes && jwt.scopes.length > 0) return [...jwt.scopes];
  const claim = jwt?.claims?.scope;
  return typeof claim === 'string' ? claim.split(' ').filter((scope) => scope !== '') : [];
}

/**
 * Groups as the authorizer passes them: HTTP APIs flatten list claims to a string like
 * `[admins users]`; a real array is accepted too.
 */
export function groupsOf(claims: Record<string, unknown>): string[] {
  const raw = claims['cognito:groups'];
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string' || raw === '') return [];
  return raw
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter((group) => group !== '');
}

const DEMO_REPORTS = [
  { id: 'sign-ins-daily', title: 'Sign-ins per day' },
  { id: 'new-devices', title: 'Sign-ins from new devices' },
  { id: 'token-rules', title: 'Tokens by matched claims rule' },
];

function answer(
  route: ApiRoute,
  params: Record<string, string>,
  event: ApiEvent,
  claims: Record<string, unknown>,
  scopes: string[],
  deps: ApiDeps,
): ApiResult {
  switch (route.name) {
    case 'me':
      return json(200, {
        sub: claims.sub,
        username: claims.username ?? claims['cognito:username'],
        clientId: claims.client_id ?? claims.aud,
        tokenUse: claims.token_use,
        groups: groupsOf(claims),
        scopes,
        claims,
      });
    case 'reports':
      return json(200, {
        tenant: typeof claims.tenant === 'string' ? claims.tenant : null,
        reports: DEMO_REPORTS,
        generatedAt: new Date(deps.now()).toISOString(),
      });
    case 'admin': {
      let input: unknown = null;
      if (event.body !== undefined && event.body !== '') {
        const text = event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body;
        try {
          input = JSON.parse(text);
        } catch {
          return json(400, { message: 'Bad Request', detail: 'the body must be JSON' });
        }
      }
      return json(202, {
        accepted: true,
        action: params.proxy,
        by: claims.sub,
        receivedAt: new Date(deps.now()).toISOString(),
        input,
      });
    }
    default:
      return json(404, { message: 'Not Found' });
  }
}

/** Handles one request. Pure: the event and the clock decide the answer. */
export function handleApiRequest(event: ApiEvent, deps: ApiDeps): ApiOutcome {
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  const claims = (event.requestContext.authorizer?.jwt?.claims ?? {}) as Record<string, unknown>;
  const scopes = grantedScopes(event);
  const log: RequestLog = {
    method,
    path,
    status: 0,
    sub: typeof claims.sub === 'string' ? claims.sub : undefined,
    clientId: typeof claims.client_id === 'string' ? claims.client_id : undefined,
    claimNames: Object.keys(claims).sort(),
    scopes,
  };
  const done = (result: ApiResult): ApiOutcome => {
    log.status = result.statusCode;
    return { result, log };
  };
  const match = matchRoute(method, path);
  if (match.kind === 'not-found') return done(json(404, { message: 'Not Found' }));
  if (match.kind === 'method-not-allowed') {
    return done(json(405, { message: 'Method Not Allowed' }, { allow: match.allow.join(', ') }));
  }
  log.route = match.route.name;
  // Fail closed: without verified claims (no authorizer in front), nothing is served.
  if (log.sub === undefined) {
    return done(json(401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' }));
  }
  if (!hasRequiredScope(match.route, scopes)) {
    return done(
      json(
        403,
        { message: 'Forbidden', detail: `requires scope ${match.route.scopes.join(' or ')}` },
        {
          'www-authenticate': `Bearer error="insufficient_scope", scope="${match.route.scopes.join(' ')}"`,
        },
      ),
    );
  }
  return done(answer(match.route, match.params, event, claims, scopes, deps));
}
