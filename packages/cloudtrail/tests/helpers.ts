import {
  type AuditEvent,
  createAuditor,
  createMemorySink,
  type MemorySink,
} from '@authwatch/audit';
import { createLambdaContext, getTestEvent } from '@authwatch/testing';
import { createCloudTrailHandler } from '../src/app.js';
import type { CloudTrailConfig } from '../src/config.js';
import { defaultCountryDb } from '../src/config.js';
import { type GeoIp, openGeoIp } from '../src/geoip.js';

export const NOW = Date.UTC(2026, 10, 23, 21, 41);
export const CLIENT = '1example23456789abcdefghij';
export const POOL = 'us-east-1_EXAMPLE1a';

/** An EventBridge event wrapping a CloudTrail record, from `testing/events/cloudtrail/`. */
export type TrailEvent = Record<string, unknown> & { detail: Record<string, unknown> };

export function trailEvent(
  name: string,
  change: (detail: Record<string, unknown>) => void = () => undefined,
): TrailEvent {
  const event = getTestEvent<TrailEvent>(`cloudtrail/${name}`);
  change(event.detail);
  return event;
}

/** An SQS event as Lambda's event source mapping delivers it (AWS Lambda guide shape). */
export function sqsEvent(bodies: (string | object)[]) {
  return {
    Records: bodies.map((body, index) => ({
      messageId: `059f36b4-87a3-44ab-83d2-66197537${String(index).padStart(4, '0')}`,
      receiptHandle: `AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a${index}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1795002000000',
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: '1795002000001',
      },
      messageAttributes: {},
      md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:authwatch-dev-cloudtrail',
      awsRegion: 'us-east-1',
    })),
  };
}

export const CONFIG: CloudTrailConfig = { userPoolId: POOL, clientIds: [CLIENT] };

let geo: GeoIp | undefined;
/** The default country database (DB-IP Lite, the version package.json pins). */
export function countryGeo(): GeoIp {
  geo ??= openGeoIp({ countryDb: defaultCountryDb() as string });
  return geo;
}

export interface Harness {
  handler: ReturnType<typeof createCloudTrailHandler>;
  sink: MemorySink;
  logs: { message: string; data: unknown }[];
  events(): AuditEvent[];
}

/** The real handler over an in-memory sink; `failing` makes the sink refuse every event. */
export function harness(options: { failing?: boolean; config?: CloudTrailConfig } = {}): Harness {
  const sink = createMemorySink();
  const undelivered = new Set<string>();
  const logs: Harness['logs'] = [];
  const sinks = options.failing
    ? [
        {
          name: 'firehose',
          durable: true,
          send: async (events: readonly AuditEvent[]) => ({
            failed: [...events],
            reason: 'throttled',
          }),
        },
      ]
    : [sink];
  const handler = createCloudTrailHandler({
    config: options.config ?? CONFIG,
    auditor: createAuditor({
      sinks,
      metrics: { addMetric: () => 0 },
      now: () => NOW,
      fallback: (events) => {
        for (const event of events) undelivered.add(event.metadata.uid);
      },
    }),
    geo: countryGeo(),
    takeUndelivered: () => {
      const ids = [...undelivered];
      undelivered.clear();
      return ids;
    },
    logger: { info: (message, data) => logs.push({ message, data }) },
    metrics: { addMetric: () => 0 },
    now: () => NOW,
  });
  return { handler, sink, logs, events: () => sink.events };
}

export function context() {
  return createLambdaContext({ timeoutMs: 30_000, now: () => NOW });
}
