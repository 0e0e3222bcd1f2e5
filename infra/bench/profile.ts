/**
 * Where a cold start's CPU time goes (BENCH_PROFILE=1): one import of each bundle under
 * `node --cpu-prof`, its samples summed by the package that spent them. Frames of the
 * bundle are mapped back to their sources through its source map; frames of a package
 * loaded from node_modules (the AWS SDK, external) by their path; a Node-internal or
 * native frame counts for the nearest caller that is one of those, else under Node's own
 * heading (the module loader reading and compiling external packages, start-up, GC).
 * The profile covers the whole process, Node's start-up included, so its total is
 * above the init time the table reports; a profiled run is also slower than a plain one.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** What the benchmark knows of a bundle. */
interface ProfiledBundle {
  label: string;
  outfile: string;
  env: Record<string, string>;
  error?: string;
}

type ColdStart = (
  bundle: string,
  env: Record<string, string>,
  nodeArgs?: string[],
) => Promise<{ error?: string }>;

/** `@scope/name` or `name` of a path inside node_modules, `packages/x` for our own. */
export function packageOf(path: string): string | undefined {
  const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match) return match[1];
  const own = /(packages\/[^/]+|infra\/bench)\//.exec(path);
  return own?.[1];
}

/** The heading of a frame that belongs to no package. */
function nodeHeading(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') {
    if (frame.functionName === '(garbage collector)') return 'Node: garbage collection';
    if (frame.functionName === '(program)') return 'Node: V8 (compiling, outside JS)';
    if (frame.functionName === '(idle)') return 'Node: idle (waiting for I/O)';
  }
  if (/modules|esm|vm/.test(frame.url)) return 'Node: module loader';
  return 'Node: start-up and built-ins';
}

/** Milliseconds of CPU per heading in one profile of `bundleFile`. */
export function attribute(profile: CpuProfile, bundleFile: string): Map<string, number> {
  const bundleUrl = pathToFileURL(bundleFile).href;
  const map = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')));
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const owners = new Map<number, string | undefined>();
  /** The package a frame belongs to, if any. */
  const ownerOf = (node: ProfileNode): string | undefined => {
    if (owners.has(node.id)) return owners.get(node.id);
    const { url, lineNumber, columnNumber } = node.callFrame;
    let owner: string | undefined;
    if (url === bundleUrl) {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string };
      owner = entry.originalSource
        ? (packageOf(entry.originalSource) ?? 'bundle: other')
        : 'bundle: top level';
    } else if (url.startsWith('file:') && url.includes('/node_modules/')) {
      // Only packages: the probe's own frame (its `await import`) is no one's cost.
      owner = packageOf(fileURLToPath(url));
    }
    owners.set(node.id, owner);
    return owner;
  };
  const headingOf = (id: number): string => {
    const leaf = byId.get(id) as ProfileNode;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const owner = ownerOf(byId.get(at) as ProfileNode);
      if (owner) return owner;
    }
    return nodeHeading(leaf.callFrame);
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const heading = headingOf(id);
    totals.set(heading, (totals.get(heading) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return totals;
}

/** Profiles one import of each distinct bundle and prints its top headings. */
export async function printProfiles(
  bundles: ProfiledBundle[],
  scratch: string,
  coldStart: ColdStart,
): Promise<void> {
  console.log('CPU profile of one import per bundle (ms by package; Node start-up included):');
  const seen = new Set<string>();
  for (const bundle of bundles) {
    if (bundle.error || seen.has(bundle.outfile)) continue;
    seen.add(bundle.outfile);
    const dir = join(scratch, 'profiles', bundle.label.replace(/[^\w-]+/g, '_'));
    mkdirSync(dir, { recursive: true });
    const sample = await coldStart(bundle.outfile, { ...bundle.env, BENCH_EVENT_FILE: '' }, [
      '--cpu-prof',
      '--cpu-prof-interval',
      '250',
      '--cpu-prof-dir',
      dir,
    ]);
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (sample.error || !file) {
      console.log(`${bundle.label}: not profiled (${sample.error ?? 'no profile written'})`);
      continue;
    }
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const totals = [...attribute(profile, bundle.outfile)].sort((a, b) => b[1] - a[1]);
    const sum = totals.reduce((total, [, ms]) => total + ms, 0);
    const shown = totals
      .filter(([, ms]) => ms >= 1)
      .map(([heading, ms]) => `${heading} ${ms.toFixed(0)}`)
      .join(', ');
    console.log(`${bundle.label} (${sum.toFixed(0)} ms): ${shown}`);
  }
  console.log('');
}
