import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { LAZY_MAIL_PARSING, latestMailTo, startSesEmulator } from '../../src/ses.js';

const SES_THREAD = new URL('../../src/ses-thread.js', import.meta.url);

async function sendAndRead(url: string): Promise<string | undefined> {
  const ses = new SESClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ses.send(
    new SendEmailCommand({
      Source: 'no-reply@example.com',
      Destination: { ToAddresses: ['reader@example.com'] },
      Message: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'a body' } } },
    }),
  );
  ses.destroy();
  return (await latestMailTo(url, 'reader@example.com'))?.subject;
}

describe('the SES emulator', () => {
  it('starts in its own thread and keeps what SendEmail sends', async () => {
    // Act
    const ses = await startSesEmulator(0);
    const subject = await sendAndRead(ses.url).finally(() => ses.stop());

    // Assess
    expect(subject).toBe('Hello');
  });

  it('starts from the package when a thread started early cannot load its bundle', async () => {
    // Prepare: what the launcher starts, pointed at a bundle that is not there
    const early = new Worker(SES_THREAD, {
      workerData: { module: new URL('./no-such-bundle.mjs', import.meta.url).href },
    });

    // Act
    const ses = await startSesEmulator(0, '127.0.0.1', early);
    const subject = await sendAndRead(ses.url).finally(() => ses.stop());

    // Assess
    expect(subject).toBe('Hello');
  });

  it('still parses raw mail (SendRawEmail), whose parser now loads on first use', async () => {
    // Prepare
    const raw = [
      'From: no-reply@example.com',
      'To: raw-reader@example.com',
      'Subject: Raw hello',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'a raw body',
    ].join('\r\n');
    const ses = await startSesEmulator(0);
    const client = new SESClient({
      endpoint: ses.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

    // Act
    await client.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } }));
    const mail = await latestMailTo(ses.url, 'raw-reader@example.com').finally(async () => {
      client.destroy();
      await ses.stop();
    });

    // Assess
    expect(mail?.subject).toBe('Raw hello');
  });
});

describe('the lazy mail parsing rewrite', () => {
  it('finds the lines it changes in the installed aws-ses-v2-local', () => {
    // Prepare
    const dist = dirname(createRequire(import.meta.url).resolve('aws-ses-v2-local'));
    const files = ['index.js', 'v1/sendRawEmail.js', 'v2/sendEmail.js'].map((file) =>
      join(dist, file),
    );

    // Act
    const changed = files.map((file) => {
      const text = readFileSync(file, 'utf8');
      return LAZY_MAIL_PARSING.file.test(file) && LAZY_MAIL_PARSING.rewrite(text) !== text;
    });

    // Assess: a release that moved these lines would silently load everything at start
    expect(changed).toEqual([true, true, true]);
  });
});
