/**
 * The slice of OCSF 1.3.0 that Authwatch emits: the Authentication class (3002) for
 * sign-in, challenge and token events, and the Account Change class (3001) for sign-up.
 * Field names are OCSF's own (snake_case); everything Cognito tells us that OCSF has
 * no attribute for goes to `unmapped`, with a fixed set of keys so the Glue table that
 * converts the stream to Parquet can name every column.
 *
 * @see https://schema.ocsf.io/1.3.0/classes/authentication
 * @see https://schema.ocsf.io/1.3.0/classes/account_change
 */

/** The OCSF schema version every event declares in `metadata.version`. */
export const OCSF_VERSION = '1.3.0';

/** `metadata.product` of every event. */
export const AUDIT_PRODUCT = {
  name: 'Authwatch',
  vendor_name: 'Authwatch',
  version: '0.1.0',
} as const;

/** Identity & Access Management. */
export const CATEGORY_IAM = { uid: 3, name: 'Identity & Access Management' } as const;

export const CLASS_ACCOUNT_CHANGE = { uid: 3001, name: 'Account Change' } as const;
export const CLASS_AUTHENTICATION = { uid: 3002, name: 'Authentication' } as const;
/** User Access Management: a user given or taken a group (Cognito's privilege sets). */
export const CLASS_USER_ACCESS = { uid: 3005, name: 'User Access Management' } as const;
/** Application Activity: the category of API Activity. */
export const CATEGORY_APPLICATION = { uid: 6, name: 'Application Activity' } as const;
/** API Activity: a Cognito API call seen through CloudTrail that is not itself a sign-in. */
export const CLASS_API_ACTIVITY = { uid: 6003, name: 'API Activity' } as const;

/** Activity ids of the Account Change class that we use. */
export const ACCOUNT_CHANGE_ACTIVITY = {
  create: 1,
  enable: 2,
  passwordChange: 3,
  passwordReset: 4,
  disable: 5,
  delete: 6,
  mfaFactorEnable: 10,
  mfaFactorDisable: 11,
  other: 99,
} as const;

/** Activity ids of the Authentication class that we use. */
export const AUTHENTICATION_ACTIVITY = {
  logon: 1,
  /** OCSF: "Authentication Ticket"; Cognito's token issue is the closest match. */
  authenticationTicket: 3,
  /** OCSF 1.3: "Preauth", a sign-in attempt before the credential is checked. */
  preauth: 6,
  other: 99,
} as const;

/** OCSF `severity_id`. */
export const SEVERITY = {
  informational: 1,
  low: 2,
  medium: 3,
  high: 4,
} as const;
export type SeverityId = (typeof SEVERITY)[keyof typeof SEVERITY];
export const SEVERITY_NAMES: Record<SeverityId, string> = {
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
};

/** OCSF `status_id`. */
export const STATUS = { success: 1, failure: 2 } as const;
export type StatusId = (typeof STATUS)[keyof typeof STATUS];
export const STATUS_NAMES: Record<StatusId, string> = { 1: 'Success', 2: 'Failure' };

/** OCSF `auth_protocol_id` 99 ("Other"): Cognito's own flows are none of OCSF's list. */
export const AUTH_PROTOCOL_OTHER = 99;

/** OCSF `user` object: who the event is about. */
export interface OcsfUser {
  /** The user name Cognito knows the user by. */
  name?: string;
  /** The user's stable id (`sub`). */
  uid?: string;
  /** Only when the deployment allows emails in audit records (AUDIT_INCLUDE_EMAIL). */
  email_addr?: string;
  /** `User`, or `Service` for a machine-to-machine client. */
  type?: string;
}

/** Where events come from (`metadata.log_provider`): a Cognito trigger or CloudTrail. */
export const LOG_PROVIDER = { trigger: 'cognito-trigger', cloudtrail: 'cloudtrail' } as const;
export type LogProvider = (typeof LOG_PROVIDER)[keyof typeof LOG_PROVIDER];

/** OCSF `location`: what a GeoIP database says of an IP. */
export interface OcsfLocation {
  /** ISO 3166-1 alpha-2 country code. */
  country?: string;
  city?: string;
  lat?: number;
  long?: number;
}

/** OCSF `network_endpoint` as Authwatch fills it. */
export interface OcsfEndpoint {
  ip: string;
  location?: OcsfLocation;
  autonomous_system?: { number?: number; name?: string };
}

/**
 * Facts with no OCSF attribute. A fixed, flat set of optional keys: the Glue table
 * behind Athena lists each as a column.
 */
export interface AuditUnmapped {
  clientId: string;
  triggerSource: string;
  reason?: string;
  autoConfirmed?: boolean;
  linkedToUser?: string;
  mode?: string;
  attempt?: number;
  maxAttempts?: number;
  matchedRules?: string[];
  claimsAdded?: string[];
  claimsSuppressed?: string[];
  scopesAdded?: string[];
  scopesSuppressed?: string[];
  tokenVersion?: string;
  /** Set when the event was cut to fit Firehose's 1,000 KiB record limit. */
  truncated?: boolean;
  /** Size in bytes of the event before it was cut. */
  originalSize?: number;
  /** Pre-auth, user not found: HMAC-SHA-256 of the entered name (never the name). */
  userNameHash?: string;
  /** Pre-auth: Cognito said the user does not exist (PreventUserExistenceErrors on). */
  userNotFound?: boolean;
  /** CloudTrail: the call's error code, e.g. NotAuthorizedException. */
  errorCode?: string;
  /** CloudTrail: the authentication flow of an InitiateAuth call. */
  authFlow?: string;
  /** CloudTrail: the challenge a RespondToAuthChallenge call answered. */
  challengeName?: string;
  /** CloudTrail: what a successful sign-in call returned: tokens, challenge, unknown. */
  outcome?: string;
  /** Admin change: the group a user was added to or removed from, or that changed. */
  groupName?: string;
  /** Admin change: the group is one of the configured privileged groups. */
  privileged?: boolean;
  /** Admin change: the request members the call set (names only, e.g. `LambdaConfig.PreSignUp`). */
  changes?: string[];
  /** Admin change: what was deployed, as JSON (secrets never included), when known. */
  before?: string;
  /** Admin change: what the call set, as JSON (secrets and personal data never included). */
  after?: string;
  /** Admin change: MFA made optional or off, or the password policy made weaker. */
  weakened?: boolean;
  /** Admin change: an Authwatch trigger detached from, or replaced in, the pool's LambdaConfig. */
  triggerTampered?: boolean;
  /** Admin change: a client given callback URLs or OAuth flows it was not deployed with. */
  clientWidened?: boolean;
}

/** OCSF `actor`: who made an admin call (the IAM principal CloudTrail names). */
export interface OcsfActor {
  user: {
    /** The principal's ARN. */
    uid?: string;
    name?: string;
    /** CloudTrail's userIdentity.type: IAMUser, AssumedRole, Root, AWSService, ... */
    type?: string;
    /** The access key id of the call. */
    credential_uid?: string;
    account?: { uid: string };
  };
  session?: {
    /** The ARN of the role or user that issued the session (sessionIssuer.arn). */
    issuer?: string;
    created_time?: number;
    is_mfa?: boolean;
  };
  /** The AWS service that made the call for the principal (userIdentity.invokedBy). */
  invoked_by?: string;
}

/** OCSF `resource_details` as admin changes fill it: what the call changed. */
export interface OcsfResource {
  /** UserPool, UserPoolClient, Group, IdentityProvider, UserImportJob, Domain, ... */
  type: string;
  uid?: string;
  name?: string;
}

/** One OCSF audit event as Authwatch emits it. */
export interface AuditEvent {
  activity_id: number;
  activity_name: string;
  category_uid: typeof CATEGORY_IAM.uid | typeof CATEGORY_APPLICATION.uid;
  category_name: string;
  class_uid:
    | typeof CLASS_ACCOUNT_CHANGE.uid
    | typeof CLASS_AUTHENTICATION.uid
    | typeof CLASS_USER_ACCESS.uid
    | typeof CLASS_API_ACTIVITY.uid;
  class_name: string;
  /** `class_uid * 100 + activity_id`. */
  type_uid: number;
  type_name: string;
  severity_id: SeverityId;
  severity: string;
  status_id: StatusId;
  status: string;
  status_detail: string;
  message: string;
  /** Epoch milliseconds. */
  time: number;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; version: string };
    /** Unique id of this event. */
    uid: string;
    /** The Cognito trigger source. */
    event_code: string;
    log_name: string;
    /** Which source recorded it: {@link LOG_PROVIDER}. */
    log_provider?: string;
    /** CloudTrail's eventID, for correlation with the trail. */
    correlation_uid?: string;
  };
  cloud: { provider: 'AWS'; region: string };
  service: { name: 'Amazon Cognito'; uid: string };
  user: OcsfUser;
  src_endpoint?: OcsfEndpoint;
  /** CloudTrail: the caller's user agent. */
  http_request?: { user_agent: string };
  /** API Activity: the Cognito operation (and CloudTrail's requestID for admin calls). */
  api?: { operation: string; request?: { uid: string } };
  /** Admin changes: the IAM principal that made the call. */
  actor?: OcsfActor;
  /** Admin changes: what the call changed. */
  resources?: OcsfResource[];
  /** User Access Management: the groups given or taken. */
  privileges?: string[];
  /** Authentication only: the sign-in came from a device not seen before. */
  is_new_logon?: boolean;
  /** Authentication only: a second factor was used. */
  is_mfa?: boolean;
  auth_protocol?: string;
  auth_protocol_id?: number;
  unmapped: AuditUnmapped;
}

/** The id of an event (its `metadata.uid`). */
export function eventId(event: AuditEvent): string {
  return event.metadata.uid;
}
