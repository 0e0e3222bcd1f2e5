import { type AuditSink, createAuditor, createMemorySink, type MemorySink } from '@authwatch/audit';
import { lazy } from '@authwatch/kit';
import { createLambdaContext } from '@authwatch/testing';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPostAuthHandler } from '../../src/app.js';
import { POST_AUTH_ENV } from '../../src/config.js';
import { MAIL_FALLBACK_MARKER, POST_AUTH_METRICS } from '../../src/notify.js';
import { config, NOW, rawEvent } from '../helpers.js';

const ses = mockClient(SESClient);

interface Harness {
  handler: ReturnType<typeof createPostAuthHandler>;
  sink: MemorySink;
  metrics: string[];
  logs: { level: string; message: string; data: unknown }[];
  fallback: unknown[];
}

function harness(env: Record<string, string> = {}, sinks?: AuditSink[]): Harness {
  const sink = createMemorySink();
  const metrics: string[] = [];
  const logs: Harness['logs'] = [];
  const fallback: unknown[] = [];
  const record = (level: string) => (message: string, data?: unknown) => {
    logs.push({ level, message, data });
  };
  const handler = createPostAuthHandler({
    config: config(env),
    auditor: createAuditor({
      sinks: sinks ?? [sink],
      fallback: (events) => fallback.push(...events),
      metrics: { addMetric: (name) => metrics.push(name) },
      now: () => NOW,
    }),
    ses: new SESClient({ region: 'us-east-1' }),
    metrics: { addMetric: (name) => metrics.push(name) },
    logger: { info: record('info'), warn: record('warn'), error: record('error') },
    now: () => NOW,
  });
  return { handler, sink, metrics, logs, fallback };
}

/** A Lambda context on the same fixed clock as the handler (deadline NOW + timeout - 250 ms). */
function context(timeoutMs = 5_000) {
  return createLambdaContext({ timeoutMs, now: () => NOW });
}

beforeEach(() => {
  ses.reset();
});

describe('post authentication handler', () => {
  it('builds its SES client on the first new-device mail only', async () => {
    // Prepare: the client as the Lambda entry gives it, built on first use
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    let builds = 0;
    const handler = createPostAuthHandler({
      config: config(),
      auditor: createAuditor({ sinks: [createMemorySink()], now: () => NOW }),
      ses: lazy(() => {
        builds += 1;
        return new SESClient({ region: 'us-east-1' });
      }),
      metrics: { addMetric: () => undefined },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      now: () => NOW,
    });
    // Act
    await handler(rawEvent('authentication'), context());
    const beforeNewDevice = builds;
    await handler(rawEvent('new-device'), context());
    await handler(rawEvent('new-device'), context());
    // Assess
    expect(beforeNewDevice).toBe(0);
    expect(builds).toBe(1);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2);
  });

  it('returns the event unchanged with an empty response and records the logon', async () => {
    // Prepare
    const { handler, sink } = harness();
    const event = rawEvent('authentication');
    // Act
    const result = await handler(structuredClone(event), context());
    // Assess
    expect(result).toEqual({ ...event, response: {} });
    expect(sink.events.map((e) => e.metadata.log_name)).toEqual(['logon-succeeded']);
    expect(sink.events[0]).toMatchObject({
      is_new_logon: false,
      unmapped: { clientId: '1example23456789abcdefghij' },
    });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('sends the rendered new-device mail through SES', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
    const { handler, sink, metrics, logs } = harness({
      [POST_AUTH_ENV.configurationSet]: 'authwatch',
    });
    // Act
    await handler(rawEvent('new-device-with-metadata'), context());
    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Source: 'Example Security <security@example.com>',
      Destination: { ToAddresses: ['user.one@example.com'] },
      ConfigurationSetName: 'authwatch',
      Message: {
        Subject: { Data: 'New sign-in to your Example account', Charset: 'UTF-8' },
        Body: {
          Text: { Data: expect.stringContaining('IP address: 198.51.100.7') },
          Html: { Data: expect.stringContaining('<td>2026-11-23 21:42 UTC</td>') },
        },
      },
    });
    expect(sink.events[0]).toMatchObject({ is_new_logon: true, is_mfa: true });
    expect(metrics).toContain(POST_AUTH_METRICS.mailSent);
    expect(JSON.stringify(logs)).not.toContain('user.one@example.com');
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'new-device mail sent',
        data: expect.objectContaining({ to: 'u***@example.com' }),
      }),
    );
  });

  it('does not fail the sign-in when SES fails: it logs masked, counts and records a fallback', async () => {
    // Prepare
    ses
      .on(SendEmailCommand)
      .rejects(new Error('MessageRejected: Email address is not verified: user.one@example.com'));
    const { handler, sink, metrics, logs } = harness();
    // Act
    const result = await handler(rawEvent('new-device'), context());
    // Assess
    expect(result).toMatchObject({ response: {} });
    expect(sink.events).toHaveLength(1);
    expect(metrics).toContain(POST_AUTH_METRICS.mailFailed);
    const fallback = logs.find((log) => log.message === 'new-device mail not sent');
    expect(fallback?.level).toBe('error');
    expect(fallback?.data).toEqual({
      [MAIL_FALLBACK_MARKER]: {
        kind: 'new-device-mail',
        time: '2026-11-23T21:42:00.000Z',
        userPoolId: 'us-east-1_EXAMPLE1a',
        userSub: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
        clientId: '1example23456789abcdefghij',
        to: 'u***@example.com',
        reason: expect.stringContaining('MessageRejected'),
      },
    });
    expect(JSON.stringify(logs)).not.toContain('user.one@example.com');
  });

  it('does not wait past the deadline for a slow SES', async () => {
    // Prepare: SES never answers; the context leaves 50 ms before the deadline.
    ses.on(SendEmailCommand).callsFake(() => new Promise(() => undefined));
    const { handler, sink, metrics, logs } = harness();
    const clock = Date.now();
    const slowContext = createLambdaContext({ timeoutMs: 300, now: () => clock });
    // Act
    const result = await handler(rawEvent('new-device'), slowContext);
    // Assess
    expect(result).toMatchObject({ response: {} });
    expect(metrics).toContain(POST_AUTH_METRICS.mailFailed);
    expect(JSON.stringify(logs)).toContain('DeadlineError');
    expect(sink.events).toHaveLength(1);
  });

  it('does not fail the sign-in when the audit sink fails', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'msg-2' });
    const broken: AuditSink = {
      name: 'broken',
      durable: true,
      send: async () => {
        throw new Error('Firehose unavailable');
      },
    };
    const { handler, fallback } = harness({}, [broken]);
    // Act
    const result = await handler(rawEvent('new-device'), context());
    // Assess
    expect(result).toMatchObject({ response: {} });
    expect(fallback).toHaveLength(1);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('sends nothing to an unverified address and says why', async () => {
    const { handler, logs } = harness();
    await handler(rawEvent('new-device-unverified-email'), context());
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(logs).toContainEqual(expect.objectContaining({ data: { reason: 'no-verified-email' } }));
  });

  it('sends nothing when the mail is off', async () => {
    const { handler } = harness({ [POST_AUTH_ENV.newDeviceMail]: 'false' });
    await handler(rawEvent('new-device'), context());
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('handler module', () => {
  it('builds its config, auditor and SES client at import and answers a sign-in', async () => {
    const saved = { ...process.env };
    process.env.AUDIT_ENABLED = 'false';
    process.env.AWS_REGION = 'us-east-1';
    process.env[POST_AUTH_ENV.mailFrom] = 'noreply@example.com';
    try {
      const { handler } = await import('../../src/handler.js');
      const result = (await handler(rawEvent('authentication'), createLambdaContext())) as {
        response: unknown;
      };
      expect(result.response).toEqual({});
    } finally {
      process.env = saved;
    }
  });
});
