import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLambdaContext, getTestEvent } from '@authwatch/testing';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AFTER_RESPONSE_MODES,
  AFTER_RESPONSE_SETTLED,
  AfterResponse,
  afterResponseModeFromEnv,
  ConfigError,
  defineTrigger,
  EXTENSION_NAME,
  PostAuthenticationEventSchema,
} from '../../src/index.js';

/** A handler whose after-response work resolves when the test says so. */
function handlerWith(tracker: AfterResponse) {
  const steps: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const handler = defineTrigger({
    name: 'PostAuthentication',
    schema: PostAuthenticationEventSchema,
    afterResponse: tracker,
    handle: (_event, ctx) => {
      ctx.afterResponse(async () => {
        steps.push('work started');
        await gate;
        steps.push('work done');
      });
      steps.push('handled');
      return {};
    },
  });
  return { handler, steps, release };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('afterResponseModeFromEnv', () => {
  it('defaults to the extension in Lambda and to inline elsewhere', () => {
    expect(afterResponseModeFromEnv({ AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' })).toBe(
      'extension',
    );
    expect(afterResponseModeFromEnv({})).toBe('inline');
    expect(afterResponseModeFromEnv({ AFTER_RESPONSE: ' host ' })).toBe('host');
    expect(
      afterResponseModeFromEnv({ AFTER_RESPONSE: 'inline', AWS_LAMBDA_RUNTIME_API: 'x:1' }),
    ).toBe('inline');
  });

  it('refuses the extension where Lambda’s Runtime API is missing', () => {
    expect(() => afterResponseModeFromEnv({ AFTER_RESPONSE: 'extension' })).toThrow(
      /AFTER_RESPONSE.*AWS_LAMBDA_RUNTIME_API/,
    );
  });

  it('names the variable for any value outside the three modes (property)', () => {
    fc.assert(
      fc.property(
        fc.string().filter((value) => {
          const trimmed = value.trim();
          return trimmed !== '' && !(AFTER_RESPONSE_MODES as readonly string[]).includes(trimmed);
        }),
        (value) => {
          let error: unknown;
          try {
            afterResponseModeFromEnv({ AFTER_RESPONSE: value });
          } catch (caught) {
            error = caught;
          }
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message).toContain('AFTER_RESPONSE');
        },
      ),
    );
  });
});

describe('after-response work', () => {
  it('inline: the handler answers once its work is done', async () => {
    const tracker = new AfterResponse();
    await tracker.start({ env: {} });
    const { handler, steps, release } = handlerWith(tracker);
    const answered = handler(getTestEvent('post-auth/authentication'), createLambdaContext());
    await tick();
    expect(steps).toEqual(['handled', 'work started']);
    release();
    await answered;
    expect(steps).toEqual(['handled', 'work started', 'work done']);
  });

  it('host: the handler answers first and the host waits for the work', async () => {
    const tracker = new AfterResponse();
    await tracker.start({ env: { AFTER_RESPONSE: 'host' } });
    const { handler, steps, release } = handlerWith(tracker);
    await handler(getTestEvent('post-auth/authentication'), createLambdaContext());
    // Answered before the work even started: it starts on the next turn of the loop.
    expect(steps).toEqual(['handled']);
    let settled = false;
    const waiting = handler[AFTER_RESPONSE_SETTLED]().then(() => {
      settled = true;
    });
    await tick();
    expect(steps).toEqual(['handled', 'work started']);
    expect(settled).toBe(false);
    release();
    await waiting;
    expect(steps).toEqual(['handled', 'work started', 'work done']);
  });

  it('a failing piece of work neither fails the invocation nor stops the others', async () => {
    const tracker = new AfterResponse();
    await tracker.start({ env: { AFTER_RESPONSE: 'host' } });
    const done: string[] = [];
    const handler = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      afterResponse: tracker,
      handle: (_event, ctx) => {
        ctx.afterResponse(() => {
          throw new Error('synchronous failure');
        });
        ctx.afterResponse(async () => {
          done.push('second');
        });
        return {};
      },
    });
    await expect(
      handler(getTestEvent('post-auth/authentication'), createLambdaContext()),
    ).resolves.toMatchObject({ response: {} });
    await handler[AFTER_RESPONSE_SETTLED]();
    expect(done).toEqual(['second']);
  });
});

/** A stand-in for Lambda's Extensions API: register, then `next` answered on demand. */
async function fakeExtensionsApi(options: { registerStatus?: number } = {}) {
  const registrations: { headers: IncomingMessage['headers']; body: string }[] = [];
  const nextCalls: IncomingMessage['headers'][] = [];
  let waitingNext: ServerResponse | undefined;
  let nextArrived: (() => void) | undefined;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/2020-01-01/extension/register') {
        registrations.push({ headers: req.headers, body });
        const status = options.registerStatus ?? 200;
        res.writeHead(status, status === 200 ? { 'Lambda-Extension-Identifier': 'ext-1' } : {});
        res.end(JSON.stringify({ functionName: 'post-auth' }));
        return;
      }
      if (req.method === 'GET' && req.url === '/2020-01-01/extension/event/next') {
        nextCalls.push(req.headers);
        waitingNext = res;
        nextArrived?.();
        return;
      }
      res.writeHead(404).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    api: `127.0.0.1:${port}`,
    registrations,
    nextCalls,
    /** Resolves once the extension has `count` next calls open or answered. */
    async nextCount(count: number) {
      while (nextCalls.length < count) {
        await new Promise<void>((resolve) => {
          nextArrived = resolve;
        });
      }
    },
    invoke(requestId: string) {
      const res = waitingNext;
      waitingNext = undefined;
      res?.writeHead(200, { 'Content-Type': 'application/json' });
      res?.end(
        JSON.stringify({
          eventType: 'INVOKE',
          requestId,
          deadlineMs: Date.now() + 10_000,
          invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:post-auth',
        }),
      );
    },
    close() {
      waitingNext?.end();
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('the internal Lambda extension', () => {
  let close: (() => void) | undefined;
  let tracker: AfterResponse;
  afterEach(() => {
    tracker.stop();
    close?.();
  });

  it('registers for INVOKE and asks for the next event only once the work has settled', async () => {
    const api = await fakeExtensionsApi();
    close = api.close;
    tracker = new AfterResponse();
    const mode = await tracker.start({ env: { AWS_LAMBDA_RUNTIME_API: api.api } });
    expect(mode).toBe('extension');
    expect(api.registrations).toHaveLength(1);
    expect(api.registrations[0]?.headers['lambda-extension-name']).toBe(EXTENSION_NAME);
    expect(JSON.parse(api.registrations[0]?.body ?? '')).toEqual({ events: ['INVOKE'] });
    await api.nextCount(1);
    expect(api.nextCalls[0]?.['lambda-extension-identifier']).toBe('ext-1');

    // Lambda tells the extension and the runtime about the invocation at once.
    const context = createLambdaContext();
    api.invoke(context.awsRequestId);
    const { handler, steps, release } = handlerWith(tracker);
    await handler(getTestEvent('post-auth/authentication'), context);
    expect(steps).toEqual(['handled']);
    await tick();
    // The environment must not freeze yet: the work is still running.
    expect(steps).toEqual(['handled', 'work started']);
    expect(api.nextCalls).toHaveLength(1);
    release();
    await api.nextCount(2);
    expect(steps).toEqual(['handled', 'work started', 'work done']);
  });

  it('releases an invocation without work at once', async () => {
    const api = await fakeExtensionsApi();
    close = api.close;
    tracker = new AfterResponse();
    await tracker.start({ env: { AWS_LAMBDA_RUNTIME_API: api.api } });
    await api.nextCount(1);
    const handler = defineTrigger({
      name: 'PostAuthentication',
      schema: PostAuthenticationEventSchema,
      afterResponse: tracker,
      handle: () => ({}),
    });
    const context = createLambdaContext();
    api.invoke(context.awsRequestId);
    await handler(getTestEvent('post-auth/authentication'), context);
    await api.nextCount(2);
    expect(api.nextCalls).toHaveLength(2);
  });

  it('falls back to inline, with a warning, when registration is refused', async () => {
    const api = await fakeExtensionsApi({ registerStatus: 403 });
    close = api.close;
    const warnings: string[] = [];
    const tracker = new AfterResponse();
    const mode = await tracker.start({
      env: { AWS_LAMBDA_RUNTIME_API: api.api },
      log: { warn: (message, extra) => warnings.push(`${message} ${JSON.stringify(extra)}`) },
    });
    expect(mode).toBe('inline');
    expect(tracker.mode).toBe('inline');
    expect(warnings).toEqual([expect.stringMatching(/not registered.*403/)]);
    const { handler, steps, release } = handlerWith(tracker);
    const answered = handler(getTestEvent('post-auth/authentication'), createLambdaContext());
    await tick();
    release();
    await answered;
    expect(steps).toEqual(['handled', 'work started', 'work done']);
  });
});
