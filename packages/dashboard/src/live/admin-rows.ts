/**
 * Admin changes as the page shows them: an OCSF event of the CloudTrail package's
 * management calls (`metadata.log_name` `admin-change`) from the live feed as a row of
 * the admin-changes list, and an IAM principal's ARN shortened for reading.
 */
import type { AdminChange } from '../api.js';
import type { Filters } from '../filters.js';
import { rowMatches } from './rows.js';

const SEVERITY_IDS = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 } as const;

type Json = Record<string, unknown>;
const obj = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const str = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;

/** An admin change of an OCSF event from the feed; undefined when it is not one. */
export function adminChangeOfEvent(value: unknown): AdminChange | undefined {
  const event = obj(value);
  const metadata = obj(event.metadata);
  if (metadata.log_name !== 'admin-change' || typeof event.time !== 'number') return undefined;
  const actor = obj(event.actor);
  const actorUser = obj(actor.user);
  const session = obj(actor.session);
  const unmapped = obj(event.unmapped);
  const endpoint = obj(event.src_endpoint);
  const resource = obj(Array.isArray(event.resources) ? event.resources[0] : undefined);
  return {
    time: event.time,
    uid: str(metadata.uid),
    classUid: typeof event.class_uid === 'number' ? event.class_uid : 0,
    typeName: str(event.type_name),
    operation: str(obj(event.api).operation),
    outcome: event.status_id === 1 ? 'success' : event.status_id === 2 ? 'failure' : null,
    severityId: typeof event.severity_id === 'number' ? event.severity_id : null,
    message: str(event.message),
    actor: {
      arn: str(actorUser.uid),
      name: str(actorUser.name),
      type: str(actorUser.type),
      accessKeyId: str(actorUser.credential_uid),
      sessionIssuer: str(session.issuer),
      sessionMfa: typeof session.is_mfa === 'boolean' ? session.is_mfa : null,
      invokedBy: str(actor.invoked_by),
    },
    target: {
      userUid: str(obj(event.user).uid),
      group: str(unmapped.groupName),
      client: str(unmapped.clientId),
      resourceType: str(resource.type),
      resourceUid: str(resource.uid),
      resourceName: str(resource.name),
    },
    ip: str(endpoint.ip),
    country: str(obj(endpoint.location).country),
    changes: Array.isArray(unmapped.changes) ? unmapped.changes.map(String) : [],
    errorCode: str(unmapped.errorCode),
    flags: {
      privileged: unmapped.privileged === true,
      weakened: unmapped.weakened === true,
      triggerTampered: unmapped.triggerTampered === true,
      clientWidened: unmapped.clientWidened === true,
    },
    raw: value,
  };
}

/** Whether a live admin change passes the filters (those the admin-changes route applies). */
export function adminChangeMatches(change: AdminChange, filters: Filters, now: number): boolean {
  const asRow = {
    time: change.time,
    uid: change.uid,
    typeName: change.typeName,
    eventCode: change.operation,
    outcome: change.outcome,
    user: change.target.userUid,
    ip: change.ip,
    country: change.country,
    client: change.target.client,
    reason: null,
    statusDetail: null,
    message: change.message,
  };
  if (!rowMatches(asRow, filters, now)) return false;
  if (filters.severity && change.severityId !== SEVERITY_IDS[filters.severity]) return false;
  if (filters.actor) {
    const { arn, name, accessKeyId, sessionIssuer } = change.actor;
    if (![arn, name, accessKeyId, sessionIssuer].includes(filters.actor)) return false;
  }
  return true;
}

/**
 * A principal's ARN as a person reads it: an IAM user's name, `role/session` of an
 * assumed role, `root (account)`; anything else as it is, cut to its last 40 characters.
 */
export function shortPrincipal(arn: string | null, name: string | null = null): string {
  if (arn === null) return name ?? 'unknown principal';
  const match = /^arn:[\w-]+:(?:iam|sts)::(\d{12}):(.+)$/.exec(arn);
  const resource = match?.[2];
  if (!match || resource === undefined) return arn.length > 40 ? `…${arn.slice(-39)}` : arn;
  if (resource === 'root') return `root (${match[1]})`;
  const [kind, ...rest] = resource.split('/');
  switch (kind) {
    case 'assumed-role':
      return rest.join('/');
    case 'user':
    case 'role':
    case 'federated-user':
      return rest.at(-1) ?? resource;
    default:
      return resource;
  }
}
