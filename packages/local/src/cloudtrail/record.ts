/**
 * The CloudTrail record Cognito writes for one user-pool API call, as the local stack
 * makes it: the same JSON shape and the same redactions as in AWS (Amazon Cognito
 * developer guide, "Logging Amazon Cognito API calls with AWS CloudTrail" and
 * "Understanding Amazon Cognito sign-in events"):
 *
 * - `requestParameters` / `responseElements` are the call's input and output with the
 *   member names in lower camel case (`AuthFlow` → `authFlow`);
 * - private members read `HIDDEN_DUE_TO_SECURITY_REASONS`: auth parameters, challenge
 *   responses and parameters, session, passwords, codes, tokens, the user name (Cognito
 *   records the user's `sub`, in `additionalEventData.sub`, not the name), attributes
 *   and client metadata; `clientId`, `authFlow`, `challengeName`, `userPoolId` stay clear;
 * - a failed call has `errorCode` / `errorMessage` and `responseElements: null`;
 * - an unsigned (public) call's `userIdentity` is `{type: Unknown, principalId: Anonymous}`,
 *   a signed (admin) call's is the IAM caller with its access key id;
 * - `sourceIPAddress` is the client's address: the connection's, or the first address
 *   of `X-Forwarded-For` when the request has one (so tests can play many clients).
 *
 * The record is then wrapped as the EventBridge event CloudTrail delivers for it
 * (`source: aws.cognito-idp`, `detail-type: AWS API Call via CloudTrail`).
 */

/** The marker AWS writes in place of a private value. */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** Lower-cased member names whose whole value is hidden. */
const HIDDEN_MEMBERS = new Set([
  'authparameters',
  'challengeresponses',
  'session',
  'password',
  'previouspassword',
  'proposedpassword',
  'temporarypassword',
  'confirmationcode',
  'code',
  'usercode',
  'secrethash',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'token',
  'username',
  'userattributes',
  'validationdata',
  'clientmetadata',
  'clientsecret',
  'secretcode',
  'destination',
  'usercontextdata',
]);

/** Members whose keys stay but whose every value is hidden. */
const HIDDEN_VALUES = new Set(['challengeparameters']);

function lowerCamel(name: string): string {
  return name.length === 0 ? name : name.charAt(0).toLowerCase() + name.slice(1);
}

/** The input or output of a call as CloudTrail shows it: lower camel case, redacted. */
export function redactMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactMembers);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    const name = lowerCamel(key);
    const lower = name.toLowerCase();
    if (HIDDEN_MEMBERS.has(lower)) out[name] = HIDDEN;
    else if (HIDDEN_VALUES.has(lower) && member !== null && typeof member === 'object') {
      out[name] = Object.fromEntries(Object.keys(member as object).map((k) => [k, HIDDEN]));
    } else out[name] = redactMembers(member);
  }
  return out;
}

/** One served API call, as the recorder sees it. */
export interface ApiCall {
  /** The operation (`X-Amz-Target`'s name), e.g. `InitiateAuth`. */
  operation: string;
  /** The request JSON as on the wire. */
  input: Record<string, unknown>;
  /** The response JSON, when the call succeeded. */
  output?: unknown;
  /** Cognito's error, when it failed. */
  error?: { code: string; message: string };
  sourceIp: string;
  userAgent?: string;
  /** The user's sub, when the call names a user that exists. */
  sub?: string;
  /** The access key id of a signed (admin) call. */
  accessKeyId?: string;
  region: string;
  accountId: string;
  /** Epoch ms. */
  time: number;
  requestId: string;
  eventId: string;
}

/** `2026-11-23T21:40:01Z`: CloudTrail's eventTime (whole seconds). */
export function eventTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

const READ_ONLY = /^(Admin)?(Get|List|Describe)/;

/** The CloudTrail record of `call`. */
export function cloudTrailRecord(call: ApiCall): Record<string, unknown> {
  const userIdentity =
    call.accessKeyId === undefined
      ? { type: 'Unknown', principalId: 'Anonymous' }
      : {
          type: 'IAMUser',
          principalId: call.accessKeyId,
          arn: `arn:aws:iam::${call.accountId}:user/local`,
          accountId: call.accountId,
          accessKeyId: call.accessKeyId,
          userName: 'local',
        };
  const record: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity,
    eventTime: eventTime(call.time),
    eventSource: 'cognito-idp.amazonaws.com',
    eventName: call.operation,
    awsRegion: call.region,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent ?? '',
  };
  if (call.error) {
    record.errorCode = call.error.code;
    record.errorMessage = call.error.message;
  }
  record.requestParameters = redactMembers(call.input);
  record.responseElements = call.error ? null : (redactMembers(call.output ?? null) ?? null);
  if (call.sub !== undefined) record.additionalEventData = { sub: call.sub };
  Object.assign(record, {
    requestID: call.requestId,
    eventID: call.eventId,
    readOnly: READ_ONLY.test(call.operation),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: call.accountId,
    eventCategory: 'Management',
  });
  return record;
}

/** The EventBridge event CloudTrail delivers for `record`. */
export function eventBridgeEvent(
  record: Record<string, unknown>,
  id: string,
): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cognito-idp',
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

/**
 * The client's address: the first `X-Forwarded-For` entry when there is one, else the
 * connection's (an IPv4-mapped IPv6 address as plain IPv4).
 */
export function sourceIpOf(
  headers: Record<string, string | string[] | undefined>,
  remoteAddress: string | undefined,
): string {
  const forwarded = headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const address = first !== undefined && first !== '' ? first : (remoteAddress ?? '127.0.0.1');
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The access key id in a SigV4 `Authorization` header, if signed. */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  return /Credential=([A-Z0-9]{16,128})\//.exec(authorization ?? '')?.[1];
}
