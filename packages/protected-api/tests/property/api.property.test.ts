import { getTestEvent } from '@authwatch/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApiEventSchema,
  handleApiRequest,
  hasRequiredScope,
  matchRoute,
  ROUTES,
} from '../../src/index.js';
import { deps, type RawEvent } from '../helpers.js';

const method = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');
const path = fc.oneof(
  fc.constantFrom('/me', '/reports', '/admin/x', '/admin/a/b', '/admin', '/', '/me/', '/REPORTS'),
  fc.string({ maxLength: 20 }).map((s) => `/${s}`),
);
const scopes = fc.array(fc.constantFrom('openid', 'api/read', 'api/admin', 'api/write', 'email'), {
  maxLength: 4,
});

describe('random requests', () => {
  it('always get a JSON answer, and a 2xx only with the scope the route needs', () => {
    fc.assert(
      fc.property(
        method,
        path,
        scopes,
        fc.option(fc.string({ maxLength: 30 })),
        fc.boolean(),
        (m, p, granted, body, withSub) => {
          const raw = getTestEvent<RawEvent>('protected-api/me');
          const ctx = raw.requestContext as unknown as {
            http: { method: string; path: string };
            authorizer: { jwt: { claims: Record<string, unknown>; scopes: string[] } };
          };
          ctx.http.method = m;
          ctx.http.path = p;
          (raw as Record<string, unknown>).rawPath = p;
          ctx.authorizer.jwt.scopes = granted;
          ctx.authorizer.jwt.claims.scope = granted.join(' ');
          if (!withSub) delete ctx.authorizer.jwt.claims.sub;
          if (body !== null) (raw as Record<string, unknown>).body = body;
          const parsed = ApiEventSchema.safeParse(raw);
          if (!parsed.success) return;

          const { result } = handleApiRequest(parsed.data, deps);

          expect(() => JSON.parse(result.body)).not.toThrow();
          if (result.statusCode < 300) {
            const match = matchRoute(m, p);
            expect(match.kind).toBe('route');
            if (match.kind === 'route') expect(hasRequiredScope(match.route, granted)).toBe(true);
            expect(withSub).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reach a route only by its exact method and path shape', () => {
    fc.assert(
      fc.property(method, path, (m, p) => {
        const match = matchRoute(m, p);
        if (match.kind === 'route') expect(ROUTES).toContain(match.route);
      }),
    );
  });
});
