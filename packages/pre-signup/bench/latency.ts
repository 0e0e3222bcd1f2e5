/**
 * Benchmark of the pre sign-up trigger, in-process, 10,000 calls per row:
 *
 * 1. The handler's own work (the `defineTrigger` wrapper, policy, audit event built and
 *    handed to an in-memory sink; federated linking against a stub directory), and the
 *    pure policy alone. Target: p99 ≤ 0.3 ms.
 * 2. The full handler with audit going to a Firehose-compatible HTTP responder on
 *    loopback, through the real auditor (`auditorFromEnv`) and SDK client.
 *
 * Run: `pnpm bench` (in this package). Prints figures; asserts nothing.
 */
import { header, prepareTriggerBench, time } from '@authwatch/testing/bench';

const firehose = await prepareTriggerBench();

const { auditorFromEnv, createAuditor, createMemorySink } = await import('@authwatch/audit');
const { PreSignUpEventSchema, parseEvent } = await import('@authwatch/kit');
const { createLambdaContext, getTestEvent } = await import('@authwatch/testing');
const { createPreSignUpHandler } = await import('../src/app.js');
const { loadConfig, PRE_SIGNUP_ENV } = await import('../src/config.js');
const { evaluatePolicy } = await import('../src/policy.js');

const RUNS = 10_000;
const TARGET_MS = 0.3;
const config = loadConfig({
  [PRE_SIGNUP_ENV.allowDomains]: 'example.com,corp.example',
  [PRE_SIGNUP_ENV.denyDomains]: 'contractors.example.com',
  [PRE_SIGNUP_ENV.autoConfirm]: 'SignUp,ExternalProvider',
});
const sink = createMemorySink();
const memoryAuditor = createAuditor({ sinks: [sink], metrics: { addMetric: () => 0 } });
const directory = {
  findNativeUser: async () => 'native-user',
  linkIdentity: async () => undefined,
};
const context = createLambdaContext({ timeoutMs: 10 * 60_000 });
const own = createPreSignUpHandler({ config, auditor: memoryAuditor, directory });
const full = createPreSignUpHandler({ config, auditor: auditorFromEnv(), directory });

const signUp = getTestEvent('pre-signup/sign-up');
const federated = getTestEvent('pre-signup/external-provider');
const denied = getTestEvent<{ request: { userAttributes: Record<string, string> } }>(
  'pre-signup/sign-up',
);
denied.request.userAttributes.email = 'x@mailinator.com';
const parsed = parseEvent('PreSignUp', PreSignUpEventSchema, signUp);

await header(
  'Pre sign-up: latency per invocation, in-process',
  `${RUNS} calls per row, target p99 ≤ ${TARGET_MS} ms for the handler's own work`,
);
await time('policy alone (evaluatePolicy)', RUNS, () => evaluatePolicy(parsed, config));
await time(
  'handler own work: sign-up allowed, memory audit sink',
  RUNS,
  () => {
    sink.clear();
    return own(structuredClone(signUp), context);
  },
  TARGET_MS,
);
await time(
  'handler own work: sign-up denied (throws), memory sink',
  RUNS,
  async () => {
    sink.clear();
    await own(structuredClone(denied), context).catch(() => undefined);
  },
  TARGET_MS,
);
await time(
  'handler own work: federated + link (stub directory)',
  RUNS,
  () => {
    sink.clear();
    return own(structuredClone(federated), context);
  },
  TARGET_MS,
);
await time('full handler: sign-up allowed, audit to Firehose over HTTP', RUNS, () =>
  full(structuredClone(signUp), context),
);
await firehose.close();
