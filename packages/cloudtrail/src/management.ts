/**
 * Cognito's management calls (user administration and pool configuration) as CloudTrail
 * records them → one OCSF event each. Pure: the record's JSON, the config, the baseline
 * and the GeoIP reader give the event (with a fresh uid).
 *
 * - what an admin did to one user → Account Change (3001);
 * - a user given or taken a group → User Access Management (3005), the group in
 *   `privileges` and `unmapped.groupName`, `unmapped.privileged` when it is one of the
 *   configured privileged groups;
 * - the pool's configuration (pool, MFA, clients, groups, identity providers, custom
 *   attributes, domain, risk configuration, import jobs) → API Activity (6003).
 *
 * Each carries the actor (`userIdentity`: the principal's ARN, the access key id, the
 * session issuer and whether the session used MFA, the service that invoked it), the
 * source IP with GeoIP, the user agent, the target's `sub` (`additionalEventData.sub`;
 * CloudTrail hides the user name), the resources changed, and what changed: the member
 * names (`unmapped.changes`), the values set (`unmapped.after`, JSON, by allowlist, see
 * `management-changes.ts`) and, where the deployed baseline knows it, the deployed value
 * (`unmapped.before`). CloudTrail records only the request, so "before" is what the CDK
 * app deployed, not the value just replaced. Against that baseline the mapping flags
 * `triggerTampered` (an Authwatch trigger missing or pointing elsewhere: note that
 * UpdateUserPool without a LambdaConfig detaches every trigger), `weakened` (MFA lower
 * than deployed, or a weaker password policy: left out, UpdateUserPool resets it to the
 * default) and `clientWidened` (callback URLs or OAuth flows the deployed clients lack).
 *
 * Record shapes: the Cognito developer guide's CloudTrail examples ("Example Amazon
 * Cognito events") and CloudTrail's `userIdentity` element (CloudTrail user guide,
 * "CloudTrail userIdentity element"); fixtures in `packages/testing/events/cloudtrail/management/`.
 */
import {
  ACCOUNT_CHANGE_ACTIVITY,
  ADMIN_CHANGE_CLASSES,
  type AdminChangeClass,
  API_ACTIVITY,
  type AuditContext,
  type AuditEvent,
  adminChange,
  LOG_PROVIDER,
  type OcsfActor,
  type OcsfResource,
  parseSourceIp,
  SEVERITY,
  type SeverityId,
  USER_ACCESS_ACTIVITY,
} from '@authwatch/audit';
import type { CloudTrailConfig } from './config.js';
import type { GeoIp } from './geoip.js';
import { changedMembers, changePaths, isObject, scrub, strings } from './management-changes.js';
import {
  DEFAULT_MANAGEMENT,
  type ManagementConfig,
  type PoolBaseline,
} from './management-config.js';
import { cleanUserAgent, reasonOf } from './map.js';
import { COGNITO_EVENT_SOURCE, REDACTION_MARKERS } from './record.js';

type Json = Record<string, unknown>;

interface CallSpec {
  classInfo: AdminChangeClass;
  activityId: number;
  activityName: string;
  /** The resource type the call changes (API Activity). */
  resource?: string;
}

const user = (activityId: number, activityName: string): CallSpec => ({
  classInfo: ADMIN_CHANGE_CLASSES.accountChange,
  activityId,
  activityName,
});
const config = (activityId: number, resource: string): CallSpec => ({
  classInfo: ADMIN_CHANGE_CLASSES.apiActivity,
  activityId,
  activityName: ['Unknown', 'Create', 'Read', 'Update', 'Delete'][activityId] ?? 'Other',
  resource,
});
const A = ACCOUNT_CHANGE_ACTIVITY;
const API = API_ACTIVITY;

/** Every management call mapped, with its class and activity. */
export const MANAGEMENT_CALLS: Readonly<Record<string, CallSpec>> = {
  AdminCreateUser: user(A.create, 'Create'),
  AdminDeleteUser: user(A.delete, 'Delete'),
  AdminDisableUser: user(A.disable, 'Disable'),
  AdminEnableUser: user(A.enable, 'Enable'),
  AdminSetUserPassword: user(A.passwordChange, 'Password Change'),
  AdminResetUserPassword: user(A.passwordReset, 'Password Reset'),
  AdminUpdateUserAttributes: user(A.other, 'Attributes Update'),
  AdminDeleteUserAttributes: user(A.other, 'Attributes Delete'),
  AdminSetUserMFAPreference: user(A.mfaFactorEnable, 'MFA Factor Enable'),
  AdminUserGlobalSignOut: user(A.other, 'Global Sign-Out'),
  AdminLinkProviderForUser: user(A.other, 'Link Provider'),
  AdminDisableProviderForUser: user(A.other, 'Unlink Provider'),
  AdminAddUserToGroup: {
    classInfo: ADMIN_CHANGE_CLASSES.userAccess,
    activityId: USER_ACCESS_ACTIVITY.assignPrivileges,
    activityName: 'Assign Privileges',
  },
  AdminRemoveUserFromGroup: {
    classInfo: ADMIN_CHANGE_CLASSES.userAccess,
    activityId: USER_ACCESS_ACTIVITY.revokePrivileges,
    activityName: 'Revoke Privileges',
  },
  CreateUserPool: config(API.create, 'UserPool'),
  UpdateUserPool: config(API.update, 'UserPool'),
  DeleteUserPool: config(API.delete, 'UserPool'),
  SetUserPoolMfaConfig: config(API.update, 'UserPool'),
  AddCustomAttributes: config(API.update, 'UserPool'),
  SetRiskConfiguration: config(API.update, 'UserPool'),
  CreateUserPoolClient: config(API.create, 'UserPoolClient'),
  UpdateUserPoolClient: config(API.update, 'UserPoolClient'),
  DeleteUserPoolClient: config(API.delete, 'UserPoolClient'),
  CreateGroup: config(API.create, 'Group'),
  UpdateGroup: config(API.update, 'Group'),
  DeleteGroup: config(API.delete, 'Group'),
  CreateIdentityProvider: config(API.create, 'IdentityProvider'),
  UpdateIdentityProvider: config(API.update, 'IdentityProvider'),
  DeleteIdentityProvider: config(API.delete, 'IdentityProvider'),
  CreateUserPoolDomain: config(API.create, 'UserPoolDomain'),
  UpdateUserPoolDomain: config(API.update, 'UserPoolDomain'),
  DeleteUserPoolDomain: config(API.delete, 'UserPoolDomain'),
  CreateUserImportJob: config(API.create, 'UserImportJob'),
  StartUserImportJob: config(API.update, 'UserImportJob'),
  StopUserImportJob: config(API.update, 'UserImportJob'),
};

/** The management calls (infra's EventBridge rule forwards these too). */
export const MANAGEMENT_CALL_NAMES = Object.keys(MANAGEMENT_CALLS);

export type ManagementSkip = 'not-a-management-call' | 'other-pool' | 'malformed-record';
export type ManagementMapped =
  | { kind: 'event'; event: AuditEvent }
  | { kind: 'skip'; reason: ManagementSkip };

/** A string of the given form that is not a redaction marker, else undefined. */
function text(value: unknown, form: RegExp): string | undefined {
  return typeof value === 'string' && form.test(value) && !REDACTION_MARKERS.includes(value)
    ? value
    : undefined;
}

const ARN = /^arn:[\w-]+:[\w-]*:[\w-]*:\d{0,12}:[\w+=,.@/:-]{1,512}$/;
const ACCESS_KEY = /^[A-Z0-9]{16,128}$/;
const ACCOUNT = /^\d{12}$/;
const NAME = /^[\w+=,.@-]{1,128}$/;
const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
const SUB = /^[\w-]{1,128}$/;
const SERVICE = /^[\w.-]{1,128}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The actor from CloudTrail's `userIdentity`. */
export function actorOf(identity: unknown): OcsfActor {
  const actor: OcsfActor = { user: {} };
  if (!isObject(identity)) return actor;
  const session = isObject(identity.sessionContext) ? identity.sessionContext : {};
  const issuer = isObject(session.sessionIssuer) ? session.sessionIssuer : {};
  const attributes = isObject(session.attributes) ? session.attributes : {};
  const arn = text(identity.arn, ARN);
  if (arn) actor.user.uid = arn;
  const name = text(identity.userName, NAME) ?? text(issuer.userName, NAME);
  if (name) actor.user.name = name;
  const type = text(identity.type, /^[A-Za-z]{1,32}$/);
  if (type) actor.user.type = type;
  const key = text(identity.accessKeyId, ACCESS_KEY);
  if (key) actor.user.credential_uid = key;
  const account = text(identity.accountId, ACCOUNT);
  if (account) actor.user.account = { uid: account };
  const issuerArn = text(issuer.arn, ARN);
  const created = text(attributes.creationDate, ISO_TIME);
  if (issuerArn || created || attributes.mfaAuthenticated !== undefined) {
    actor.session = {};
    if (issuerArn) actor.session.issuer = issuerArn;
    if (created) actor.session.created_time = Date.parse(created);
    if (attributes.mfaAuthenticated !== undefined) {
      actor.session.is_mfa = attributes.mfaAuthenticated === 'true';
    }
  }
  const invokedBy = text(identity.invokedBy, SERVICE);
  if (invokedBy) actor.invoked_by = invokedBy;
  return actor;
}

function resourceOf(spec: CallSpec, request: Json, response: Json, poolId: string): OcsfResource[] {
  const pool: OcsfResource = { type: 'UserPool', uid: poolId };
  switch (spec.resource) {
    case 'UserPoolClient': {
      const client = isObject(response.userPoolClient) ? response.userPoolClient : {};
      const uid =
        text(request.clientId, /^[\w+]{1,128}$/) ?? text(client.clientId, /^[\w+]{1,128}$/);
      const name = text(request.clientName, /^[\w\s+=,.@-]{1,128}$/);
      return [{ type: 'UserPoolClient', ...(uid ? { uid } : {}), ...(name ? { name } : {}) }, pool];
    }
    case 'Group': {
      const name = text(request.groupName, /^.{1,128}$/u);
      return [{ type: 'Group', ...(name ? { name } : {}) }, pool];
    }
    case 'IdentityProvider': {
      const name = text(request.providerName, /^.{1,32}$/u);
      return [{ type: 'IdentityProvider', ...(name ? { name } : {}) }, pool];
    }
    case 'UserPoolDomain': {
      const name = text(request.domain, /^[\w.-]{1,253}$/);
      return [{ type: 'UserPoolDomain', ...(name ? { name } : {}) }, pool];
    }
    case 'UserImportJob': {
      const job = isObject(response.userImportJob) ? response.userImportJob : {};
      const uid =
        text(request.jobId, /^import-[\w]{1,64}$/) ?? text(job.jobId, /^import-[\w]{1,64}$/);
      return [{ type: 'UserImportJob', ...(uid ? { uid } : {}) }, pool];
    }
    default:
      return [pool];
  }
}

const MFA_RANK: Record<string, number> = { OFF: 0, OPTIONAL: 1, ON: 2 };

interface Flags {
  triggerTampered?: boolean;
  weakened?: boolean;
  clientWidened?: boolean;
  before?: Json;
}

/** Compares what the call set with the deployed baseline. */
function compare(operation: string, after: Json, baseline: PoolBaseline): Flags {
  const flags: Flags = {};
  const before: Json = {};
  if (operation === 'UpdateUserPool') {
    // Left out of UpdateUserPool, a member goes back to its default (no trigger, MFA OFF,
    // the default password policy): the comparison takes the call as Cognito applies it.
    const lambda = isObject(after.lambdaConfig) ? after.lambdaConfig : {};
    const deployed = Object.entries(baseline.triggers);
    if (deployed.length > 0) {
      before.lambdaConfig = baseline.triggers;
      flags.triggerTampered = deployed.some(([name, arn]) => {
        const now =
          name === 'PreTokenGeneration' && isObject(lambda.preTokenGenerationConfig)
            ? (lambda.preTokenGenerationConfig.lambdaArn ?? lambda.preTokenGeneration)
            : lambda[name.charAt(0).toLowerCase() + name.slice(1)];
        return now !== arn;
      });
    }
    const mfa = typeof after.mfaConfiguration === 'string' ? after.mfaConfiguration : 'OFF';
    if (baseline.mfa !== undefined) {
      before.mfaConfiguration = baseline.mfa;
      if ((MFA_RANK[mfa] ?? 0) < (MFA_RANK[baseline.mfa] ?? 0)) flags.weakened = true;
    }
    if (baseline.passwordPolicy !== undefined) {
      before.passwordPolicy = baseline.passwordPolicy;
      const policies = isObject(after.policies) ? after.policies : {};
      const set = isObject(policies.passwordPolicy) ? policies.passwordPolicy : undefined;
      // Left out: Cognito's default policy (8 characters, every class required).
      const length = set === undefined ? 8 : Number(set.minimumLength ?? 8);
      const required = (name: string) => (set === undefined ? true : set[name] === true);
      const weaker =
        length < baseline.passwordPolicy.minimumLength ||
        (
          ['requireUppercase', 'requireLowercase', 'requireNumbers', 'requireSymbols'] as const
        ).some((name) => baseline.passwordPolicy?.[name] === true && !required(name));
      if (weaker) flags.weakened = true;
    }
  }
  if (operation === 'SetUserPoolMfaConfig' && typeof after.mfaConfiguration === 'string') {
    if (baseline.mfa !== undefined) {
      before.mfaConfiguration = baseline.mfa;
      if ((MFA_RANK[after.mfaConfiguration] ?? 0) < (MFA_RANK[baseline.mfa] ?? 0)) {
        flags.weakened = true;
      }
    } else if (after.mfaConfiguration !== 'ON') flags.weakened = true;
  }
  if (operation === 'CreateUserPoolClient' || operation === 'UpdateUserPoolClient') {
    const urls = [...strings(after.callbackURLs), ...strings(after.logoutURLs)];
    const flows = strings(after.allowedOAuthFlows);
    const known = baseline.clients;
    if (known) before.clients = known;
    const widened = known
      ? urls.some((url) => !known.callbackURLs.includes(url)) ||
        flows.some((flow) => !(known.oauthFlows as string[]).includes(flow))
      : urls.length > 0 || flows.length > 0;
    if (widened) flags.clientWidened = true;
  }
  if (Object.keys(before).length > 0) flags.before = before;
  return flags;
}

/** A JSON text of at most 4 KiB (the column is a string; a longer one is cut and marked). */
function jsonText(value: unknown): string {
  const textValue = JSON.stringify(value);
  return textValue.length <= 4096 ? textValue : `${textValue.slice(0, 4080)}…(truncated)`;
}

function severityOf(flags: Flags, privileged: boolean): SeverityId {
  if (flags.triggerTampered) return SEVERITY.high;
  if (flags.weakened || flags.clientWidened || privileged) return SEVERITY.medium;
  return SEVERITY.informational;
}

/** Whether an MFA preference call turns a factor on (else it turns factors off). */
function enablesFactor(request: Json): boolean {
  return ['sMSMfaSettings', 'softwareTokenMfaSettings', 'emailMfaSettings'].some((name) => {
    const settings = request[name];
    return isObject(settings) && settings.enabled === true;
  });
}

function contextOf(detail: Json, poolId: string, geo: GeoIp, time: number): AuditContext {
  const eventName = detail.eventName as string;
  const ctx: AuditContext = {
    userPoolId: poolId,
    region: detail.awsRegion as string,
    triggerSource: eventName,
    // An admin call names no app client (a client change names its own, below).
    clientId: 'admin',
    now: time,
    logProvider: LOG_PROVIDER.cloudtrail,
    correlationUid: detail.eventID as string,
  };
  const extra = isObject(detail.additionalEventData) ? detail.additionalEventData : {};
  const sub = text(extra.sub, SUB);
  if (sub) ctx.userSub = sub;
  const ip = parseSourceIp(
    typeof detail.sourceIPAddress === 'string' ? detail.sourceIPAddress : undefined,
  );
  if (ip !== undefined) {
    ctx.sourceIp = ip;
    const facts = geo.lookup(ip);
    if (facts.location) ctx.location = facts.location;
    if (facts.autonomousSystem) ctx.autonomousSystem = facts.autonomousSystem;
  }
  if (typeof detail.userAgent === 'string' && detail.userAgent !== '') {
    ctx.userAgent = cleanUserAgent(detail.userAgent);
  }
  return ctx;
}

/** Maps one CloudTrail record (the EventBridge event's `detail`) of a management call. */
export function mapManagementRecord(
  detail: unknown,
  config: CloudTrailConfig,
  geo: GeoIp,
  management: ManagementConfig = DEFAULT_MANAGEMENT,
): ManagementMapped {
  if (!isObject(detail) || detail.eventSource !== COGNITO_EVENT_SOURCE) {
    return { kind: 'skip', reason: 'not-a-management-call' };
  }
  const operation = typeof detail.eventName === 'string' ? detail.eventName : '';
  const spec = Object.hasOwn(MANAGEMENT_CALLS, operation) ? MANAGEMENT_CALLS[operation] : undefined;
  if (spec === undefined) return { kind: 'skip', reason: 'not-a-management-call' };
  const rawTime = typeof detail.eventTime === 'string' ? detail.eventTime : '';
  const time = ISO_TIME.test(rawTime) ? Date.parse(rawTime) : Number.NaN;
  if (
    !Number.isFinite(time) ||
    text(detail.eventID, /^[\w.:+/-]{1,128}$/) === undefined ||
    text(detail.awsRegion, /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/) === undefined
  ) {
    return { kind: 'skip', reason: 'malformed-record' };
  }
  const request = isObject(detail.requestParameters) ? detail.requestParameters : {};
  const response = isObject(detail.responseElements) ? detail.responseElements : {};
  const created = isObject(response.userPool) ? response.userPool : {};
  const poolId = text(request.userPoolId, POOL_ID) ?? text(created.id, POOL_ID);
  if (config.userPoolId !== undefined && poolId !== undefined && poolId !== config.userPoolId) {
    return { kind: 'skip', reason: 'other-pool' };
  }
  const pool = poolId ?? config.userPoolId ?? 'unknown';
  const ctx = contextOf(detail, pool, geo, time);
  const after = scrub(changedMembers(operation, request)) as Json;
  const flags = compare(operation, after, management.baseline);
  const scrubbedGroup = scrub(request.groupName);
  const group =
    spec.resource === 'Group' || spec.classInfo.uid === ADMIN_CHANGE_CLASSES.userAccess.uid
      ? text(scrubbedGroup, /^.{1,128}$/u)
      : undefined;
  const membership = spec.classInfo.uid === ADMIN_CHANGE_CLASSES.userAccess.uid;
  const privileged =
    membership && group !== undefined && management.privilegedGroups.includes(group);
  let activityId = spec.activityId;
  let activityName = spec.activityName;
  if (operation === 'AdminSetUserMFAPreference' && !enablesFactor(request)) {
    activityId = ACCOUNT_CHANGE_ACTIVITY.mfaFactorDisable;
    activityName = 'MFA Factor Disable';
  }
  if (operation === 'AdminSetUserPassword' && request.permanent !== true) {
    activityId = ACCOUNT_CHANGE_ACTIVITY.passwordReset;
    activityName = 'Password Reset';
  }
  const errorCode =
    typeof detail.errorCode === 'string' && detail.errorCode !== ''
      ? (text(detail.errorCode, /^[A-Za-z][\w.:]{0,99}$/) ?? 'UnknownError')
      : undefined;
  const actor = actorOf(detail.userIdentity);
  const who = actor.user.name ?? actor.user.uid ?? 'an unknown principal';
  const target = membership ? ` (group ${group ?? 'unknown'})` : '';
  const event = adminChange(ctx, {
    operation,
    classInfo: spec.classInfo,
    activityId,
    activityName,
    ...(errorCode
      ? {
          failure: {
            errorCode,
            reason: reasonOf(
              errorCode,
              typeof detail.errorMessage === 'string' ? detail.errorMessage : undefined,
            ),
          },
        }
      : {}),
    severityId: errorCode ? SEVERITY.low : severityOf(flags, privileged),
    message: `${operation}${target} by ${who}${errorCode ? ` failed (${errorCode})` : ''}`,
    actor,
    ...(text(detail.requestID, /^[\w-]{1,128}$/) ? { requestId: detail.requestID as string } : {}),
    // Names come from the request: scrubbed like the rest (a secret-looking name is dropped).
    resources: scrub(resourceOf(spec, request, response, pool)) as OcsfResource[],
    ...(membership && group ? { privileges: [group] } : {}),
    details: {
      ...(group !== undefined ? { groupName: group } : {}),
      ...(membership ? { privileged } : {}),
      changes: changePaths(after),
      ...(Object.keys(after).length > 0 ? { after: jsonText(after) } : {}),
      ...(flags.before ? { before: jsonText(flags.before) } : {}),
      ...(flags.triggerTampered !== undefined ? { triggerTampered: flags.triggerTampered } : {}),
      ...(flags.weakened ? { weakened: true } : {}),
      ...(flags.clientWidened ? { clientWidened: true } : {}),
      ...(typeof request.clientId === 'string' && /^[\w+]{1,128}$/.test(request.clientId)
        ? { clientId: request.clientId }
        : {}),
    },
  });
  return { kind: 'event', event };
}

/** Maps an SQS message body (EventBridge event or bare record); undefined if not a management call. */
export function mapManagementBody(
  body: string,
  config: CloudTrailConfig,
  geo: GeoIp,
  management?: ManagementConfig,
): ManagementMapped | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const detail = 'detail' in value ? value.detail : value;
  if (!isObject(detail) || typeof detail.eventName !== 'string') return undefined;
  if (!Object.hasOwn(MANAGEMENT_CALLS, detail.eventName)) return undefined;
  if ('detail' in value && value.source !== 'aws.cognito-idp') return undefined;
  return mapManagementRecord(detail, config, geo, management);
}
