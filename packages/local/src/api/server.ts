/**
 * The protected API, served locally with the semantics of an API Gateway HTTP API JWT
 * authorizer in front of the real protected-api handler:
 *
 * - no bearer token, or one that does not verify against the pool's issuer and JWKS
 *   (RS256 signature, `iss`, `exp`/`nbf`, audience = `aud` or else `client_id` among
 *   the configured clients) → 401 `{"message":"Unauthorized"}`;
 * - a valid token without any of the route's scopes → 403 `{"message":"Forbidden"}`;
 * - else the handler receives a payload-format-2.0 event with
 *   `requestContext.authorizer.jwt.{claims,scopes}`; its error → 500, its timeout → 503.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { loopbackJwksFetcher } from '../cognito/index.js';
import { answerFromResult, buildHttpApiEvent, type HttpAnswer } from './event.js';
import { type ApiRoute, matchRoute } from './routes.js';

/** How the API's integration failed: a handler error or a timeout. */
export class IntegrationError extends Error {
  constructor(
    readonly kind: 'error' | 'timeout' | 'invalid-response',
    message: string,
  ) {
    super(message);
    this.name = 'IntegrationError';
  }
}

export interface HttpApiOptions {
  /** The pool's issuer, `<endpoint>/<poolId>`. */
  issuer: string;
  /** The pool's JWKS URL (plain http locally). */
  jwksUri: string;
  /** Client ids the authorizer accepts (web and machine clients). */
  audiences: () => readonly string[];
  routes: readonly ApiRoute[];
  /** Runs the integration (the protected-api handler) on an event. */
  invoke(event: Record<string, unknown>): Promise<unknown>;
  apiId?: string;
  now?: () => number;
}

export interface HttpApiServer {
  readonly listener: Server;
  readonly url: string;
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

const UNAUTHORIZED = (description: string) =>
  json(
    401,
    { message: 'Unauthorized' },
    {
      'www-authenticate': `Bearer error="invalid_token" error_description="${description}"`,
    },
  );
const FORBIDDEN = json(403, { message: 'Forbidden' });
const NOT_FOUND = json(404, { message: 'Not Found' });

function scopesOf(payload: JwtPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.map(String);
  return [];
}

export function createHttpApiServer(options: HttpApiOptions): HttpApiServer {
  const now = options.now ?? Date.now;
  const apiId = options.apiId ?? 'localapi01';
  const verifier = JwtRsaVerifier.create(
    {
      issuer: options.issuer,
      jwksUri: options.jwksUri,
      // The authorizer's audience check: `aud` (ID tokens) or else `client_id` (access tokens).
      audience: null,
      customJwtCheck: ({ payload }) => {
        const audience = payload.aud ?? payload.client_id;
        const values = Array.isArray(audience) ? audience : [audience];
        if (!values.some((value) => options.audiences().includes(String(value)))) {
          throw new Error('the token is not for an accepted audience');
        }
      },
    },
    // aws-jwt-verify fetches over https only; the local pool serves its JWKS over http.
    { jwksCache: new SimpleJwksCache({ fetcher: loopbackJwksFetcher }) },
  );
  let url = '';

  const authorize = async (authorization: string | undefined): Promise<JwtPayload | HttpAnswer> => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return UNAUTHORIZED('no bearer token');
    try {
      return await verifier.verify(match[1] as string);
    } catch {
      // The reason is not told: the caller learns only that the token was refused.
      return UNAUTHORIZED('the token is not valid');
    }
  };

  const handle = async (req: IncomingMessage, body: Buffer): Promise<HttpAnswer> => {
    const target = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const matched = matchRoute(options.routes, method, target.pathname);
    if (!matched) return NOT_FOUND;
    const payload = await authorize(req.headers.authorization);
    if ('status' in payload && 'body' in payload) return payload as HttpAnswer;
    const claims = payload as JwtPayload;
    const scopes = scopesOf(claims);
    const required = matched.route.scopes ?? [];
    if (required.length > 0 && !required.some((scope) => scopes.includes(scope))) return FORBIDDEN;
    const event = buildHttpApiEvent(
      {
        method,
        path: target.pathname,
        rawQueryString: target.search.replace(/^\?/, ''),
        headers: req.headers,
        body,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      },
      {
        apiId,
        domainName: req.headers.host ?? 'localhost',
        routeKey: matched.routeKey,
        pathParameters: matched.pathParameters,
        claims: claims as Record<string, unknown>,
        scopes: scopes.length > 0 ? scopes : null,
        now: now(),
      },
    );
    try {
      return answerFromResult(await options.invoke(event));
    } catch (error) {
      if (error instanceof IntegrationError && error.kind === 'timeout') {
        return json(503, { message: 'Service Unavailable' });
      }
      return json(500, { message: 'Internal Server Error' });
    }
  };

  const listener = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks))
        .catch(() => json(500, { message: 'Internal Server Error' }))
        .then((answer) => {
          res.writeHead(answer.status, {
            ...answer.headers,
            'content-length': String(answer.body.length),
            'apigw-requestid': Math.random().toString(36).slice(2, 14),
          });
          res.end(answer.body);
        });
    });
  });

  return {
    listener,
    get url() {
      return url;
    },
    start(port = 0, host = '127.0.0.1') {
      return new Promise<string>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, host, () => {
          listener.off('error', reject);
          url = `http://${host}:${(listener.address() as AddressInfo).port}`;
          resolve(url);
        });
      });
    },
    stop() {
      return new Promise<void>((resolve) => {
        listener.closeAllConnections();
        listener.close(() => resolve());
      });
    },
  };
}
