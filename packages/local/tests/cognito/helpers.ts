/** Shared set-up for the emulator tests: a real HTTP listener and a real SDK client. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  type CognitoEmulator,
  type CognitoEmulatorOptions,
  createCognitoEmulator,
  type Mailer,
  type TriggerInvoker,
  type TriggerName,
} from '../../src/cognito/index.js';

export const REGION = 'eu-west-1';
export const PASSWORD = 'Correct-Horse-9';

type Handler = (event: Record<string, unknown>) => unknown;

/** A TriggerInvoker that runs in-process handlers and records every event it sees. */
export class FakeTriggers implements TriggerInvoker {
  readonly calls: { name: TriggerName; event: Record<string, unknown>; version?: string }[] = [];
  constructor(public handlers: Partial<Record<TriggerName, Handler>> = {}) {}
  has(_pool: string, name: TriggerName): boolean {
    return this.handlers[name] !== undefined;
  }
  async invoke(
    _pool: string,
    name: TriggerName,
    event: Record<string, unknown>,
    opts: { version?: string },
  ): Promise<Record<string, unknown>> {
    const copy = structuredClone(event);
    this.calls.push({ name, event: copy, ...(opts.version ? { version: opts.version } : {}) });
    const handler = this.handlers[name] as Handler;
    const result = await handler(structuredClone(event));
    return result as Record<string, unknown>;
  }
  names(): string[] {
    return this.calls.map((call) => call.name);
  }
  last(name: TriggerName): Record<string, unknown> {
    const found = [...this.calls].reverse().find((call) => call.name === name);
    if (!found) throw new Error(`trigger ${name} was not invoked`);
    return found.event;
  }
}

export class MemoryMailer implements Mailer {
  readonly sent: { to: string; subject: string; text: string }[] = [];
  async send(to: string, subject: string, text: string): Promise<void> {
    this.sent.push({ to, subject, text });
  }
  lastCode(): string {
    const text = this.sent.at(-1)?.text ?? '';
    const match = /(\d{6})/.exec(text);
    if (!match) throw new Error('no code mailed');
    return match[1] as string;
  }
}

export interface Harness {
  emulator: CognitoEmulator;
  server: Server;
  endpoint: string;
  client: CognitoIdentityProviderClient;
  triggers: FakeTriggers;
  mailer: MemoryMailer;
  close(): Promise<void>;
}

/** Starts an emulator on an ephemeral loopback port. */
export async function startHarness(
  options: Partial<CognitoEmulatorOptions> & {
    handlers?: ConstructorParameters<typeof FakeTriggers>[0];
  } = {},
): Promise<Harness> {
  const triggers = new FakeTriggers(options.handlers ?? {});
  const mailer = new MemoryMailer();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const emulator = createCognitoEmulator({
    region: REGION,
    baseUrl: endpoint,
    triggers,
    mailer,
    ...options,
  });
  server.on('request', emulator.listener);
  const client = new CognitoIdentityProviderClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    emulator,
    server,
    endpoint,
    client,
    triggers,
    mailer,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Decodes a JWT payload (tests only). */
export function claims(token: string | undefined): Record<string, unknown> {
  const part = (token ?? '').split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** Captures the error an SDK call rejects with. */
export async function failure(
  promise: Promise<unknown>,
): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}
