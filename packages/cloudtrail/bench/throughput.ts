/**
 * Benchmark of the CloudTrail consumer, in-process:
 *
 * 1. Records per second through the real handler (SQS batch → parse → map → GeoIP →
 *    audit events to an in-memory sink), batches of 10 (the SQS default) and 1,000
 *    (with a batching window), failed sign-ins from 5,000 distinct IPs. Target ≥
 *    20,000 records/s with GeoIP.
 * 2. GeoIP's cost per event: a lookup of a new IP (the memo missed) and of a repeated
 *    one, in the default country database.
 *
 * Run: `pnpm bench` (in this package). Prints figures; asserts nothing.
 */
import { createAuditor, createMemorySink } from '@authwatch/audit';
import { createLambdaContext, getTestEvent } from '@authwatch/testing';
import { createCloudTrailHandler } from '../src/app.js';
import { defaultCountryDb } from '../src/config.js';
import { NO_GEOIP, openGeoIp } from '../src/geoip.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AFTER_RESPONSE ??= 'inline';

const IPS = 5_000;
const template = getTestEvent<{ detail: Record<string, unknown> }>(
  'cloudtrail/initiate-auth-wrong-password',
);
const ips = Array.from(
  { length: IPS },
  (_, i) => `${(i % 200) + 20}.${(i * 7) % 256}.${(i * 13) % 256}.${i % 250}`,
);
const bodies = ips.map((ip, i) => {
  const event = structuredClone(template);
  event.detail.sourceIPAddress = ip;
  event.detail.eventID = `bench-${i}`;
  return JSON.stringify(event);
});

function batchOf(size: number, offset: number) {
  return {
    Records: Array.from({ length: size }, (_, i) => ({
      messageId: `m-${offset + i}`,
      body: bodies[(offset + i) % bodies.length] as string,
    })),
  };
}

const context = createLambdaContext({ timeoutMs: 15 * 60_000 });
const countryDb = defaultCountryDb() as string;

/** A sink that takes the events and keeps a count: the handler's own work, no copy. */
function countingSink() {
  let count = 0;
  return {
    name: 'count',
    durable: true,
    clear: () => {
      count = 0;
    },
    get count() {
      return count;
    },
    send: async (events: readonly unknown[]) => {
      count += events.length;
      return { failed: [] };
    },
  };
}

async function rate(
  label: string,
  withGeo: boolean,
  batchSize: number,
  total: number,
  memory = false,
) {
  const sink = memory ? createMemorySink() : countingSink();
  const handler = createCloudTrailHandler({
    config: { clientIds: [] },
    auditor: createAuditor({ sinks: [sink], metrics: { addMetric: () => 0 } }),
    geo: withGeo ? openGeoIp({ countryDb }) : NO_GEOIP,
    takeUndelivered: () => [],
    logger: { info: () => undefined },
    metrics: { addMetric: () => 0 },
  });
  // Warm up.
  for (let i = 0; i < 20; i++) await handler(batchOf(batchSize, i * batchSize), context);
  const started = process.hrtime.bigint();
  for (let done = 0; done < total; done += batchSize) {
    sink.clear();
    await handler(batchOf(batchSize, done), context);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perSecond = Math.round(total / seconds);
  // The target is the handler's own work; the memory sink's copies are shown for reference.
  const mark = withGeo && !memory ? (perSecond >= 20_000 ? ' ✓' : ' ✗') : '';
  console.log(`${label.padEnd(58)} ${perSecond.toLocaleString('en').padStart(9)} records/s${mark}`);
}

console.log('CloudTrail consumer: throughput in-process');
console.log(
  `Node ${process.version}, load average ${(await import('node:os'))
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}; target ≥ 20,000 records/s with GeoIP`,
);
console.log('─'.repeat(100));
await rate('handler, batches of 10, GeoIP (country DB)', true, 10, 100_000);
await rate('handler, batches of 1,000, GeoIP (country DB)', true, 1_000, 100_000);
await rate('handler, batches of 1,000, GeoIP off', false, 1_000, 100_000);
await rate('handler, batches of 1,000, GeoIP, memory sink (copies)', true, 1_000, 50_000, true);

// GeoIP cost per lookup.
const geoFresh = () => openGeoIp({ countryDb });
const many = Array.from(
  { length: 200_000 },
  (_, i) => `${(i % 220) + 1}.${(i >> 8) % 256}.${i % 256}.${(i * 31) % 256}`,
);
let geo = geoFresh();
let started = process.hrtime.bigint();
for (const ip of many.slice(0, 9_000)) geo.lookup(ip); // within the memo's bound: all misses
const missNs = Number(process.hrtime.bigint() - started) / 9_000;
started = process.hrtime.bigint();
for (let round = 0; round < 20; round++) for (const ip of many.slice(0, 9_000)) geo.lookup(ip);
const hitNs = Number(process.hrtime.bigint() - started) / (20 * 9_000);
geo = geoFresh();
console.log(
  `${'GeoIP lookup, new IP (database read)'.padEnd(58)} ${(missNs / 1000).toFixed(2).padStart(9)} µs/event`,
);
console.log(
  `${'GeoIP lookup, repeated IP (memo)'.padEnd(58)} ${(hitNs / 1000).toFixed(2).padStart(9)} µs/event`,
);
