import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerFromResult, buildHttpApiEvent, stringifyClaims } from '../../src/api/event.js';
import { matchRoute } from '../../src/api/routes.js';
import { formatAuditLine } from '../../src/live-view.js';

const ROUTES = [
  { method: 'GET', path: '/me', scopes: [] },
  { method: 'GET', path: '/reports/{id}', scopes: ['api/read'] },
  { method: 'POST', path: '/admin/{proxy+}', scopes: ['api/admin'] },
] as const;

describe('matchRoute', () => {
  it('matches exact, parameterised and greedy routes with their route key', () => {
    // Act
    const me = matchRoute(ROUTES, 'GET', '/me');
    const report = matchRoute(ROUTES, 'GET', '/reports/daily');
    const admin = matchRoute(ROUTES, 'POST', '/admin/users/42');

    // Assess
    expect(me?.routeKey).toBe('GET /me');
    expect(report?.pathParameters).toEqual({ id: 'daily' });
    expect(admin?.pathParameters).toEqual({ proxy: 'users/42' });
  });

  it('matches nothing for another method, a longer path, or a greedy route without a rest', () => {
    // Act + Assess
    expect(matchRoute(ROUTES, 'POST', '/me')).toBeUndefined();
    expect(matchRoute(ROUTES, 'GET', '/me/too')).toBeUndefined();
    expect(matchRoute(ROUTES, 'POST', '/admin')).toBeUndefined();
  });

  it('never throws on any path and only ever returns a route of the table', () => {
    fc.assert(
      fc.property(fc.constantFrom('GET', 'POST', 'PUT'), fc.string(), (method, path) => {
        const match = matchRoute(ROUTES, method, path);
        expect(match === undefined || ROUTES.includes(match.route as never)).toBe(true);
      }),
    );
  });
});

describe('stringifyClaims', () => {
  it('hands every claim over as a string, arrays as API Gateway does', () => {
    // Act
    const claims = stringifyClaims({ sub: 'u', exp: 1700000000, 'cognito:groups': ['a', 'b'] });

    // Assess
    expect(claims).toEqual({ sub: 'u', exp: '1700000000', 'cognito:groups': '[a b]' });
  });

  it('turns any JSON payload into string values only', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (payload) => {
        for (const value of Object.values(stringifyClaims(payload))) {
          expect(typeof value).toBe('string');
        }
      }),
    );
  });
});

describe('buildHttpApiEvent', () => {
  it('builds a payload-format-2.0 event with the authorizer claims and scopes', () => {
    // Act
    const event = buildHttpApiEvent(
      {
        method: 'GET',
        path: '/me',
        rawQueryString: 'a=1&a=2',
        headers: { host: 'localhost:4581', cookie: 'x=1; y=2', 'user-agent': 'test' },
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
      },
      {
        apiId: 'api1',
        domainName: 'localhost:4581',
        routeKey: 'GET /me',
        claims: { sub: 'u', scope: 'api/read' },
        scopes: ['api/read'],
        now: 0,
      },
    );

    // Assess
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /me',
      cookies: ['x=1', 'y=2'],
      queryStringParameters: { a: '1,2' },
      requestContext: {
        authorizer: { jwt: { claims: { sub: 'u', scope: 'api/read' }, scopes: ['api/read'] } },
        http: { method: 'GET', path: '/me', sourceIp: '127.0.0.1' },
        stage: '$default',
      },
      isBase64Encoded: false,
    });
  });
});

describe('answerFromResult', () => {
  it('uses a result with a statusCode as the HTTP answer', () => {
    // Act
    const answer = answerFromResult({ statusCode: 201, headers: { 'X-A': 1 }, body: 'ok' });

    // Assess
    expect(answer.status).toBe(201);
    expect(answer.headers).toEqual({ 'x-a': '1' });
    expect(answer.body.toString()).toBe('ok');
  });

  it('answers any other value as 200 JSON, as API Gateway infers it', () => {
    // Act
    const answer = answerFromResult({ hello: 'world' });

    // Assess
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ hello: 'world' });
  });

  it('never throws on any JSON-like handler result', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (result) => {
        const answer = answerFromResult(result);
        expect(Number.isInteger(answer.status)).toBe(true);
      }),
    );
  });
});

describe('formatAuditLine', () => {
  it('prints outcome, event, user and the facts that matter on one line', () => {
    // Act
    const line = formatAuditLine({
      time: Date.UTC(2026, 10, 23, 12, 0, 0),
      status: 'Failure',
      message: 'Sign-up denied by policy',
      user: { name: 'someone' },
      unmapped: { reason: 'disposable-domain', attempt: 2, maxAttempts: 3 },
    });

    // Assess
    expect(line).toMatch(
      /^12:00:00\.000 ✗ Sign-up denied by policy +someone +reason="disposable-domain" attempt=2\/3$/,
    );
    expect(line).not.toContain('\n');
  });
});
