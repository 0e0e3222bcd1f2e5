import { describe, expect, it } from 'vitest';
import { grantedScopes, groupsOf, handleApiRequest, loggableHeaders } from '../../src/index.js';
import { apiEvent, deps } from '../helpers.js';

const body = (result: { body: string }) => JSON.parse(result.body);

describe('GET /me', () => {
  it("returns the caller's claims, groups and scopes", () => {
    const { result } = handleApiRequest(apiEvent('me'), deps);

    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    expect(body(result)).toMatchObject({
      sub: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      clientId: '1example23456789abcdefghij',
      tokenUse: 'access',
      groups: ['users'],
      scopes: ['openid', 'email', 'api/read'],
      claims: { tenant: 'tenant-42' },
    });
  });

  it('never returns or logs the raw token', () => {
    const event = apiEvent('me');
    const token = event.headers.authorization!.slice('Bearer '.length);

    const { result, log } = handleApiRequest(event, deps);

    expect(result.body).not.toContain(token);
    expect(JSON.stringify(log)).not.toContain(token);
    expect(log).toMatchObject({
      route: 'me',
      status: 200,
      sub: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    });
    expect(log.claimNames).toContain('tenant');
  });

  it('refuses a request that reached it without verified claims (fail closed)', () => {
    const { result } = handleApiRequest(
      apiEvent('me', (raw) => {
        delete raw.requestContext.authorizer;
      }),
      deps,
    );

    expect(result.statusCode).toBe(401);
    expect(result.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('GET /reports', () => {
  it('serves a caller with api/read, with the tenant claim', () => {
    const { result } = handleApiRequest(apiEvent('reports'), deps);

    expect(result.statusCode).toBe(200);
    expect(body(result)).toMatchObject({
      tenant: 'tenant-42',
      generatedAt: '2026-11-23T12:00:00.000Z',
    });
  });

  it('double-checks the scope and answers 403 without api/read', () => {
    const { result } = handleApiRequest(apiEvent('reports-without-scope'), deps);

    expect(result.statusCode).toBe(403);
    expect(result.headers['www-authenticate']).toContain('insufficient_scope');
    expect(body(result).detail).toBe('requires scope api/read');
  });

  it('serves a machine client holding api/read', () => {
    const { result, log } = handleApiRequest(apiEvent('reports-machine-client'), deps);

    expect(result.statusCode).toBe(200);
    expect(log.clientId).toBe('2machine3456789abcdefghijk');
  });

  it('reads scopes from the scope claim when the authorizer gives no list', () => {
    const event = apiEvent('reports', (raw) => {
      raw.requestContext.authorizer!.jwt.scopes = null;
    });

    expect(grantedScopes(event)).toEqual(['openid', 'email', 'api/read']);
    expect(handleApiRequest(event, deps).result.statusCode).toBe(200);
  });
});

describe('POST /admin/{proxy+}', () => {
  it('accepts an admin call with its JSON body and action path', () => {
    const { result } = handleApiRequest(apiEvent('admin'), deps);

    expect(result.statusCode).toBe(202);
    expect(body(result)).toMatchObject({
      accepted: true,
      action: 'users/disable',
      input: { userName: 'user.one' },
    });
  });

  it('decodes a base64 body', () => {
    const event = apiEvent('admin', (raw) => {
      raw.isBase64Encoded = true;
      raw.body = Buffer.from('{"a":1}').toString('base64');
    });

    expect(body(handleApiRequest(event, deps).result).input).toEqual({ a: 1 });
  });

  it('answers 400 to a body that is not JSON', () => {
    const event = apiEvent('admin', (raw) => {
      raw.body = 'not json';
    });

    expect(handleApiRequest(event, deps).result.statusCode).toBe(400);
  });

  it('answers 403 to a user without api/admin', () => {
    const event = apiEvent('admin', (raw) => {
      raw.requestContext.authorizer!.jwt.scopes = ['api/read'];
    });

    expect(handleApiRequest(event, deps).result.statusCode).toBe(403);
  });
});

describe('unknown routes', () => {
  it('answers 404 in JSON', () => {
    const { result } = handleApiRequest(apiEvent('not-found'), deps);

    expect(result.statusCode).toBe(404);
    expect(body(result)).toEqual({ message: 'Not Found' });
  });

  it('answers 405 with Allow to a wrong method', () => {
    const { result } = handleApiRequest(apiEvent('method-not-allowed'), deps);

    expect(result.statusCode).toBe(405);
    expect(result.headers.allow).toBe('GET');
  });
});

describe('claims and headers helpers', () => {
  it('reads groups flattened by the authorizer or as a list', () => {
    expect(groupsOf({ 'cognito:groups': '[users admins]' })).toEqual(['users', 'admins']);
    expect(groupsOf({ 'cognito:groups': ['a'] })).toEqual(['a']);
    expect(groupsOf({})).toEqual([]);
  });

  it('strips credentials from headers before logging', () => {
    expect(
      loggableHeaders({ Authorization: 'Bearer x', cookie: 'c', 'user-agent': 'curl' }),
    ).toEqual({ 'user-agent': 'curl' });
  });
});
