/**
 * `authwatch-replay [file|-] [--stream NAME] [--delivered DIR] [--delivered-ids FILE]
 *   [--timeout SECONDS] [--dry-run]`
 *
 * Reads fallback lines from a file or stdin and re-sends their events to the Firehose
 * stream (AUDIT_STREAM_NAME or --stream; endpoint and credentials as any AWS CLI tool:
 * AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_FIREHOSE). Events that still fail are
 * printed to stdout as fallback lines, so they can be replayed again; the summary
 * goes to stderr. Exit code 0 when everything was sent, 1 when some failed, 2 on
 * bad usage.
 */
import { parseArgs } from 'node:util';
import { formatFallbackLine } from '../fallback.js';
import { createFirehoseClient, createFirehoseSink } from '../firehose.js';
import {
  deliveredIdsFromDir,
  deliveredIdsFromFile,
  openInput,
  readFallbackEvents,
  replayEvents,
} from '../replay.js';

const USAGE = `usage: authwatch-replay [file|-] [--stream NAME] [--delivered DIR] [--delivered-ids FILE]
                        [--timeout SECONDS] [--dry-run]

Re-sends the audit events found in fallback log lines (a file, or stdin) to Firehose.
  --stream NAME          delivery stream (default: $AUDIT_STREAM_NAME)
  --delivered DIR        skip events found in the NDJSON objects under DIR
  --delivered-ids FILE   skip the event ids listed in FILE, one per line
  --timeout SECONDS      give up after this long (default 300)
  --dry-run              read and count, send nothing`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
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
  const streamName = values.stream ?? io.env.AUDIT_STREAM_NAME;
  if (!streamName && !values['dry-run']) {
    io.stderr(`no stream: pass --stream or set AUDIT_STREAM_NAME\n${USAGE}\n`);
    return 2;
  }
  const timeoutSeconds = Number(values.timeout ?? '300');
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    io.stderr(`--timeout must be a positive number of seconds\n`);
    return 2;
  }
  const read = await readFallbackEvents(openInput(positionals[0]));
  const delivered = new Set<string>();
  if (values.delivered)
    for (const id of await deliveredIdsFromDir(values.delivered)) delivered.add(id);
  if (values['delivered-ids']) {
    for (const id of await deliveredIdsFromFile(values['delivered-ids'])) delivered.add(id);
  }
  const sink = createFirehoseSink({
    streamName: streamName ?? 'dry-run',
    client: createFirehoseClient({ requestTimeoutMs: 10_000 }),
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
      `${values['dry-run'] ? ' (dry run)' : ''}\n`,
  );
  sink.client.destroy();
  return result.failed.length + result.unstorable.length > 0 ? 1 : 0;
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
      help: { type: 'boolean', short: 'h' },
    },
  });
}
