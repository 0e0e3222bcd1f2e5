/**
 * From query rows to episodes: a group's matching windows that overlap or touch (at
 * most the rule's gap apart) are one episode, the unit of a finding. Engine-agnostic:
 * the rows have the same columns whichever engine ran the SQL.
 */
import type { QueryResult } from './query/engine.js';
import { jsonList, num } from './query/engine.js';
import { scrubEvidence } from './scrub.js';
import type { CompiledRule } from './sql/compile.js';
import { EVIDENCE_VALUES } from './sql/compile.js';
import { SAMPLE_EVENTS } from './sql/group-events.js';

export interface Episode {
  ruleId: string;
  /** The group's fields and values, in group-by order. */
  group: Record<string, string>;
  /** `field=value|field=value`: the key a finding is stored under. */
  groupKey: string;
  firstSeen: number;
  lastSeen: number;
  /** Most events in one window. */
  peakCount: number;
  /** Most distinct values of each counted field in one window. */
  distinct: Record<string, number>;
  /** Distinct values of each evidence field (at most EVIDENCE_VALUES each). */
  values: Record<string, string[]>;
  /** Most events of one value of the per-value field in a window. */
  maxPerValue?: number;
  /** Travel rules: the longest jump. */
  distanceKm?: number;
  speedKmh?: number;
  /** Uids of some related events. */
  sample: string[];
  /** Matching rows merged into it. */
  rows: number;
}

function union(into: string[], more: readonly string[], cap: number): string[] {
  const set = new Set(into);
  for (const item of more) {
    if (set.size >= cap) break;
    set.add(item);
  }
  return [...set];
}

export function groupKeyOf(group: Record<string, string>): string {
  return Object.entries(group)
    .map(([field, value]) => `${field}=${value}`)
    .join('|');
}

/** Merges `next` into `base` (both of the same rule and group). */
export function mergeEpisodes(base: Episode, next: Episode): Episode {
  const values: Record<string, string[]> = { ...base.values };
  for (const [field, list] of Object.entries(next.values))
    values[field] = union(values[field] ?? [], list, EVIDENCE_VALUES);
  const distinct: Record<string, number> = { ...base.distinct };
  for (const [field, count] of Object.entries(next.distinct))
    distinct[field] = Math.max(distinct[field] ?? 0, count);
  const merged: Episode = {
    ...base,
    firstSeen: Math.min(base.firstSeen, next.firstSeen),
    lastSeen: Math.max(base.lastSeen, next.lastSeen),
    peakCount: Math.max(base.peakCount, next.peakCount),
    distinct,
    values,
    sample: union(base.sample, next.sample, SAMPLE_EVENTS),
    rows: base.rows + next.rows,
  };
  const maxPerValue = Math.max(base.maxPerValue ?? -1, next.maxPerValue ?? -1);
  if (maxPerValue >= 0) merged.maxPerValue = maxPerValue;
  const distanceKm = Math.max(base.distanceKm ?? -1, next.distanceKm ?? -1);
  if (distanceKm >= 0) merged.distanceKm = distanceKm;
  const speedKmh = Math.max(base.speedKmh ?? -1, next.speedKmh ?? -1);
  if (speedKmh >= 0) merged.speedKmh = speedKmh;
  return merged;
}

/** One episode per matching row, before merging. */
export function rowToEpisode(compiled: CompiledRule, row: Record<string, unknown>): Episode {
  const group: Record<string, string> = {};
  compiled.groupBy.forEach((field, index) => {
    group[field] = scrubEvidence(field, String(row[`g${index}`] ?? ''));
  });
  const values: Record<string, string[]> = {};
  for (const { column, field } of compiled.values) {
    values[field] = jsonList(row[column]).map((value) => scrubEvidence(field, value));
  }
  const distinct: Record<string, number> = {};
  for (const { column, field } of compiled.distinct) distinct[field] = num(row[column]);
  const episode: Episode = {
    ruleId: compiled.rule.id,
    group,
    groupKey: groupKeyOf(group),
    firstSeen: num(row.first_seen),
    lastSeen: num(row.last_seen),
    peakCount: num(row.event_count),
    distinct,
    values,
    // Filled by the sample query for new and grown findings (detect.ts).
    sample: [],
    rows: 1,
  };
  if (row.max_per_value !== undefined && row.max_per_value !== null)
    episode.maxPerValue = num(row.max_per_value);
  if (row.distance_km !== undefined && row.distance_km !== null)
    episode.distanceKm = num(row.distance_km);
  if (row.speed_kmh !== undefined && row.speed_kmh !== null) episode.speedKmh = num(row.speed_kmh);
  return episode;
}

/**
 * Turns a rule's rows into episodes: rows of one group sorted by time, merged while a
 * row starts at most `episodeGapMs` after the episode's last event.
 */
export function toEpisodes(compiled: CompiledRule, result: QueryResult): Episode[] {
  const byGroup = new Map<string, Episode[]>();
  for (const row of result.rows) {
    const episode = rowToEpisode(compiled, row);
    const list = byGroup.get(episode.groupKey) ?? [];
    list.push(episode);
    byGroup.set(episode.groupKey, list);
  }
  const episodes: Episode[] = [];
  for (const list of byGroup.values()) {
    list.sort((a, b) => a.firstSeen - b.firstSeen || a.lastSeen - b.lastSeen);
    let current: Episode | undefined;
    for (const episode of list) {
      if (current && episode.firstSeen <= current.lastSeen + compiled.episodeGapMs) {
        current = mergeEpisodes(current, episode);
      } else {
        if (current) episodes.push(current);
        current = episode;
      }
    }
    if (current) episodes.push(current);
  }
  return episodes.sort((a, b) => a.firstSeen - b.firstSeen || a.groupKey.localeCompare(b.groupKey));
}
