/** What a bundle folder's `manifest.json` records. */
export interface Manifest {
  /** The build folder (under `outDir/builds/`) these inputs produced. */
  build: string;
  esbuild: string;
  entries: Record<string, string>;
  /** Every input file → `mtimeMs:size` when it was bundled. */
  inputs: Record<string, string>;
}

export function fingerprint(path: string): Promise<string | undefined>;
export function readManifest(manifestFile: string): Promise<Manifest | undefined>;
export function currentBuild(
  manifestFile: string,
  esbuildVersion: string,
  entries?: Record<string, string>,
): Promise<string | undefined>;
