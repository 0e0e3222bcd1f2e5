import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  type AuditSourceEvent,
  auditContextFromEvent,
  challengeFailed,
  logonSucceeded,
  signUpAllowed,
} from '@authwatch/audit';
import { sdkClientConfig } from '@authwatch/kit';
import { getTestEvent } from '@authwatch/testing';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import {
  createFirehoseServer,
  type FirehoseServerOptions,
  readDeliveredRecords,
} from '../../src/firehose/index.js';

export const STREAM = 'authwatch-audit';

/** A real SDK client pointed at the fake, SDK retries off as in production. */
export function firehoseClient(endpoint: string, requestTimeoutMs = 5_000): FirehoseClient {
  return new FirehoseClient({
    ...sdkClientConfig({ requestTimeoutMs, maxAttempts: 1 }),
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
}

export async function startFake(options: Partial<FirehoseServerOptions> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'authwatch-firehose-'));
  const fake = createFirehoseServer({ dir, streams: [STREAM], ...options });
  const url = await fake.start();
  return {
    fake,
    dir,
    url,
    /** Flushes the fake's buffer, then reads every record on disk. */
    async records(): Promise<unknown[]> {
      await fake.flush();
      return readDeliveredRecords(dir);
    },
    async close() {
      await fake.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Returns the values one after the other, then `rest` forever. */
export function scripted(values: number[], rest = 0.999): () => number {
  let index = 0;
  return () => (index < values.length ? (values[index++] as number) : rest);
}

const ctx = auditContextFromEvent(
  getTestEvent<AuditSourceEvent>('post-auth/new-device'),
  1_795_000_000_000,
);

/** `count` distinct events of mixed kinds. */
export function someEvents(count: number): AuditEvent[] {
  return Array.from({ length: count }, (_unused, index) => {
    switch (index % 3) {
      case 0:
        return logonSucceeded(ctx, { newDevice: index % 2 === 0 });
      case 1:
        return challengeFailed(ctx, { mode: 'email-otp', attempt: 1, maxAttempts: 3 });
      default:
        return signUpAllowed(ctx, { autoConfirmed: false });
    }
  });
}

export function idsOf(records: unknown[]): string[] {
  return records.map((record) => (record as AuditEvent).metadata.uid);
}
