/** Timing helpers for the benchmarks: median and p99 of per-call latency. */
const ns = () => process.hrtime.bigint();

function quantile(sorted: Float64Array, q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

const ROUNDS = 5;

/**
 * Calls `fn` `runs` times (after a warm-up) in {@link ROUNDS} rounds and prints the
 * median and p99 over all calls, plus the p99 of the quietest round: on a shared
 * machine the overall p99 mostly measures other processes and GC.
 */
export async function time(
  label: string,
  runs: number,
  fn: () => unknown,
  targetP99Ms?: number,
): Promise<{ median: number; p99: number; quietest: number }> {
  for (let i = 0; i < Math.min(2_000, runs); i += 1) await fn();
  const samples = new Float64Array(runs);
  const perRound = Math.ceil(runs / ROUNDS);
  const roundP99: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = ns();
    await fn();
    samples[i] = Number(ns() - start) / 1e6;
    if ((i + 1) % perRound === 0 || i === runs - 1) {
      const round = samples.slice(i + 1 - (((i % perRound) + 1) as number), i + 1).sort();
      roundP99.push(quantile(round, 0.99));
    }
  }
  samples.sort();
  const median = quantile(samples, 0.5);
  const p99 = quantile(samples, 0.99);
  const quietest = Math.min(...roundP99);
  const mark = (value: number) =>
    targetP99Ms === undefined ? '' : value <= targetP99Ms ? ' ✓' : ' ✗';
  console.log(
    `${label.padEnd(58)} median ${median.toFixed(4)} ms   p99 ${p99.toFixed(4)} ms${mark(p99)}   quietest-round p99 ${quietest.toFixed(4)} ms${mark(quietest)}`,
  );
  return { median, p99, quietest };
}
export async function header(title: string, runsNote = ''): Promise<void> {
  const { availableParallelism, loadavg } = await import('node:os');
  console.log(
    `\n${title}\nNode ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')} (p99 on a shared, loaded machine mostly measures preemption and GC)`,
  );
  console.log(`${runsNote}\n${'─'.repeat(120)}`);
}
