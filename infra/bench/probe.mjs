/**
 * One cold start, run by the bundle benchmark in a fresh Node process: times
 * `await import(bundle)` (Node's own start-up is outside the measurement), reads the
 * resident memory right after, then invokes the handler twice with the event in
 * BENCH_EVENT_FILE, timing each answer and the after-response work that follows it.
 * Nothing is loaded before the import but what Node itself has loaded.
 */
const started = performance.now();
const cpuStarted = process.cpuUsage();
const report = (result) => console.log(`BENCH_RESULT${JSON.stringify(result)}`);
const describe = (error) =>
  `${error?.name ? `${error.name}: ` : ''}${String(error?.message ?? error).split('\n')[0]}`;

let bundle;
try {
  bundle = await import(process.env.BENCH_BUNDLE_URL);
} catch (error) {
  report({ error: describe(error) });
  process.exit(0);
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuStarted);
const result = { ms, cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss };

const eventFile = process.env.BENCH_EVENT_FILE;
if (eventFile && typeof bundle.handler === 'function') {
  const { readFileSync } = process.getBuiltinModule('node:fs');
  const event = JSON.parse(readFileSync(eventFile, 'utf8'));
  const settled = bundle.handler[Symbol.for('authwatch.afterResponse.settled')];
  const context = () => {
    const begun = Date.now();
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: 'authwatch-bench',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:authwatch-bench',
      memoryLimitInMB: '256',
      awsRequestId: crypto.randomUUID(),
      logGroupName: '/aws/lambda/authwatch-bench',
      logStreamName: '2026/12/06/[$LATEST]0123456789abcdef0123456789abcdef',
      getRemainingTimeInMillis: () => Math.max(0, 5_000 - (Date.now() - begun)),
    };
  };
  /** One invocation: the time to the answer, then to the end of its after-response work. */
  const invoke = async () => {
    const begun = performance.now();
    let outcome;
    try {
      await bundle.handler(structuredClone(event), context());
    } catch (error) {
      outcome = describe(error);
    }
    const answerMs = performance.now() - begun;
    if (typeof settled === 'function') await settled();
    return { answerMs, settledMs: performance.now() - begun, ...(outcome ? { outcome } : {}) };
  };
  result.first = await invoke();
  result.second = await invoke();
}
report(result);
