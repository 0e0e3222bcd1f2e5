import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CallSignalHttpHandler,
  sdkClientConfig,
  sendWithSignal,
  signalForDeadline,
  withCallSignals,
} from '../../src/index.js';

describe('sdkClientConfig', () => {
  it('gives every client a request timeout, two attempts and the middleware cache', () => {
    const config = sdkClientConfig();
    expect(config.maxAttempts).toBe(2);
    expect(config.cacheMiddleware).toBe(true);
    expect(config.requestHandler).toBeInstanceOf(NodeHttpHandler);
    expect(config.requestHandler).toBeInstanceOf(CallSignalHttpHandler);
  });

  it('takes the caller’s attempts', () => {
    expect(sdkClientConfig({ maxAttempts: 1, requestTimeoutMs: 300 }).maxAttempts).toBe(1);
  });
});

describe('signalForDeadline', () => {
  it('is not aborted before the deadline', () => {
    expect(signalForDeadline(10_000, 0).aborted).toBe(false);
  });

  it('fires at once, not never, when the deadline has passed', async () => {
    const signal = signalForDeadline(0, 5_000);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(signal.aborted).toBe(true);
  });
});

/** An endpoint that takes requests and never answers; `arrived` resolves on each. */
async function silentEndpoint() {
  const waiting: ((request: IncomingMessage) => void)[] = [];
  const server: Server = createServer((request) => {
    request.resume();
    waiting.shift()?.(request);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrived: () => new Promise<IncomingMessage>((resolve) => waiting.push(resolve)),
  };
}

const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function ses(endpoint: string, config = sdkClientConfig({ requestTimeoutMs: 60_000 })) {
  return new SESClient({
    ...config,
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  });
}

const email = () =>
  new SendEmailCommand({
    Source: 'a@example.com',
    Destination: { ToAddresses: ['b@example.com'] },
    Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
  });

/** Sends, waits for the request to reach the endpoint, aborts, returns the rejection. */
async function abortedCall(client: object, endpoint: { arrived: () => Promise<IncomingMessage> }) {
  const controller = new AbortController();
  const arrived = endpoint.arrived();
  const call = sendWithSignal(client, email(), controller.signal).catch((error: Error) => error);
  const request = await arrived;
  const closed = new Promise((resolve) => request.socket.once('close', resolve));
  controller.abort();
  const error = await call;
  await closed;
  return error;
}

describe('sendWithSignal', () => {
  it('aborts a call through the request handler, keeping the middleware cache', async () => {
    const endpoint = await silentEndpoint();
    const client = withCallSignals(ses(endpoint.url));
    const resolve = vi.spyOn(SendEmailCommand.prototype, 'resolveMiddleware');

    const errors = [
      await abortedCall(client, endpoint),
      await abortedCall(client, endpoint),
      await abortedCall(client, endpoint),
    ];

    // The endpoint never answered: each call ended because its signal fired.
    expect(errors.map((error) => (error as Error).name)).toEqual([
      'AbortError',
      'AbortError',
      'AbortError',
    ]);
    // One middleware chain for three calls: the cache was used.
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('falls back to send options for a client whose handler cannot carry signals', async () => {
    const endpoint = await silentEndpoint();
    const plain = { ...sdkClientConfig(), requestHandler: new NodeHttpHandler() };
    const client = withCallSignals(ses(endpoint.url, plain));
    const resolve = vi.spyOn(SendEmailCommand.prototype, 'resolveMiddleware');

    const error = await abortedCall(client, endpoint);

    expect((error as Error).name).toBe('AbortError');
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(client.middlewareStack.identify().join('\n')).not.toContain('authwatchCallSignal');
  });

  it('falls back to send options for a client that has already sent (its chain is cached)', async () => {
    const endpoint = await silentEndpoint();
    const client = ses(endpoint.url);
    const first = endpoint.arrived();
    client.send(email()).catch(() => undefined);
    await first;

    withCallSignals(client);
    const error = await abortedCall(client, endpoint);

    expect((error as Error).name).toBe('AbortError');
  });
});
