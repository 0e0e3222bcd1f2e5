/** Route matching as API Gateway HTTP APIs do it: `METHOD /path/{param}/{proxy+}`. */

/** One route of the protected API and the scopes its JWT authorizer requires (any of). */
export interface ApiRoute {
  method: string;
  path: string;
  /** Authorization scopes; the token needs at least one. Empty or unset: any valid token. */
  scopes?: readonly string[];
}

export interface RouteMatch {
  route: ApiRoute;
  routeKey: string;
  pathParameters: Record<string, string>;
}

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = segments(pattern);
  const got = segments(path);
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i += 1) {
    const part = want[i] as string;
    const greedy = /^\{([A-Za-z0-9_]+)\+\}$/.exec(part);
    if (greedy) {
      if (i >= got.length) return undefined;
      params[greedy[1] as string] = got.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const value = got[i];
    if (value === undefined) return undefined;
    const param = /^\{([A-Za-z0-9_]+)\}$/.exec(part);
    if (param) params[param[1] as string] = decodeURIComponent(value);
    else if (part !== value) return undefined;
  }
  return want.length === got.length ? params : undefined;
}

/**
 * The route for a request: exact paths win over parameterised ones, and a greedy
 * `{proxy+}` comes last (API Gateway's "most specific match").
 */
export function matchRoute(
  routes: readonly ApiRoute[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const specificity = (route: ApiRoute): number =>
    route.path.includes('+}') ? 2 : route.path.includes('{') ? 1 : 0;
  const ordered = [...routes].sort((a, b) => specificity(a) - specificity(b));
  for (const route of ordered) {
    const methodMatches =
      route.method.toUpperCase() === 'ANY' || route.method.toUpperCase() === method.toUpperCase();
    if (!methodMatches) continue;
    const pathParameters = matchPath(route.path, path);
    if (pathParameters) {
      return { route, routeKey: `${route.method.toUpperCase()} ${route.path}`, pathParameters };
    }
  }
  return undefined;
}
