/**
 * `authwatch-replay [file|-] [--stream NAME] [--delivered DIR] [--delivered-ids FILE]
 *   [--timeout SECONDS] [--dry-run] [--outputs FILE]`
 *
 * Reads fallback lines from a file or stdin and re-sends their events to the Firehose
 * stream (AUDIT_STREAM_NAME or --stream; endpoint and credentials as any AWS CLI tool:
 * AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_FIREHOSE). Without a stream it sends to the
 * local stack of `.local/outputs.json` (its stream `authwatch-audit-local`, its Firehose,
 * no AWS credentials). Events that still fail are printed to stdout as fallback lines,
 * so they can be replayed again; the summary and the reason they failed go to stderr.
 * Exit code 0 when everything was sent, 1 when some failed, 2 on bad usage or input.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { formatFallbackLine } from '../fallback.js';
import { createFirehoseSink } from '../firehose.js';
import { createFirehoseClient } from '../firehose-client.js';
import {
  deliveredIdsFromDir,
  deliveredIdsFromFile,
  readFallbackEvents,
  replayEvents,
} from '../replay.js';
import { CliInputError, findLocalOutputs, readLocalOutputs } from './local-outputs.js';

const USAGE = `usage: authwatch-replay [file|-] [--stream NAME] [--delivered DIR] [--delivered-ids FILE]
                        [--timeout SECONDS] [--dry-run]

Re-sends the audit events found in fallback log lines (a file, or stdin) to Firehose.
  --stream NAME          delivery stream (default: $AUDIT_STREAM_NAME, else the local
                         stack's authwatch-audit-local from .local/outputs.json)
  --outputs FILE         a local stack's outputs.json (default: .local/outputs.json here or above)
  --delivered DIR        skip events found in the NDJSON objects under DIR
  --delivered-ids FILE   skip the event ids listed in FILE, one per line
  --timeout SECONDS      give up after this long (default 300)
  --dry-run              read and count, send nothing`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Where relative paths and `.local/outputs.json` are looked for (default: the process's). */
  cwd?: string;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const cwd = io.env.INIT_CWD ?? io.cwd ?? process.cwd();
  let streamName = values.stream ?? io.env.AUDIT_STREAM_NAME;
  let local: ReturnType<typeof readLocalOutputs> | undefined;
  try {
    if (!streamName || values.outputs) {
      const file = values.outputs ?? findLocalOutputs(cwd, io.env);
      if (file) local = readLocalOutputs(file);
      if (local?.auditStreamName && !values.stream) streamName = local.auditStreamName;
    }
  } catch (error) {
    if (!(error instanceof CliInputError)) throw error;
    io.stderr(`${error.message}\n`);
    return 2;
  }
  const timeoutSeconds = Number(values.timeout ?? '300');
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    io.stderr(`--timeout must be a positive number of seconds\n`);
    return 2;
  }
  let input: Readable;
  const delivered = new Set<string>();
  try {
    input = await openReadable(positionals[0], cwd);
    if (values.delivered) {
      for (const id of await deliveredIdsFromDir(resolve(cwd, values.delivered))) delivered.add(id);
    }
    if (values['delivered-ids']) {
      const file = resolve(cwd, values['delivered-ids']);
      for (const id of await deliveredIdsFromFile(file)) delivered.add(id);
    }
  } catch (error) {
    io.stderr(`${describeFileError(error)}\n`);
    return 2;
  }
  if (!streamName && !values['dry-run']) {
    io.stderr(
      `no stream: pass --stream, set AUDIT_STREAM_NAME, or start the local stack (pnpm start) to replay into it\n${USAGE}\n`,
    );
    return 2;
  }
  let read: Awaited<ReturnType<typeof readFallbackEvents>>;
  try {
    read = await readFallbackEvents(input);
  } catch (error) {
    io.stderr(`${describeFileError(error)}\n`);
    return 2;
  }
  const localEndpoint = local?.firehoseEndpoint && !io.env.AWS_ENDPOINT_URL_FIREHOSE;
  const sink = createFirehoseSink({
    streamName: streamName ?? 'dry-run',
    client: createFirehoseClient({
      requestTimeoutMs: 10_000,
      // The local stack's Firehose checks no credentials.
      ...(local && localEndpoint
        ? {
            config: {
              endpoint: local.firehoseEndpoint,
              region: local.region,
              credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            },
          }
        : {}),
    }),
    maxAttempts: 10,
    maxBackoffMs: 5_000,
    concurrency: 4,
  });
  const result = await replayEvents({
    sink,
    events: read.events,
    delivered,
    deadline: Date.now() + timeoutSeconds * 1_000,
    dryRun: values['dry-run'] ?? false,
  });
  for (const event of result.failed)
    io.stdout(formatFallbackLine(event, result.reason ?? 'replay failed'));
  for (const { event, reason } of result.unstorable) io.stdout(formatFallbackLine(event, reason));
  io.stderr(
    `lines ${read.lines}, events ${read.events.length} (repeated ${read.repeated}), ` +
      `already delivered ${result.skipped}, sent ${result.sent}, failed ${result.failed.length}` +
      `${result.unstorable.length ? `, not sendable ${result.unstorable.length} (${result.unstorable[0]?.reason})` : ''}` +
      `${values['dry-run'] ? ' (dry run)' : ''}${streamName && !values['dry-run'] ? ` to ${streamName}` : ''}\n`,
  );
  if (result.failed.length > 0) {
    io.stderr(
      `failed: ${result.reason ?? 'replay failed'}; the failed events are on stdout as fallback lines, to replay again once that is fixed\n`,
    );
  }
  sink.client?.destroy();
  return result.failed.length + result.unstorable.length > 0 ? 1 : 0;
}

/** The input, checked before reading: a missing file is a message, not a stack trace. */
async function openReadable(path: string | undefined, cwd: string): Promise<Readable> {
  if (path === undefined || path === '-') return process.stdin;
  const file = resolve(cwd, path);
  const info = await stat(file);
  if (info.isDirectory()) {
    throw Object.assign(new Error('is a folder'), { code: 'EISDIR', path: file });
  }
  return createReadStream(file);
}

function describeFileError(error: unknown): string {
  const { code, path } = error as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'it is a folder, not a file of fallback lines',
    ENOTDIR: 'a part of the path is not a folder',
  };
  if (code && path) return `cannot read ${path}: ${why[code] ?? code}`;
  return `cannot read the input: ${(error as Error).message}`;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      stream: { type: 'string' },
      delivered: { type: 'string' },
      'delivered-ids': { type: 'string' },
      timeout: { type: 'string' },
      'dry-run': { type: 'boolean' },
      outputs: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
