/**
 * Findings as OCSF 1.3.0 Detection Finding events (class 2004, category 2 Findings):
 * the rule as the analytic, title, severity, ATT&CK techniques, first and last seen,
 * the group, the evidence and a sample of related event uids. The finding's uid is
 * deterministic (rule, group, start of the episode), so the same attack found again is
 * the same finding; each emitted revision has its own deterministic `metadata.uid`.
 *
 * @see https://schema.ocsf.io/1.3.0/classes/detection_finding
 */
import { createHash } from 'node:crypto';
import { AUDIT_PRODUCT, OCSF_VERSION } from '@authwatch/audit';
import type { Rule, Severity } from './schema.js';
import type { FindingState } from './store.js';

export const CLASS_DETECTION_FINDING = { uid: 2004, name: 'Detection Finding' } as const;
export const CATEGORY_FINDINGS = { uid: 2, name: 'Findings' } as const;
export const FINDING_ACTIVITY = { create: 1, update: 2 } as const;
/** `metadata.log_name` of findings. */
export const FINDING_LOG_NAME = 'detection-finding';

/** OCSF severity ids of rule severities. */
export const SEVERITY_IDS: Record<Severity, number> = { low: 2, medium: 3, high: 4, critical: 5 };
const SEVERITY_NAMES: Record<number, string> = {
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
};

/** A hex digest shaped as a UUID (8-4-4-4-12), stable for the same inputs. */
function stableUuid(...parts: (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The uid of the finding a rule makes for a group's episode that started at `firstSeen`. */
export function findingUid(ruleId: string, groupKey: string, firstSeen: number): string {
  return stableUuid('finding', ruleId, groupKey, firstSeen);
}

export interface DetectionFinding {
  activity_id: number;
  activity_name: string;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  message: string;
  time: number;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; version: string };
    uid: string;
    event_code: string;
    log_name: string;
  };
  cloud?: { provider: 'AWS'; region: string };
  finding_info: {
    uid: string;
    title: string;
    desc: string;
    types: string[];
    analytic: { uid: string; name: string; type_id: number; type: string };
    attacks: { technique: { uid: string }; version: string }[];
    first_seen_time: number;
    last_seen_time: number;
    related_events: { uid: string }[];
  };
  evidences: { data: Record<string, unknown> }[];
  /** The user the finding is about, when the rule groups by user (empty otherwise). */
  user: { name?: string; uid?: string };
  src_endpoint?: { ip: string };
  unmapped: {
    group: Record<string, string>;
    revision: number;
    peakCount: number;
  };
}

/** Human wording of a finding's group and counts, for messages and alerts. */
export function describeGroup(group: Record<string, string>): string {
  return Object.entries(group)
    .map(([field, value]) => `${field}=${value}`)
    .join(', ');
}

/**
 * The OCSF event of one revision of a finding (activity Create for the first, Update
 * after). Pure: the same state gives the same event.
 */
export function toFindingEvent(
  rule: Rule,
  state: FindingState,
  activity: 'create' | 'update',
  context: { now: number; region?: string },
): DetectionFinding {
  const activityId = FINDING_ACTIVITY[activity];
  const group = state.group;
  const evidence: Record<string, unknown> = {
    group,
    peak_event_count: state.peakCount,
    distinct: state.distinct,
    values: state.values,
  };
  if (state.maxPerValue !== undefined) evidence.max_per_value = state.maxPerValue;
  if (state.distanceKm !== undefined) evidence.distance_km = state.distanceKm;
  if (state.speedKmh !== undefined) evidence.speed_kmh = state.speedKmh;
  const event: DetectionFinding = {
    activity_id: activityId,
    activity_name: activity === 'create' ? 'Create' : 'Update',
    category_uid: CATEGORY_FINDINGS.uid,
    category_name: CATEGORY_FINDINGS.name,
    class_uid: CLASS_DETECTION_FINDING.uid,
    class_name: CLASS_DETECTION_FINDING.name,
    type_uid: CLASS_DETECTION_FINDING.uid * 100 + activityId,
    type_name: `${CLASS_DETECTION_FINDING.name}: ${activity === 'create' ? 'Create' : 'Update'}`,
    severity_id: state.severityId,
    severity: SEVERITY_NAMES[state.severityId] ?? 'Unknown',
    status_id: 1,
    status: 'New',
    message: `${rule.title}: ${describeGroup(group)} (${state.peakCount} events)`,
    time: context.now,
    metadata: {
      version: OCSF_VERSION,
      product: { ...AUDIT_PRODUCT },
      uid: stableUuid('revision', state.uid, state.revision, state.lastSeen, state.peakCount),
      event_code: rule.id,
      log_name: FINDING_LOG_NAME,
    },
    finding_info: {
      uid: state.uid,
      title: rule.title,
      desc: rule.description,
      types: ['Authentication'],
      analytic: { uid: rule.id, name: rule.title, type_id: 1, type: 'Rule' },
      attacks: rule.mitre.map((technique) => ({ technique: { uid: technique }, version: '15' })),
      first_seen_time: state.firstSeen,
      last_seen_time: state.lastSeen,
      related_events: state.sample.map((uid) => ({ uid })),
    },
    evidences: [{ data: evidence }],
    user: {},
    unmapped: { group, revision: state.revision, peakCount: state.peakCount },
  };
  if (context.region) event.cloud = { provider: 'AWS', region: context.region };
  if (group['user.name'] !== undefined) event.user.name = group['user.name'];
  if (group['user.uid'] !== undefined) event.user.uid = group['user.uid'];
  if (group['src_endpoint.ip'] !== undefined) event.src_endpoint = { ip: group['src_endpoint.ip'] };
  return event;
}
