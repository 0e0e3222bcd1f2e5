/**
 * Replay of fallback lines: finds the events in lines written by the fallback writer,
 * whatever wraps them (a plain stdout line, a CloudWatch Logs export or `aws logs tail`
 * line with a timestamp and stream name in front, Lambda's text format
 * `<time> <request id> INFO <json>`, or Lambda's JSON log format that carries the line
 * in `message`), and re-sends them to Firehose.
 *
 * Skipping already-delivered events: the replay can tell only from what it is given:
 * ids it has already seen in this input (a line repeated in the export), and a set of
 * delivered ids (from `--delivered <dir>`, a folder of delivered NDJSON objects like
 * the local fake's or an `aws s3 sync` of the raw bucket, or `--delivered-ids <file>`,
 * one id per line, e.g. the result of an Athena query on `metadata.uid`). Without
 * them an event that reached both the stream and the fallback (an answer lost in
 * transit) is sent again; queries can de-duplicate on `metadata.uid`.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { FALLBACK_MARKER } from './fallback.js';
import type { FirehoseSink } from './firehose.js';
import { RecordPartitionError, recordPartition } from './layout.js';
import type { AuditEvent } from './ocsf.js';

const MAX_LINE = 1024 * 1024;
const MAX_NESTING = 3;

function isAuditEvent(value: unknown): value is AuditEvent {
  if (value === null || typeof value !== 'object') return false;
  const event = value as Partial<AuditEvent>;
  return (
    typeof event.metadata === 'object' &&
    event.metadata !== null &&
    typeof event.metadata.uid === 'string' &&
    event.metadata.uid.length > 0 &&
    event.metadata.uid.length <= 128 &&
    typeof event.class_uid === 'number' &&
    typeof event.time === 'number' &&
    typeof event.unmapped === 'object' &&
    event.unmapped !== null
  );
}

function fromValue(value: unknown, depth: number): AuditEvent | undefined {
  if (value === null || typeof value !== 'object' || depth > MAX_NESTING) return undefined;
  const record = value as Record<string, unknown>;
  if (record[FALLBACK_MARKER] !== undefined) {
    return isAuditEvent(record.event) ? record.event : undefined;
  }
  // Lambda's JSON log format (`message`) and log shippers (`log`, `@message`).
  for (const key of ['message', 'log', '@message']) {
    const inner = record[key];
    if (typeof inner === 'string') {
      const found = fromText(inner, depth + 1);
      if (found) return found;
    } else if (inner !== null && typeof inner === 'object') {
      const found = fromValue(inner, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function fromText(text: string, depth: number): AuditEvent | undefined {
  if (depth > MAX_NESTING || !text.includes(FALLBACK_MARKER)) return undefined;
  // Try each '{' from the left until one starts a JSON value that holds the event:
  // whatever precedes it (timestamp, stream name, request id, level) is ignored.
  let start = text.indexOf('{');
  let tries = 0;
  while (start !== -1 && tries < 16) {
    tries += 1;
    const candidate = text.slice(start).trimEnd();
    try {
      const found = fromValue(JSON.parse(candidate), depth);
      if (found) return found;
    } catch {
      // not JSON from here: try the next brace
    }
    start = text.indexOf('{', start + 1);
  }
  return undefined;
}

/**
 * The audit event in one fallback line, or undefined when the line holds none.
 * Never throws, whatever the line.
 */
export function parseFallbackLine(line: string): AuditEvent | undefined {
  if (line.length > MAX_LINE) return undefined;
  return fromText(line, 0);
}

/**
 * Every audit event in one line: usually one, several when messages were joined with
 * tabs (`aws logs ... --output text`). Never throws.
 */
export function parseFallbackLineAll(line: string): AuditEvent[] {
  if (line.length > MAX_LINE) return [];
  if (line.indexOf(FALLBACK_MARKER) === line.lastIndexOf(FALLBACK_MARKER)) {
    const one = fromText(line, 0);
    return one ? [one] : [];
  }
  return line.split('\t').flatMap((part) => {
    const found = fromText(part, 0);
    return found ? [found] : [];
  });
}

export interface ReadFallbackResult {
  events: AuditEvent[];
  lines: number;
  /** Lines without an event (other log output). */
  ignored: number;
  /** Events whose id was already seen earlier in the input. */
  repeated: number;
}

/** Reads every fallback event from a stream of lines, de-duplicated by id. */
export async function readFallbackEvents(input: Readable): Promise<ReadFallbackResult> {
  const result: ReadFallbackResult = { events: [], lines: 0, ignored: 0, repeated: 0 };
  const seen = new Set<string>();
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    result.lines += 1;
    const found = parseFallbackLineAll(line);
    if (found.length === 0) result.ignored += 1;
    for (const event of found) {
      if (seen.has(event.metadata.uid)) {
        result.repeated += 1;
        continue;
      }
      seen.add(event.metadata.uid);
      result.events.push(event);
    }
  }
  return result;
}

/** Opens a file, or stdin for `-` / undefined. */
export function openInput(path: string | undefined): Readable {
  return path === undefined || path === '-' ? process.stdin : createReadStream(path);
}

/** Ids of the events in every NDJSON file under `dir` (recursively). */
export async function deliveredIdsFromDir(dir: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      for (const line of (await readFile(path, 'utf8')).split('\n')) {
        if (!line.includes('"uid"')) continue;
        try {
          const value = JSON.parse(line) as unknown;
          if (isAuditEvent(value)) ids.add(value.metadata.uid);
        } catch {
          // not NDJSON (a Parquet object, for instance): nothing to learn from it
        }
      }
    }
  };
  await walk(dir);
  return ids;
}

/** Ids listed one per line (blank lines and `#` comments ignored; quotes stripped). */
export async function deliveredIdsFromFile(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const raw of (await readFile(path, 'utf8')).split(/\r?\n/)) {
    const id = raw.trim().replace(/^"|"$/g, '');
    if (id !== '' && !id.startsWith('#')) ids.add(id);
  }
  return ids;
}

export interface ReplayOptions {
  sink: FirehoseSink;
  events: AuditEvent[];
  /** Ids known to be in the stream already: skipped. */
  delivered?: Set<string>;
  /** Epoch ms by which to give up (default: 5 minutes from now). */
  deadline?: number;
  /**
   * Events per `send` (default 20,000: forty full PutRecordBatch calls). Records that
   * fail are retried after the rest of their group, so smaller groups retry sooner;
   * larger ones leave fewer pauses between groups.
   */
  chunkSize?: number;
  dryRun?: boolean;
  now?: () => number;
}

export interface ReplayResult {
  sent: number;
  skipped: number;
  failed: AuditEvent[];
  reason?: string;
  /**
   * Events the stream cannot place (a class without a source, no time): not sent, since
   * they would only land under its error prefix; each with the reason.
   */
  unstorable: { event: AuditEvent; reason: string }[];
}

/** Re-sends fallback events in full batches, skipping those known delivered. */
export async function replayEvents(options: ReplayOptions): Promise<ReplayResult> {
  const now = options.now ?? Date.now;
  const deadline = options.deadline ?? now() + 5 * 60_000;
  const delivered = options.delivered ?? new Set<string>();
  const fresh = options.events.filter((event) => !delivered.has(event.metadata.uid));
  const result: ReplayResult = {
    sent: 0,
    skipped: options.events.length - fresh.length,
    failed: [],
    unstorable: [],
  };
  const todo: AuditEvent[] = [];
  for (const event of fresh) {
    try {
      recordPartition(event);
      todo.push(event);
    } catch (error) {
      if (!(error instanceof RecordPartitionError)) throw error;
      result.unstorable.push({ event, reason: `unstorable: ${error.message}` });
    }
  }
  if (options.dryRun) return result;
  const size = Math.max(1, options.chunkSize ?? 20_000);
  for (let start = 0; start < todo.length; start += size) {
    const group = todo.slice(start, start + size);
    // The sink encodes each batch as a sender takes it, while earlier batches are in flight.
    const outcome = await options.sink.send(group, { deadline });
    result.sent += group.length - outcome.failed.length;
    result.failed.push(...outcome.failed);
    if (outcome.reason) result.reason = outcome.reason;
  }
  return result;
}
