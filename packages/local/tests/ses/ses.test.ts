import { Worker } from 'node:worker_threads';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { latestMailTo, startSesEmulator } from '../../src/ses.js';

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
});
