import type { OcsfEndpoint } from './ocsf.js';

/**
 * The facts of one trigger invocation that every audit event repeats, taken from the
 * Cognito event once. Pure: the same event and clock give the same context.
 */

/** The parts of any Cognito user-pool trigger event the audit context reads. */
export interface AuditSourceEvent {
  userPoolId: string;
  region: string;
  triggerSource: string;
  userName?: string | null;
  callerContext: { clientId: string };
  request: {
    userAttributes?: Record<string, string> | null;
    clientMetadata?: Record<string, string> | null;
  };
}

/** Common facts of one trigger invocation. */
export interface AuditContext {
  userPoolId: string;
  region: string;
  triggerSource: string;
  clientId: string;
  /** Cognito's user name; absent for the client-credentials (machine) flow. */
  userName?: string;
  /** The user's `sub`, when Cognito sent it. */
  userSub?: string;
  /**
   * The user's email as Cognito sent it. Builders copy it into `user.email_addr`; the
   * auditor removes it before anything leaves the process unless AUDIT_INCLUDE_EMAIL
   * is true.
   */
  email?: string;
  /** The client's IP, only when the app passed it in clientMetadata. */
  sourceIp?: string;
  /** Epoch ms the events of this invocation are stamped with. */
  now: number;
  /** Which source recorded the events (default: a Cognito trigger). */
  logProvider?: string;
  /** An id of the source record the events come from (CloudTrail's eventID). */
  correlationUid?: string;
  /** The caller's user agent (CloudTrail). */
  userAgent?: string;
  /** GeoIP facts of `sourceIp`. */
  location?: OcsfEndpoint['location'];
  autonomousSystem?: OcsfEndpoint['autonomous_system'];
}

export interface AuditContextOptions {
  /** Leave the email out from the start (default: keep it; the auditor decides). */
  includeEmail?: boolean;
}

// An IPv4 or IPv6 literal: the app's clientMetadata is outside input, so anything else
// (a host name, a list, a script) is not recorded as an IP.
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;

/** Returns `raw` when it is an IP address literal, else undefined. */
export function parseSourceIp(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim();
  if (IPV4.test(value)) return value;
  if (value.includes(':') && IPV6.test(value) && value.split('::').length <= 2) return value;
  return undefined;
}

/**
 * Builds the audit context of one invocation. The source IP comes from
 * `clientMetadata.sourceIp` (or `clientMetadata.ip`) when it is an IP literal.
 *
 * @example
 * ```ts
 * const ctx = auditContextFromEvent(event, ctx.now());
 * const audit = [signUpAllowed(ctx, { autoConfirmed: false })];
 * ```
 */
export function auditContextFromEvent(
  event: AuditSourceEvent,
  now: number,
  options: AuditContextOptions = {},
): AuditContext {
  const attributes = event.request.userAttributes ?? {};
  const metadata = event.request.clientMetadata ?? {};
  const context: AuditContext = {
    userPoolId: event.userPoolId,
    region: event.region,
    triggerSource: event.triggerSource,
    clientId: event.callerContext.clientId,
    now,
  };
  if (event.userName) context.userName = event.userName;
  if (attributes.sub) context.userSub = attributes.sub;
  if (attributes.email && options.includeEmail !== false) context.email = attributes.email;
  const ip = parseSourceIp(metadata.sourceIp ?? metadata.ip);
  if (ip) context.sourceIp = ip;
  return context;
}
