import { describe, expect, it } from 'vitest';
import { API_SCOPES, hasRequiredScope, matchRoute, ROUTES, routeKey } from '../../src/index.js';

describe('the route table', () => {
  it('lists /me for any token, /reports for api/read, /admin for api/admin and the history routes for the security group', () => {
    expect(ROUTES.map((route) => [routeKey(route), route.scopes, route.security ?? false])).toEqual(
      [
        ['GET /me', [], false],
        ['GET /reports', [API_SCOPES.read], false],
        ['POST /admin/{proxy+}', [API_SCOPES.admin], false],
        ['GET /security/summary', [], true],
        ['GET /security/timeseries', [], true],
        ['GET /security/top/{dimension}', [], true],
        ['GET /security/events', [], true],
        ['GET /security/events/{uid}', [], true],
        ['GET /security/findings', [], true],
        ['GET /security/admin-changes', [], true],
      ],
    );
  });

  it('matches a greedy path parameter over several segments', () => {
    expect(matchRoute('POST', '/admin/users/disable')).toMatchObject({
      kind: 'route',
      route: { name: 'admin' },
      params: { proxy: 'users/disable' },
    });
  });

  it('needs at least one segment for a greedy parameter', () => {
    expect(matchRoute('POST', '/admin/').kind).toBe('not-found');
    expect(matchRoute('POST', '/admin').kind).toBe('not-found');
  });

  it('tells a wrong method (405, with the allowed ones) from an unknown path (404)', () => {
    expect(matchRoute('DELETE', '/me')).toEqual({ kind: 'method-not-allowed', allow: ['GET'] });
    expect(matchRoute('GET', '/nope')).toEqual({ kind: 'not-found' });
  });

  it('accepts a trailing slash and a lower-case method', () => {
    expect(matchRoute('get', '/reports/').kind).toBe('route');
  });

  it('does not treat a path as a pattern', () => {
    expect(matchRoute('GET', '/me.').kind).toBe('not-found');
    expect(matchRoute('GET', '/xme').kind).toBe('not-found');
  });

  it('grants a route when any of its scopes is held, or when it needs none', () => {
    expect(hasRequiredScope({ scopes: [] }, [])).toBe(true);
    expect(hasRequiredScope({ scopes: ['a', 'b'] }, ['b'])).toBe(true);
    expect(hasRequiredScope({ scopes: ['a'] }, ['ab'])).toBe(false);
  });
});
