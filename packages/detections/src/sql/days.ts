/**
 * `yyyyMMdd` days (UTC): the `eventday` partition of the audit store, the day strings
 * the queries bind, and the baseline snapshots' days. They order as text.
 */

const DAY_MS = 86_400_000;

/** `yyyyMMdd` (UTC) of an epoch-ms time: the `eventday` partition of that time. */
export function dayOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10).replaceAll('-', '');
}

/** Epoch ms of a `yyyyMMdd` day's start (UTC). */
export function dayStart(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)));
}

/** The day before a `yyyyMMdd` day. */
export function previousDay(day: string): string {
  return dayOf(dayStart(day) - DAY_MS);
}

/** The day after a `yyyyMMdd` day. */
export function nextDay(day: string): string {
  return dayOf(dayStart(day) + DAY_MS);
}
