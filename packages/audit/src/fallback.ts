/**
 * The last resort: an event that could not be delivered by the deadline is written as
 * one JSON line to stdout (CloudWatch Logs in Lambda), with a fixed marker the
 * `replay` command looks for.
 *
 *     {"authwatch_audit_fallback":1,"reason":"ThrottlingException: ...","event":{...}}
 */
import type { AuditEvent } from './ocsf.js';
import { fitEvent } from './records.js';

/**
 * Largest fallback line: CloudWatch Logs splits events above 256 KiB, which would
 * break the line; a larger event is cut (with the truncation marker) to fit.
 */
export const FALLBACK_MAX_EVENT_BYTES = 200 * 1024;

/** The key that marks a fallback line; its value is the line format's version. */
export const FALLBACK_MARKER = 'authwatch_audit_fallback';
export const FALLBACK_VERSION = 1;

/** Where undelivered events go. Must not throw and must be fast (synchronous writes). */
export type FallbackWriter = (events: readonly AuditEvent[], reason: string) => void;

/** One fallback line (with its trailing newline). */
export function formatFallbackLine(event: AuditEvent, reason: string): string {
  const fitted = fitEvent(event, FALLBACK_MAX_EVENT_BYTES).event;
  return `${JSON.stringify({ [FALLBACK_MARKER]: FALLBACK_VERSION, reason, event: fitted })}\n`;
}

/**
 * A fallback writer that writes lines with `write` (default: stdout). Lines are joined
 * into one write so that a burst does not interleave with other output.
 */
export function createLineFallback(
  write: (text: string) => void = (text) => {
    process.stdout.write(text);
  },
): FallbackWriter {
  return (events, reason) => {
    if (events.length === 0) return;
    write(events.map((event) => formatFallbackLine(event, reason)).join(''));
  };
}

/** A fallback that keeps lines in memory, for tests. */
export function createMemoryFallback(): FallbackWriter & { lines: string[] } {
  const lines: string[] = [];
  const writer = ((events: readonly AuditEvent[], reason: string) => {
    for (const event of events) lines.push(formatFallbackLine(event, reason).trimEnd());
  }) as FallbackWriter & { lines: string[] };
  writer.lines = lines;
  return writer;
}
