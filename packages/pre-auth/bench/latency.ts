/**
 * Benchmark of the pre authentication trigger, in-process, 10,000 calls per row:
 * the handler's own work (the `defineTrigger` wrapper, the policy, the keyed hash and
 * the attempt's audit event handed to an in-memory sink), with and without a client
 * restriction (the group lookup answered by a stub), and the pure plan alone.
 * Target: p99 ≤ 0.3 ms per invocation, as the other triggers.
 *
 * Run: `pnpm bench` (in this package). Prints figures; asserts nothing.
 */
import { header, prepareTriggerBench, time } from '@authwatch/testing/bench';

const firehose = await prepareTriggerBench();

const { createAuditor, createMemorySink } = await import('@authwatch/audit');
const { PreAuthenticationEventSchema, parseEvent } = await import('@authwatch/kit');
const { createLambdaContext, getTestEvent } = await import('@authwatch/testing');
const { createPreAuthHandler } = await import('../src/app.js');
const { loadConfig, PRE_AUTH_ENV } = await import('../src/config.js');
const { planPreAuth } = await import('../src/policy.js');

const RUNS = 10_000;
const TARGET_MS = 0.3;
const env = {
  [PRE_AUTH_ENV.userHashKey]: 'bench-hash-key-0123456789',
  [PRE_AUTH_ENV.lock]: 'true',
};
const plain = loadConfig(env);
const restricted = loadConfig({
  ...env,
  [PRE_AUTH_ENV.clientRules]: '[{"groups":["admins"],"clients":["9admin0123456789abcdefghij"]}]',
});
const sink = createMemorySink();
const quiet = { addMetric: () => 0 };
const groups = { groupsOf: async () => ['readers'] };
const context = createLambdaContext({ timeoutMs: 10 * 60_000 });
const auditor = createAuditor({ sinks: [sink], metrics: quiet });
const own = createPreAuthHandler({ config: plain, auditor, groups });
const withRules = createPreAuthHandler({ config: restricted, auditor, groups });

const known = getTestEvent('pre-auth/authentication');
const unknown = getTestEvent('pre-auth/user-not-found');
const parsed = parseEvent('PreAuthentication', PreAuthenticationEventSchema, known);

await header(
  'Pre authentication: latency per invocation, in-process',
  `${RUNS} calls per row, target p99 ≤ ${TARGET_MS} ms for the handler's own work`,
);
await time('plan alone (policy, hash, audit event)', RUNS, () =>
  planPreAuth(parsed, plain, Date.now(), []),
);
for (const [label, handler, event] of [
  ['handler: known user, lock on, memory audit sink', own, known],
  ['handler: unknown user, lock on, memory audit sink', own, unknown],
  ['handler: known user, client rule, stub group lookup', withRules, known],
] as const) {
  await time(
    label,
    RUNS,
    () => {
      sink.clear();
      return handler(structuredClone(event), context);
    },
    TARGET_MS,
  );
}
await firehose.close();
