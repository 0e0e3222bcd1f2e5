/**
 * Bundle benchmark: bundles every Lambda entry exactly as TracedFunction does (the
 * shared options of lib/bundling.ts), then prints its minified size, the median module
 * initialisation time over fresh Node processes and the resident memory after init,
 * next to the same for a reference bundle of Powertools Logger + Tracer + one AWS SDK
 * client (the floor). Target: every entry within 10% of the floor. Each process then
 * invokes its handler twice with a real event (env.ts, ENTRY_EVENT), its SDK calls
 * answered by a loopback responder: the time to the first and second answers, and to
 * the end of the first invocation's after-response work (the audit send), show that
 * what init no longer does has not moved onto the sign-in.
 *
 *   pnpm --filter @authwatch/infra bench            (or `pnpm bench` from the root)
 *   BENCH_RUNS=21 pnpm --filter @authwatch/infra bench
 *   BENCH_ONLY=custom-challenge,post-auth ...   some entries only (the references always)
 *   BENCH_PROFILE=1 ...   CPU profile of one import per bundle: where init goes (profile.ts)
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { EVENTS_DIR } from '@authwatch/testing';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_FILE, BUNDLING, esbuildOptions, REPO_ROOT } from '../lib/bundling.js';
import { benchEnvironment, ENTRY_EVENT } from './env.js';
import { printProfiles } from './profile.js';
import { responderEnvironment, startResponder } from './responder.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);
/** BENCH_ANALYZE=1 prints, per bundle, the packages that weigh most in it. */
const ANALYZE = process.env.BENCH_ANALYZE === '1';
/** BENCH_ONLY=a,b measures only the entries whose label contains a or b (and the floor). */
const ONLY = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((part) => part.trim())
  .filter((part) => part !== '');
/** BENCH_PROFILE=1 prints, per bundle, where one import's CPU time goes, by package. */
const PROFILE = process.env.BENCH_PROFILE === '1';
const TARGET_RATIO = 1.1;
/**
 * Entries no sign-in waits for: the detect function runs every 5 minutes on a schedule
 * (a warm environment serves most runs), so its cold start is printed, not held to the
 * triggers' target.
 */
const OFF_SIGN_IN_PATH = new Set(['detections']);
const REFERENCE = 'floor (Logger+Tracer+SES)';
const KIT = 'kit (defineTrigger+schema+SES)';
/** Event of each reference bundle's invocations (env.ts keys them by short name). */
const REFERENCE_EVENTS: Record<string, string | undefined> = {
  [REFERENCE]: ENTRY_EVENT.floor,
  [KIT]: ENTRY_EVENT.kit,
};
const execFileAsync = promisify(execFile);

interface Entry {
  label: string;
  path: string;
}

/** Every Lambda entry that exists today; entries appear as packages land. */
export function findEntries(): Entry[] {
  const packagesDir = join(REPO_ROOT, 'packages');
  const entries: Entry[] = [];
  for (const pkg of readdirSync(packagesDir).sort()) {
    const handler = join(packagesDir, pkg, 'src', 'handler.ts');
    if (existsSync(handler)) entries.push({ label: pkg, path: handler });
  }
  for (const file of ['define-auth-challenge', 'create-auth-challenge', 'verify-auth-challenge']) {
    const path = join(packagesDir, 'custom-challenge', 'src', `${file}.ts`);
    if (existsSync(path)) entries.push({ label: `custom-challenge/${file}`, path });
  }
  return entries;
}

/** The rarer paths timed as rows of their own: `entry · case` (see ENTRY_EVENT). */
function variantsOf(label: string): string[] {
  return Object.keys(ENTRY_EVENT).filter((key) => key.startsWith(`${label} · `));
}

/** One invocation as probe.mjs times it. */
interface Invocation {
  /** From the call to the handler's answer: what Cognito waits for. */
  answerMs: number;
  /** From the call to the end of the work it left for after the answer. */
  settledMs: number;
  /** The error the handler answered with, if any. */
  outcome?: string;
}

interface Sample {
  ms?: number;
  /** CPU time (user + system, every thread) the process spent in the import. */
  cpuMs?: number;
  rss?: number;
  first?: Invocation;
  second?: Invocation;
  error?: string;
}

/** The child process of one cold start (see probe.mjs). */
export const PROBE_FILE = join(import.meta.dirname, 'probe.mjs');

/** Runs probe.mjs for `bundle` in a fresh Node process, with `nodeArgs` before it. */
export async function coldStart(
  bundle: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Sample> {
  let stdout = '';
  let failure = '';
  try {
    ({ stdout } = await execFileAsync(process.execPath, [...nodeArgs, PROBE_FILE], {
      env: { PATH: process.env.PATH ?? '', ...env, BENCH_BUNDLE_URL: pathToFileURL(bundle).href },
      encoding: 'utf8',
      timeout: 30_000,
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    stdout = failed.stdout ?? '';
    failure = (failed.stderr || failed.message).trim().split('\n')[0] ?? '';
  }
  const line = stdout
    .split('\n')
    .reverse()
    .find((text) => text.startsWith('BENCH_RESULT'));
  if (!line) return { error: `probe failed: ${failure}` };
  return JSON.parse(line.slice('BENCH_RESULT'.length)) as Sample;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

interface Row {
  label: string;
  bytes: number;
  /** Medians of the first answer, its after-response work's end, and the second answer. */
  firstMs?: number;
  firstSettledMs?: number;
  secondMs?: number;
  /** An error a handler answered with (the first one seen). */
  outcome?: string;
  initMs?: number;
  minMs?: number;
  p90Ms?: number;
  rssMb?: number;
  /** Median CPU time of the import, and its median per-round ratio to the floor's. */
  cpuMs?: number;
  cpuRatio?: number;
  /** Median over rounds of this bundle's init time over the floor's in the same round. */
  ratio?: number;
  error?: string;
}

/** Bytes per package in one bundle, from esbuild's metafile. */
function composition(metafile: Metafile): Map<string, number> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(
        input,
      );
      const name =
        match?.[1] ??
        input
          .replace(/^(\.\.\/)+/, '')
          .split('/')
          .slice(0, 2)
          .join('/');
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return byPackage;
}

/** Above this, zod is in a bundle whole: something imports `{ z }` instead of `* as z`. */
const WHOLE_ZOD_BYTES = 300 * 1024;

/** Prints the heaviest packages of a bundle (BENCH_ANALYZE=1) and a whole-zod hint. */
function printComposition(label: string, metafile: Metafile): void {
  const byPackage = composition(metafile);
  if ((byPackage.get('zod') ?? 0) > WHOLE_ZOD_BYTES) {
    console.log(
      `${label}: all of zod is bundled; find the module that does \`import { z } from 'zod'\` (or imports @aws-lambda-powertools/parser schemas) and use \`import * as z from 'zod'\``,
    );
  }
  if (!ANALYZE) return;
  const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(
    `${label}: ${top.map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KB`).join(', ')}`,
  );
}

interface Bundle {
  label: string;
  outfile: string;
  bytes: number;
  env: Record<string, string>;
  samples: Sample[];
  error?: string;
}

/** The probe's variables: the entry's environment and the event of its invocations. */
function probeEnvironment(label: string, endpoints: Record<string, string>) {
  const event = REFERENCE_EVENTS[label] ?? ENTRY_EVENT[label];
  return {
    ...benchEnvironment(label, endpoints),
    ...(event ? { BENCH_EVENT_FILE: join(EVENTS_DIR, `${event}.json`) } : {}),
  };
}

async function bundle(
  label: string,
  entry: string,
  outDir: string,
  endpoints: Record<string, string>,
): Promise<Bundle> {
  const outfile = join(outDir, label.replace(/[^\w-]+/g, '_'), BUNDLE_FILE);
  try {
    const result = await build({ ...esbuildOptions(entry, outfile), metafile: true });
    printComposition(label, result.metafile);
  } catch (error) {
    return {
      label,
      outfile,
      bytes: 0,
      env: {},
      samples: [],
      error: `bundling failed: ${(error as Error).message.split('\n')[0]}`,
    };
  }
  return {
    label,
    outfile,
    bytes: statSync(outfile).size,
    env: probeEnvironment(label, endpoints),
    samples: [],
  };
}

/** Another row over an already built bundle: the same cold start, another first event. */
function variant(of: Bundle, label: string, endpoints: Record<string, string>): Bundle {
  return { ...of, label, env: probeEnvironment(label, endpoints), samples: [] };
}

/**
 * Cold-starts every bundle RUNS times, round-robin, so that load from other processes
 * on the machine affects every bundle alike instead of skewing one of them.
 */
async function measureAll(bundles: Bundle[]): Promise<Row[]> {
  for (let run = 0; run < RUNS; run++) {
    for (const target of bundles) {
      if (target.error) continue;
      const sample = await coldStart(target.outfile, target.env);
      if (sample.error) target.error = sample.error;
      else target.samples.push(sample);
    }
  }
  const floorTimes = (bundles[0]?.samples ?? []).map((sample) => sample.ms as number);
  const floorCpu = (bundles[0]?.samples ?? []).map((sample) => sample.cpuMs as number);
  /** Per round, this bundle's figure over the floor's: the median of these is reported. */
  const perRound = (values: number[], floor: number[]) =>
    values.flatMap((value, run) => {
      const floorValue = floor[run];
      return floorValue === undefined ? [] : [value / floorValue];
    });
  return bundles.map(({ label, bytes, samples, error }) => {
    if (error) return { label, bytes, error };
    const times = samples.map((sample) => sample.ms as number);
    const sorted = [...times].sort((a, b) => a - b);
    const firsts = samples.flatMap((sample) => (sample.first ? [sample.first] : []));
    const seconds = samples.flatMap((sample) => (sample.second ? [sample.second] : []));
    const outcome = [...firsts, ...seconds].find((call) => call.outcome)?.outcome;
    // Each round ran the floor and this bundle moments apart: the median of the
    // per-round ratios is steadier on a busy machine than a ratio of medians.
    const ratios = perRound(times, floorTimes);
    const cpuTimes = samples.map((sample) => sample.cpuMs as number);
    const cpuRatios = perRound(cpuTimes, floorCpu);
    return {
      label,
      bytes,
      initMs: median(times),
      minMs: sorted[0],
      p90Ms: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.9) - 1)],
      rssMb: median(samples.map((sample) => sample.rss as number)) / 2 ** 20,
      ratio: ratios.length > 0 ? median(ratios) : undefined,
      cpuMs: median(cpuTimes),
      cpuRatio: cpuRatios.length > 0 ? median(cpuRatios) : undefined,
      ...(firsts.length > 0
        ? {
            firstMs: median(firsts.map((call) => call.answerMs)),
            firstSettledMs: median(firsts.map((call) => call.settledMs)),
          }
        : {}),
      ...(seconds.length > 0 ? { secondMs: median(seconds.map((call) => call.answerMs)) } : {}),
      ...(outcome ? { outcome } : {}),
    };
  });
}

/**
 * A scratch folder whose node_modules/@aws-sdk points at the workspace's hoisted AWS SDK,
 * standing in for the SDK the Lambda runtime provides to the external `@aws-sdk/*`.
 */
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'authwatch-bench-'));
  const sdk = join(REPO_ROOT, 'node_modules', '.pnpm', 'node_modules', '@aws-sdk');
  if (!existsSync(sdk)) throw new Error(`AWS SDK not found at ${sdk}; run pnpm install`);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(sdk, join(dir, 'node_modules', '@aws-sdk'), 'dir');
  return dir;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function figure(ms: number | undefined, width: number): string {
  return pad(ms === undefined ? '-' : ms.toFixed(1), width, true);
}

/** The table of the first invocations: the answer, the work after it, a warm answer. */
function printInvocations(rows: Row[]): void {
  const header = `${pad('bundle', 40)} ${pad('1st answer ms', 14, true)} ${pad('1st settled ms', 15, true)} ${pad('2nd answer ms', 14, true)}`;
  console.log(`\nFirst invocations (medians; settled = the answer plus its after-response work):`);
  console.log(header);
  console.log('-'.repeat(header.length));
  for (const row of rows) {
    if (row.initMs === undefined) continue;
    console.log(
      `${pad(row.label, 40)} ${figure(row.firstMs, 14)} ${figure(row.firstSettledMs, 15)} ${figure(row.secondMs, 14)}${row.outcome ? `  answered: ${row.outcome}` : ''}`,
    );
  }
}

async function main(): Promise<void> {
  const entries = findEntries().filter(
    (entry) => ONLY.length === 0 || ONLY.some((part) => entry.label.includes(part)),
  );
  const dir = scratchDir();
  const responder = await startResponder();
  const endpoints = responderEnvironment(responder.url);
  try {
    console.log(
      `Bundle benchmark: ${RUNS} cold starts per bundle, ${BUNDLING.format} ${BUNDLING.target}, minify, external ${BUNDLING.externalModules.join(' ')}, Node ${process.versions.node}`,
    );
    const bundles = [
      await bundle(REFERENCE, join(import.meta.dirname, 'reference-handler.ts'), dir, endpoints),
      await bundle(KIT, join(import.meta.dirname, 'kit-handler.ts'), dir, endpoints),
    ];
    for (const entry of entries) {
      const built = await bundle(entry.label, entry.path, dir, endpoints);
      bundles.push(built);
      for (const label of variantsOf(entry.label)) bundles.push(variant(built, label, endpoints));
    }
    if (PROFILE) await printProfiles(bundles, dir, coldStart);
    const rows = await measureAll(bundles);
    const floor = rows[0] as Row;
    if (entries.length === 0)
      console.log('(no Lambda entry exists yet: only the floor is measured)');

    const header = `${pad('bundle', 40)} ${pad('size KB', 9, true)} ${pad('init ms (median)', 17, true)} ${pad('min ms', 8, true)} ${pad('p90 ms', 8, true)} ${pad('RSS MB', 8, true)} ${pad('CPU ms', 8, true)} ${pad('init/floor', 11, true)} ${pad('CPU/floor', 10, true)} ${pad('RSS/floor', 10, true)}`;
    console.log(header);
    console.log('-'.repeat(header.length));
    let over = 0;
    for (const row of rows) {
      const size = (row.bytes / 1024).toFixed(1);
      if (row.error || row.initMs === undefined || floor.initMs === undefined) {
        console.log(`${pad(row.label, 40)} ${pad(size, 9, true)}  init failed: ${row.error}`);
        over++;
        continue;
      }
      const ratio = row.ratio ?? row.initMs / floor.initMs;
      const rssRatio = (row.rssMb as number) / (floor.rssMb as number);
      const isReference = row.label === REFERENCE || row.label === KIT;
      const offPath = OFF_SIGN_IN_PATH.has(row.label);
      const flag = isReference
        ? '  (reference)'
        : offPath
          ? '  (scheduled: not on a sign-in path, not held to the target)'
          : ratio <= TARGET_RATIO
            ? '  ok'
            : '  OVER TARGET';
      if (!isReference && !offPath && ratio > TARGET_RATIO) over++;
      console.log(
        `${pad(row.label, 40)} ${pad(size, 9, true)} ${pad(row.initMs.toFixed(1), 17, true)} ${pad((row.minMs as number).toFixed(1), 8, true)} ${pad((row.p90Ms as number).toFixed(1), 8, true)} ${pad((row.rssMb as number).toFixed(1), 8, true)} ${figure(row.cpuMs, 8)} ${pad(ratio.toFixed(2), 11, true)} ${pad(row.cpuRatio === undefined ? '-' : row.cpuRatio.toFixed(2), 10, true)} ${pad(rssRatio.toFixed(2), 10, true)}${flag}`,
      );
    }
    console.log(
      `\nTarget: init/floor <= ${TARGET_RATIO.toFixed(2)}. ${over === 0 ? 'All entries meet it.' : `${over} entr${over === 1 ? 'y misses' : 'ies miss'} it.`}`,
    );
    printInvocations(rows);
    const calls = [...responder.calls].map(([operation, count]) => `${operation} ${count}`);
    console.log(`\nRequests answered by the responder: ${calls.join(', ') || 'none'}`);
    console.log(
      `Entries: ${entries.map((entry) => relative(REPO_ROOT, entry.path)).join(', ') || 'none'}`,
    );
  } finally {
    await responder.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
