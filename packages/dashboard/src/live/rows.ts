/** Live OCSF events as table rows, and whether a row passes the page's filters. */
import type { EventRow, Finding } from '../api.js';
import type { Filters } from '../filters.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A row of an OCSF event from the feed; undefined when it is no event object. */
export function rowOfEvent(value: unknown): EventRow | undefined {
  const event = obj(value);
  if (typeof event.time !== 'number' || typeof event.class_uid !== 'number') return undefined;
  const metadata = obj(event.metadata);
  const user = obj(event.user);
  const endpoint = obj(event.src_endpoint);
  const unmapped = obj(event.unmapped);
  return {
    time: event.time,
    uid: str(metadata.uid),
    typeName: str(event.type_name),
    eventCode: str(metadata.event_code),
    outcome: event.status_id === 1 ? 'success' : event.status_id === 2 ? 'failure' : null,
    user: str(user.name) ?? str(user.uid),
    ip: str(endpoint.ip),
    country: str(obj(endpoint.location).country),
    client: str(unmapped.clientId),
    reason: str(unmapped.reason) ?? (event.status_id === 2 ? str(event.message) : null),
    statusDetail: str(event.status_detail),
    message: str(event.message),
    raw: value,
  };
}

/** A finding of an OCSF Detection Finding (2004) from the feed. */
export function findingOfEvent(value: unknown): Finding | undefined {
  const event = obj(value);
  if (event.class_uid !== 2004 || typeof event.time !== 'number') return undefined;
  const info = obj(event.finding_info);
  const analytic = obj(info.analytic);
  return {
    time: event.time,
    uid: str(info.uid),
    title: str(info.title),
    ruleId: str(analytic.uid),
    ruleName: str(analytic.name),
    firstSeen: typeof info.first_seen_time === 'number' ? info.first_seen_time : null,
    lastSeen: typeof info.last_seen_time === 'number' ? info.last_seen_time : null,
    severityId: typeof event.severity_id === 'number' ? event.severity_id : 0,
    statusId: typeof event.status_id === 'number' ? event.status_id : 1,
    message: str(event.message),
    group: obj(event.unmapped).group ?? info.group ?? null,
    evidence: event.evidences ?? obj(event.unmapped).evidence ?? null,
    relatedEvents: info.related_events ?? null,
  };
}

/** Whether a row passes the filters (the range's end is open for live rows). */
export function rowMatches(row: EventRow, filters: Filters, now: number): boolean {
  if (filters.range === 'custom') {
    if (filters.from !== undefined && row.time < filters.from) return false;
    if (filters.to !== undefined && row.time >= filters.to) return false;
  } else {
    const span = { '15m': 900_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 604_800_000 }[
      filters.range
    ];
    if (row.time < now - span) return false;
  }
  if (filters.outcome && row.outcome !== filters.outcome) return false;
  if (filters.user && row.user !== filters.user) return false;
  if (filters.ip && row.ip !== filters.ip) return false;
  if (filters.client && row.client !== filters.client) return false;
  if (filters.type && row.eventCode !== filters.type && row.typeName !== filters.type) return false;
  return true;
}
