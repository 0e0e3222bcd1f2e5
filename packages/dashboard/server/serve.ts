/**
 * The page served locally: the bundled files and a `config.json`, with the security
 * headers CloudFront sends in AWS. Cognito and the protected API are reached through
 * this same origin (`/local/cognito`, `/local/api/...`), as the local emulators send no
 * CORS headers; in AWS the page calls Cognito and the API directly (both answer CORS).
 */
import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PageConfig } from '../src/config.js';
import { buildPage, type PageFile } from './build.js';
import { originOf, securityHeaders } from './headers.js';

export const LOCAL_COGNITO_PATH = '/local/cognito';
export const LOCAL_API_PATH = '/local/api';

export interface DashboardServerOptions {
  /** The local Cognito endpoint and API the proxies forward to. */
  cognitoUrl: string;
  apiUrl: string;
  /** The live feed's `ws://…/event/realtime` and its `http://host:port`. */
  liveFeedWsUrl: string;
  liveFeedHttpUrl: string;
  region: string;
  userPoolId: string;
  clientId: string;
  securityGroup: string;
  /** Already built files (tests and benchmarks build once). */
  files?: PageFile[];
}

export interface DashboardServer {
  readonly url: string;
  readonly config: PageConfig;
  start(port?: number, host?: string): Promise<string>;
  stop(): Promise<void>;
}

/** The page's config.json for the local stack. */
export function localPageConfig(options: DashboardServerOptions): PageConfig {
  return {
    region: options.region,
    userPoolId: options.userPoolId,
    clientId: options.clientId,
    cognitoEndpoint: LOCAL_COGNITO_PATH,
    apiUrl: LOCAL_API_PATH,
    liveFeed: {
      httpHost: new URL(options.liveFeedHttpUrl).host,
      realtimeUrl: options.liveFeedWsUrl,
      channels: { signIn: '/auth/sign-in', detections: '/auth/detections' },
      auth: 'cognito',
    },
    securityGroup: options.securityGroup,
    signIn: ['password', 'email-code'],
  };
}

/** Forwards a request to another local server, answer streamed back as is. */
function forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'x-amz-target', 'authorization', 'accept']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstream = request(target, { method: req.method, headers, timeout: 35_000 }, (answer) => {
    const out: Record<string, string> = { 'cache-control': 'no-store' };
    for (const name of ['content-type', 'www-authenticate', 'allow']) {
      const value = answer.headers[name];
      if (typeof value === 'string') out[name] = value;
    }
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
  });
  upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Bad Gateway' }));
  });
  req.pipe(upstream);
}

export function createDashboardServer(options: DashboardServerOptions): DashboardServer {
  const config = localPageConfig(options);
  const headers = securityHeaders({ connect: [originOf(options.liveFeedWsUrl)] });
  let files: Map<string, PageFile> | undefined;
  let loading: Promise<Map<string, PageFile>> | undefined;
  const load = () => {
    loading ??= (options.files ? Promise.resolve(options.files) : buildPage()).then((built) => {
      files = new Map(built.map((file) => [file.name, file]));
      return files;
    });
    return loading;
  };
  let url = '';

  const listener = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const search = new URL(req.url ?? '/', 'http://localhost').search;
    if (path === LOCAL_COGNITO_PATH || path === `${LOCAL_COGNITO_PATH}/`) {
      forward(req, res, new URL(options.cognitoUrl));
      return;
    }
    if (path.startsWith(`${LOCAL_API_PATH}/`)) {
      forward(req, res, new URL(`${path.slice(LOCAL_API_PATH.length)}${search}`, options.apiUrl));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...headers }).end();
      return;
    }
    void load()
      .then((page) => {
        if (path === '/config.json') {
          res.writeHead(200, {
            'content-type': 'application/json',
            'cache-control': 'no-store',
            ...headers,
          });
          res.end(JSON.stringify(config));
          return;
        }
        const file = page.get(path === '/' ? 'index.html' : path.slice(1));
        if (!file) {
          res.writeHead(404, { 'content-type': 'text/plain', ...headers }).end('Not found');
          return;
        }
        res.writeHead(200, {
          'content-type': file.contentType,
          'content-length': String(file.body.length),
          'cache-control': 'no-cache',
          ...headers,
        });
        res.end(req.method === 'HEAD' ? undefined : file.body);
      })
      .catch((error: Error) => {
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`The page could not be built: ${error.message}`);
      });
  });

  return {
    config,
    get url() {
      return url;
    },
    async start(port = 0, host = '127.0.0.1') {
      // Bundling starts now, in parallel with the rest of the stack's start.
      void load().catch(() => undefined);
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, host, () => {
          listener.off('error', reject);
          resolve();
        });
      });
      url = `http://${host}:${(listener.address() as AddressInfo).port}`;
      return url;
    },
    stop() {
      return new Promise<void>((resolve) => {
        listener.closeAllConnections();
        listener.close(() => resolve());
      });
    },
  };
}

export type { Server };
