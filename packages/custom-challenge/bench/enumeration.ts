/**
 * Does a sign-in's time tell whether the account exists? The create, verify and define
 * handlers run in-process for a real user and an unknown one (`userNotFound`, as Cognito
 * sends it with PreventUserExistenceErrors on), with an SES stand-in that answers after a
 * duration drawn from a lognormal distribution (median 40 ms, σ 0.4: an SES send from
 * Lambda in-region), on three paths:
 *
 * - start: the first challenge of a sign-in (a real user is mailed a fresh code);
 * - wrong code: the challenge re-issued after a wrong answer (same code, no mail);
 * - expired code: the challenge after the code's lifetime (a real user is mailed anew);
 * - and verify / define of a wrong answer.
 *
 * N pairs per path, real and unknown interleaved, a few in flight at once (the waits are
 * timers, not CPU). Before measuring, 64 real sends fill the send timer's reservoir, as a
 * warm container's would be. Prints per path the medians, their ratio known / unknown and
 * the two-sample KS statistic. Targets: every ratio within 0.9–1.1, every KS D ≤ 0.1.
 *
 * Run: `pnpm bench` (in this package). Prints figures; asserts nothing.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.POWERTOOLS_TRACE_ENABLED = 'false';
// As in Lambda with the extension: the audit send runs after the answer, outside the timing.
process.env.AFTER_RESPONSE = 'host';

const { createAuditor } = await import('@authwatch/audit');
const { afterResponse } = await import('@authwatch/kit');
const { createLambdaContext, getTestEvent } = await import('@authwatch/testing');
const { SESClient } = await import('@aws-sdk/client-ses');
const { createAuthChallenge } = await import('../src/create.js');
const { createCreateHandler, createDefineHandler, createVerifyHandler, createSendTimer } =
  await import('../src/handlers.js');
const { deriveKeys } = await import('../src/keys.js');
const { DEFAULT_TEMPLATES } = await import('../src/templates.js');
const { ks, quantile } = await import('./lib/stats.js');
type ChallengeConfig = import('../src/config.js').ChallengeConfig;
type CreateEvent = import('@authwatch/kit').CreateAuthChallengeEvent;
type DefineEvent = import('@authwatch/kit').DefineAuthChallengeEvent;
type VerifyEvent = import('../src/verify.js').VerifyEvent;

const PAIRS = Number(process.env.BENCH_PAIRS ?? 500);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 2);
const SEND_MEDIAN_MS = 40;
const SEND_SIGMA = 0.4;

const CONFIG: ChallengeConfig = {
  mode: 'passwordless',
  maxAttempts: 3,
  codeLength: 6,
  codeTtlSeconds: 180,
};
const MAIL = {
  from: 'no-reply@example.com',
  templates: DEFAULT_TEMPLATES,
  defaultLocale: 'en',
  sesTimeoutMs: 1_500,
};
const KEYS = deriveKeys(Buffer.alloc(32, 7));

/** A lognormal duration (Box–Muller). */
function sendDuration(): number {
  const z = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
  return SEND_MEDIAN_MS * Math.exp(SEND_SIGMA * z);
}

const ses = new SESClient({ region: 'us-east-1' });
ses.send = (async () => {
  await new Promise((resolve) => setTimeout(resolve, sendDuration()));
  return { MessageId: 'bench' };
}) as unknown as typeof ses.send;

const auditor = createAuditor({ sinks: [], metrics: { addMetric: () => 0 } });
const timer = createSendTimer();
const create = createCreateHandler({
  config: CONFIG,
  mail: MAIL,
  keys: async () => KEYS,
  auditor,
  ses,
  sendTimer: timer,
});
const verify = createVerifyHandler({ config: CONFIG, keys: async () => KEYS, auditor });
const define = createDefineHandler({ config: CONFIG, auditor });
/** A fresh invocation context: Cognito's 5-second budget starts at each call. */
const context = () => createLambdaContext({ functionName: 'bench' });

const createFor = (known: boolean) =>
  getTestEvent<CreateEvent>(`custom-challenge/${known ? 'create' : 'create-user-not-found'}`);

/** The create event after one wrong answer to a code issued at `issuedAt`. */
function retryEvent(known: boolean, issuedAt: number): CreateEvent {
  const event = createFor(known);
  const first = createAuthChallenge(event, CONFIG, MAIL, { keys: KEYS, now: issuedAt });
  event.request.session = [
    {
      challengeName: 'CUSTOM_CHALLENGE',
      challengeResult: false,
      challengeMetadata: first.response.challengeMetadata,
    },
  ];
  return event;
}

function verifyEventFor(known: boolean): VerifyEvent {
  const event = getTestEvent<VerifyEvent>(
    `custom-challenge/${known ? 'verify' : 'verify-user-not-found'}`,
  );
  const issued = createAuthChallenge(createFor(known), CONFIG, MAIL, {
    keys: KEYS,
    now: Date.now(),
  });
  event.request.privateChallengeParameters = issued.response.privateChallengeParameters;
  event.request.challengeAnswer = '000000';
  return event;
}

function defineEventFor(known: boolean): DefineEvent {
  const event = getTestEvent<DefineEvent>('custom-challenge/define-first-call');
  event.request.userNotFound = !known;
  event.request.session = [
    { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: 'EMAIL_OTP' },
  ];
  return event;
}

type Path = { label: string; run: (known: boolean) => Promise<unknown> };
const paths: Path[] = [
  { label: 'start (first challenge)', run: (known) => create(createFor(known), context()) },
  {
    label: 'wrong code (same code re-issued)',
    run: (known) => create(retryEvent(known, Date.now() - 5_000), context()),
  },
  {
    label: 'expired code (new code issued)',
    run: (known) =>
      create(retryEvent(known, Date.now() - (CONFIG.codeTtlSeconds + 1) * 1000), context()),
  },
  { label: 'verify a wrong answer', run: (known) => verify(verifyEventFor(known), context()) },
  {
    label: 'define after a wrong answer',
    run: (known) => define(defineEventFor(known), context()),
  },
];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

await afterResponse.start();
// A warm container: its reservoir holds 64 real send times.
for (let i = 0; i < 64; i += 1) await create(createFor(true), context());

console.log(
  `Unknown against real users, ${PAIRS} interleaved pairs per path, ${IN_FLIGHT} in flight; ` +
    `SES stand-in lognormal, median ${SEND_MEDIAN_MS} ms, σ ${SEND_SIGMA}`,
);
console.log('  path                                    real p50   unknown p50   ratio   KS D');
for (const path of paths) {
  const real: number[] = [];
  const unknown: number[] = [];
  for (let done = 0; done < PAIRS; done += IN_FLIGHT) {
    const batch: Promise<void>[] = [];
    for (let i = 0; i < Math.min(IN_FLIGHT, PAIRS - done); i += 1) {
      // Alternate which kind starts first, so neither always runs in the other's wake.
      const order = (done + i) % 2 === 0 ? [true, false] : [false, true];
      batch.push(
        (async () => {
          for (const known of order)
            (known ? real : unknown).push(await timed(() => path.run(known)));
        })(),
      );
    }
    await Promise.all(batch);
  }
  const a = Float64Array.from(real).sort();
  const b = Float64Array.from(unknown).sort();
  const ratio = quantile(a, 0.5) / quantile(b, 0.5);
  const d = ks(a, b);
  const verdict = ratio >= 0.9 && ratio <= 1.1 && d <= 0.1 ? 'ok' : 'MISSES TARGET';
  console.log(
    `  ${path.label.padEnd(38)} ${quantile(a, 0.5).toFixed(3).padStart(8)} ms ${quantile(b, 0.5).toFixed(3).padStart(9)} ms   ${ratio.toFixed(2)}   ${d.toFixed(3)}  ${verdict}`,
  );
}
