/**
 * The API's logic: route, check the caller's scopes again (API Gateway's authorizer
 * enforces them; a route reached without them is a misconfiguration, refused here too),
 * answer in JSON. The raw token never leaves the request: only claim names and the
 * subject are logged, and the Authorization header is stripped from anything logged.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { answerHistory, type HistoryRouteName } from './history/answer.js';
import type { HistoryEngine } from './history/engine.js';
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
  /** Why a history query failed (the engine's message; the caller sees a generic 502). */
  error?: string;
}

export interface ApiOutcome {
  result: ApiResult;
  log: RequestLog;
}

export interface ApiDeps {
  /** Epoch ms. */
  now(): number;
}

/** What the history routes need besides the clock. */
export interface HistoryDeps extends ApiDeps {
  /** The query engine; unset, the history routes answer 503. */
  history?: HistoryEngine;
  /** The group whose members may call them (default `security`). */
  securityGroup?: string;
}

/** The default security group, as the config's `audit.liveFeed.subscriberGroup`. */
export const DEFAULT_SECURITY_GROUP = 'security';

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

type Prechecked =
  | { done: ApiOutcome }
  | {
      done?: undefined;
      route: ApiRoute;
      params: Record<string, string>;
      claims: Record<string, unknown>;
      scopes: string[];
      finish(result: ApiResult): ApiOutcome;
    };

/** Routing, claims and scopes: what every request goes through before its answer. */
function precheck(event: ApiEvent): Prechecked {
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
  const finish = (result: ApiResult): ApiOutcome => {
    log.status = result.statusCode;
    return { result, log };
  };
  const match = matchRoute(method, path);
  if (match.kind === 'not-found') return { done: finish(json(404, { message: 'Not Found' })) };
  if (match.kind === 'method-not-allowed') {
    return {
      done: finish(json(405, { message: 'Method Not Allowed' }, { allow: match.allow.join(', ') })),
    };
  }
  log.route = match.route.name;
  // Fail closed: without verified claims (no authorizer in front), nothing is served.
  if (log.sub === undefined) {
    return {
      done: finish(json(401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' })),
    };
  }
  if (!hasRequiredScope(match.route, scopes)) {
    return {
      done: finish(
        json(
          403,
          { message: 'Forbidden', detail: `requires scope ${match.route.scopes.join(' or ')}` },
          {
            'www-authenticate': `Bearer error="insufficient_scope", scope="${match.route.scopes.join(' ')}"`,
          },
        ),
      ),
    };
  }
  return { route: match.route, params: match.params, claims, scopes, finish };
}

/**
 * Handles one request of the synchronous routes. Pure: the event and the clock decide
 * the answer. A history route reached here is a 503 (use {@link handleApiRequestAsync}).
 */
export function handleApiRequest(event: ApiEvent, deps: ApiDeps): ApiOutcome {
  const checked = precheck(event);
  if (checked.done) return checked.done;
  if (checked.route.security) {
    return checked.finish(
      json(503, { message: 'Service Unavailable', detail: 'no history engine' }),
    );
  }
  return checked.finish(
    answer(checked.route, checked.params, event, checked.claims, checked.scopes, deps),
  );
}

/**
 * Handles one request of any route: the history routes check the caller's group, then
 * run their query on the engine.
 */
export async function handleApiRequestAsync(
  event: ApiEvent,
  deps: HistoryDeps,
): Promise<ApiOutcome> {
  const checked = precheck(event);
  if (checked.done) return checked.done;
  const { route, claims, scopes, params } = checked;
  if (!route.security) return checked.finish(answer(route, params, event, claims, scopes, deps));
  const group = deps.securityGroup ?? DEFAULT_SECURITY_GROUP;
  if (!groupsOf(claims).includes(group)) {
    return checked.finish(
      json(403, { message: 'Forbidden', detail: `requires membership of the group ${group}` }),
    );
  }
  if (!deps.history) {
    return checked.finish(
      json(503, { message: 'Service Unavailable', detail: 'no history engine' }),
    );
  }
  try {
    const answered = await answerHistory(
      {
        route: route.name as HistoryRouteName,
        pathParams: params,
        query: event.queryStringParameters,
        now: deps.now(),
      },
      deps.history,
    );
    return checked.finish(json(answered.status, answered.body));
  } catch (error) {
    const outcome = checked.finish(
      json(502, { message: 'Bad Gateway', detail: 'the history query failed' }),
    );
    outcome.log.error = (error as Error).message;
    return outcome;
  }
}
