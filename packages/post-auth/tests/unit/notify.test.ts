import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  beforeDeadline,
  DeadlineError,
  POST_AUTH_METRICS,
  sendNewDeviceMail,
} from '../../src/notify.js';

const ses = mockClient(SESClient);
const MAIL = {
  from: 'security@example.com',
  to: 'user.one@example.com',
  subject: 'New sign-in',
  text: 'text',
  html: '<p>html</p>',
};
const FACTS = { userPoolId: 'us-east-1_EXAMPLE1a', clientId: 'client' };

function deps() {
  const metrics: string[] = [];
  const logs: unknown[] = [];
  const log = (message: string, data?: unknown) => logs.push({ message, data });
  return {
    metrics,
    logs,
    deps: {
      ses: new SESClient({ region: 'us-east-1' }),
      metrics: { addMetric: (name: string) => metrics.push(name) },
      logger: { info: log, warn: log, error: log },
    },
  };
}

beforeEach(() => {
  ses.reset();
});

describe('sendNewDeviceMail', () => {
  it('returns true and counts a sent mail', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const { deps: d, metrics } = deps();
    expect(await sendNewDeviceMail(MAIL, FACTS, Date.now() + 1_000, d)).toBe(true);
    expect(metrics).toEqual([POST_AUTH_METRICS.mailSent]);
  });

  it('returns false instead of throwing, even when reporting fails too', async () => {
    ses.on(SendEmailCommand).rejects(new Error('Throttling'));
    const throwing = {
      ses: new SESClient({ region: 'us-east-1' }),
      metrics: {
        addMetric: () => {
          throw new Error('metrics broken');
        },
      },
      logger: {
        info: () => undefined,
        warn: () => undefined,
        error: () => {
          throw new Error('logger broken');
        },
      },
    };
    expect(await sendNewDeviceMail(MAIL, FACTS, Date.now() + 1_000, throwing)).toBe(false);
  });

  it('gives up at a deadline already passed', async () => {
    ses.on(SendEmailCommand).callsFake(() => new Promise(() => undefined));
    const { deps: d, metrics } = deps();
    expect(await sendNewDeviceMail(MAIL, FACTS, Date.now() - 1, d)).toBe(false);
    expect(metrics).toEqual([POST_AUTH_METRICS.mailFailed]);
  });
});

describe('beforeDeadline', () => {
  it('passes a result that comes in time through', async () => {
    await expect(beforeDeadline(Promise.resolve(7), Date.now() + 1_000)).resolves.toBe(7);
  });

  it('rejects with a DeadlineError when the work is late', async () => {
    await expect(
      beforeDeadline(new Promise(() => undefined), Date.now() + 5),
    ).rejects.toBeInstanceOf(DeadlineError);
  });
});
