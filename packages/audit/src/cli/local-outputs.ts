/**
 * Finding the local stack from a command: the `.local/outputs.json` that `pnpm start`
 * writes (like `cdk deploy -O`), in the current folder or one above it, so that
 * `pnpm watch` and `pnpm replay` work against it with no flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** What the audit commands read of a local stack's outputs. */
export interface LocalStackOutputs {
  file: string;
  region: string;
  /** AppSync Events HTTP base of the live feed, `http://127.0.0.1:<port>`. */
  liveFeedHttpUrl: string;
  /** The live feed's API id. */
  liveFeedApiId: string;
  /** Firehose endpoint, when the stack wrote one. */
  firehoseEndpoint?: string;
  /** The audit delivery stream's name locally (`authwatch-audit-local`). */
  auditStreamName?: string;
}

/** A problem a user can fix, with the next step in its message. */
export class CliInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliInputError';
  }
}

/**
 * The local stack's outputs: `$AUTHWATCH_LOCAL_DIR/outputs.json` when that variable is set
 * (the stack's state folder), else `<dir>/.local/outputs.json` for `start` and each
 * folder above it, the first that exists.
 */
export function findLocalOutputs(
  start: string,
  env: Record<string, string | undefined> = {},
): string | undefined {
  if (env.AUTHWATCH_LOCAL_DIR) return join(resolve(start, env.AUTHWATCH_LOCAL_DIR), 'outputs.json');
  let dir = resolve(start);
  for (;;) {
    const file = join(dir, '.local', 'outputs.json');
    if (existsSync(file)) return file;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads and checks a local stack's outputs file; a bad one is a CliInputError naming it. */
export function readLocalOutputs(file: string): LocalStackOutputs {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliInputError(
      code === 'ENOENT'
        ? `${file} does not exist: start the local stack first (pnpm start)`
        : `${file} is not a local stack's outputs (${code ?? 'not JSON'}): restart the stack (pnpm start) to write it again`,
    );
  }
  const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof o[key] === 'string' ? (o[key] as string) : undefined);
  const region = text('region');
  const liveFeedHttpUrl = text('liveFeedHttpUrl');
  if (!region || !liveFeedHttpUrl) {
    throw new CliInputError(
      `${file} has no region or liveFeedHttpUrl: restart the local stack (pnpm start) to write it again`,
    );
  }
  const firehose = text('firehoseEndpoint');
  const stream = text('auditStreamName');
  return {
    file,
    region,
    liveFeedHttpUrl,
    // Stacks started before the id was written answer GetApi for this one.
    liveFeedApiId: text('liveFeedApiId') ?? 'local-events',
    ...(firehose ? { firehoseEndpoint: firehose } : {}),
    ...(stream ? { auditStreamName: stream } : {}),
  };
}
