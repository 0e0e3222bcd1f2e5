/**
 * Benchmark of the post authentication trigger, in-process, 10,000 calls per row:
 *
 * 1. The handler's own work (the `defineTrigger` wrapper, the logon audit event handed
 *    to an in-memory sink, and for a new device the mail rendered and handed to a stub
 *    SES client), and the pure plan alone. Target: p99 ≤ 0.3 ms.
 * 2. The full handler with audit going to a Firehose-compatible HTTP responder on
 *    loopback, through the real auditor (`auditorFromEnv`) and SDK client.
 *
 * Run: `pnpm bench` (in this package). Prints figures; asserts nothing.
 */
import { header, prepareTriggerBench, time } from '@authwatch/testing/bench';

const firehose = await prepareTriggerBench();

const { auditorFromEnv, createAuditor, createMemorySink } = await import('@authwatch/audit');
const { PostAuthenticationEventSchema, parseEvent } = await import('@authwatch/kit');
const { createLambdaContext, getTestEvent } = await import('@authwatch/testing');
const { SESClient } = await import('@aws-sdk/client-ses');
const { createPostAuthHandler } = await import('../src/app.js');
const { loadConfig, POST_AUTH_ENV } = await import('../src/config.js');
const { planPostAuth } = await import('../src/post-auth.js');

const RUNS = 10_000;
const TARGET_MS = 0.3;
const config = loadConfig({
  [POST_AUTH_ENV.mailFrom]: 'Security <security@example.com>',
  [POST_AUTH_ENV.appName]: 'Example',
});
const sink = createMemorySink();
const quiet = { addMetric: () => 0 };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
// No SES request: a client whose send resolves at once.
const ses = new SESClient({ region: 'us-east-1' });
ses.send = (async () => ({ MessageId: 'bench' })) as unknown as typeof ses.send;
const context = createLambdaContext({ timeoutMs: 10 * 60_000 });
const own = createPostAuthHandler({
  config,
  auditor: createAuditor({ sinks: [sink], metrics: quiet }),
  ses,
  metrics: quiet,
  logger: silent,
});
const full = createPostAuthHandler({
  config,
  auditor: auditorFromEnv({ metrics: quiet }),
  ses,
  metrics: quiet,
  logger: silent,
});

const known = getTestEvent('post-auth/authentication');
const newDevice = getTestEvent('post-auth/new-device-with-metadata');
const parsed = parseEvent('PostAuthentication', PostAuthenticationEventSchema, newDevice);

await header(
  'Post authentication: latency per invocation, in-process',
  `${RUNS} calls per row, target p99 ≤ ${TARGET_MS} ms for the handler's own work`,
);
await time('plan alone, new device (audit event + rendered mail)', RUNS, () =>
  planPostAuth(parsed, config, Date.now()),
);
await time(
  'handler own work: known device, memory audit sink',
  RUNS,
  () => {
    sink.clear();
    return own(structuredClone(known), context);
  },
  TARGET_MS,
);
await time(
  'handler own work: new device, mail to stub SES',
  RUNS,
  () => {
    sink.clear();
    return own(structuredClone(newDevice), context);
  },
  TARGET_MS,
);
await time('full handler: known device, audit to Firehose over HTTP', RUNS, () =>
  full(structuredClone(known), context),
);
await firehose.close();
