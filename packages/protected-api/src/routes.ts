/**
 * The API's routes and the scope each one needs: one table that the handler, the CDK
 * construct (HTTP API routes with authorizationScopes) and the local stack's authorizer
 * emulation all read, so what is enforced is what is deployed.
 */

/** The resource server's scopes the API knows. */
export const API_SCOPES = {
  /** Read reports. */
  read: 'api/read',
  /** Call the admin endpoints. */
  admin: 'api/admin',
} as const;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRoute {
  /** Short name used in logs. */
  name: string;
  method: HttpMethod;
  /** API Gateway route path, e.g. `/admin/{proxy+}`. */
  path: string;
  /**
   * Scopes the access token must carry (any one of them, as API Gateway's
   * authorizationScopes); empty means any valid access token.
   */
  scopes: readonly string[];
  /**
   * Only members of the security group may call it (the group is the config's
   * `audit.liveFeed.subscriberGroup`, handed to the Lambda as SECURITY_GROUP): the JWT
   * authorizer verifies the token, the handler checks `cognito:groups`.
   */
  security?: true;
}

/** Every route of the API. */
export const ROUTES: readonly ApiRoute[] = [
  { name: 'me', method: 'GET', path: '/me', scopes: [] },
  { name: 'reports', method: 'GET', path: '/reports', scopes: [API_SCOPES.read] },
  { name: 'admin', method: 'POST', path: '/admin/{proxy+}', scopes: [API_SCOPES.admin] },
  // The dashboard's history routes (packages/dashboard): security group only.
  {
    name: 'security-summary',
    method: 'GET',
    path: '/security/summary',
    scopes: [],
    security: true,
  },
  {
    name: 'security-timeseries',
    method: 'GET',
    path: '/security/timeseries',
    scopes: [],
    security: true,
  },
  {
    name: 'security-top',
    method: 'GET',
    path: '/security/top/{dimension}',
    scopes: [],
    security: true,
  },
  { name: 'security-events', method: 'GET', path: '/security/events', scopes: [], security: true },
  {
    name: 'security-event',
    method: 'GET',
    path: '/security/events/{uid}',
    scopes: [],
    security: true,
  },
  {
    name: 'security-findings',
    method: 'GET',
    path: '/security/findings',
    scopes: [],
    security: true,
  },
  {
    name: 'security-admin-changes',
    method: 'GET',
    path: '/security/admin-changes',
    scopes: [],
    security: true,
  },
];

/** API Gateway's route key of a route, e.g. `GET /me`. */
export const routeKey = (route: Pick<ApiRoute, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

interface CompiledRoute {
  route: ApiRoute;
  regex: RegExp;
  params: string[];
}

// `{name}` matches one segment, `{name+}` the rest of the path (one segment at least).
function compile(route: ApiRoute): CompiledRoute {
  const params: string[] = [];
  const pattern = route.path
    .split('/')
    .map((segment) => {
      const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(segment);
      if (greedy) {
        params.push(greedy[1]!);
        return '(.+)';
      }
      const single = /^\{([A-Za-z0-9_]+)\}$/.exec(segment);
      if (single) {
        params.push(single[1]!);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, regex: new RegExp(`^${pattern}/?$`), params };
}

const COMPILED = ROUTES.map(compile);

export type RouteMatch =
  | { kind: 'route'; route: ApiRoute; params: Record<string, string> }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: HttpMethod[] };

/** Finds the route of a method and path, or says why there is none (404 or 405). */
export function matchRoute(method: string, path: string): RouteMatch {
  const allow: HttpMethod[] = [];
  for (const { route, regex, params } of COMPILED) {
    const found = regex.exec(path);
    if (!found) continue;
    if (route.method !== method.toUpperCase()) {
      allow.push(route.method);
      continue;
    }
    const values: Record<string, string> = {};
    params.forEach((name, index) => {
      values[name] = found[index + 1] ?? '';
    });
    return { kind: 'route', route, params: values };
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}

/** Whether granted scopes satisfy a route (any one of its scopes; none needed if it lists none). */
export function hasRequiredScope(
  route: Pick<ApiRoute, 'scopes'>,
  granted: readonly string[],
): boolean {
  return route.scopes.length === 0 || route.scopes.some((scope) => granted.includes(scope));
}
