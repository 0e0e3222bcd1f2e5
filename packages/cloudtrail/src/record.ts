/**
 * Reading one SQS message: the EventBridge event that wraps a CloudTrail record of a
 * Cognito user-pool API call (`source: aws.cognito-idp`, `detail-type: AWS API Call via
 * CloudTrail`). Whatever the body, the answer is a record or a named reason to skip,
 * never an exception.
 *
 * What Cognito writes to CloudTrail (Amazon Cognito developer guide, "Logging Amazon
 * Cognito API calls with AWS CloudTrail" and "Understanding Amazon Cognito sign-in
 * events"):
 * https://docs.aws.amazon.com/cognito/latest/developerguide/logging-using-cloudtrail.html
 * https://docs.aws.amazon.com/cognito/latest/developerguide/understanding-amazon-cognito-entries.html
 * - every user-pool API call is a management event, with `sourceIPAddress`, `userAgent`,
 *   and `errorCode`/`errorMessage` when it failed (the guide's hosted-UI examples carry
 *   them as empty strings on success);
 * - Cognito records the user's `sub` (`additionalEventData.sub`), not the user name;
 * - private fields are obscured: the sign-in calls' `authParameters`, `challengeResponses`,
 *   passwords, codes, session and tokens read `HIDDEN_DUE_TO_SECURITY_REASONS` (the
 *   guide's "Confidential data" section spells it `HIDDEN_FOR_SECURITY_REASONS`);
 *   `clientId`, `authFlow` and `challengeName` are kept in clear;
 * - the guide's Logs Insights examples query `additionalEventData.sub` with
 *   `errorCode = "NotAuthorizedException"` for failed sign-ins:
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/analyzingcteventscwinsight.html
 *
 * This module copies only the fields the mapping needs, each checked for its form;
 * no credential field (see {@link CREDENTIAL_FIELDS}) is ever read, so a record that
 * AWS failed to redact still cannot carry a secret into a log or an event.
 */

/** The CloudTrail eventSource of user-pool calls. */
export const COGNITO_EVENT_SOURCE = 'cognito-idp.amazonaws.com';
/** EventBridge `source` and `detail-type` of CloudTrail's API-call events for Cognito. */
export const EVENTBRIDGE_SOURCE = 'aws.cognito-idp';
export const EVENTBRIDGE_DETAIL_TYPE = 'AWS API Call via CloudTrail';

/** The redaction markers AWS writes in place of a private value. */
export const REDACTION_MARKERS = ['HIDDEN_DUE_TO_SECURITY_REASONS', 'HIDDEN_FOR_SECURITY_REASONS'];

/**
 * Request and response fields that hold credentials. Never read: listed so tests can
 * put secrets there and prove none comes out.
 */
export const CREDENTIAL_FIELDS = [
  'authParameters',
  'challengeResponses',
  'password',
  'previousPassword',
  'proposedPassword',
  'temporaryPassword',
  'confirmationCode',
  'code',
  'userCode',
  'session',
  'secretHash',
  'accessToken',
  'refreshToken',
  'idToken',
  'authenticationResult',
  'challengeParameters',
  'username',
  'userAttributes',
  'validationData',
  'clientMetadata',
] as const;

/** The fields of a CloudTrail record the mapping uses, each in a checked form. */
export interface TrailRecord {
  eventName: string;
  /** eventTime as epoch ms. */
  time: number;
  eventID: string;
  region: string;
  sourceIPAddress?: string;
  userAgent?: string;
  /** Undefined (or empty in the record) when the call succeeded. */
  errorCode?: string;
  /** Cognito's message, kept only for matching against known wordings. */
  errorMessage?: string;
  clientId?: string;
  userPoolId?: string;
  authFlow?: string;
  challengeName?: string;
  /** From additionalEventData.sub. */
  sub?: string;
  /** From responseElements: did the call issue tokens or a next challenge? */
  responded?: 'tokens' | 'challenge';
}

export type SkipReason = 'not-json' | 'not-an-event' | 'not-cognito' | 'malformed-record';
export type ParsedBody =
  | { kind: 'record'; record: TrailRecord }
  | { kind: 'skip'; reason: SkipReason };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string of the given form (and not a redaction marker), else undefined. */
function text(value: unknown, form: RegExp): string | undefined {
  return typeof value === 'string' && form.test(value) && !REDACTION_MARKERS.includes(value)
    ? value
    : undefined;
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const ID = /^[\w.:+/-]{1,128}$/;
const CLIENT_ID = /^[\w+]{1,128}$/;
const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Takes the checked fields out of a CloudTrail record's JSON. */
export function readTrailRecord(detail: unknown): ParsedBody {
  if (!isObject(detail)) return { kind: 'skip', reason: 'not-an-event' };
  if (detail.eventSource !== COGNITO_EVENT_SOURCE) return { kind: 'skip', reason: 'not-cognito' };
  const eventName = text(detail.eventName, NAME);
  const eventID = text(detail.eventID, ID);
  const region = text(detail.awsRegion, REGION);
  const rawTime = typeof detail.eventTime === 'string' ? detail.eventTime : '';
  const time = ISO_TIME.test(rawTime) ? Date.parse(rawTime) : Number.NaN;
  if (!eventName || !eventID || !region || !Number.isFinite(time)) {
    return { kind: 'skip', reason: 'malformed-record' };
  }
  const record: TrailRecord = { eventName, eventID, region, time };
  if (typeof detail.sourceIPAddress === 'string') record.sourceIPAddress = detail.sourceIPAddress;
  if (typeof detail.userAgent === 'string' && detail.userAgent !== '') {
    record.userAgent = detail.userAgent;
  }
  if (typeof detail.errorCode === 'string' && detail.errorCode !== '') {
    record.errorCode = text(detail.errorCode, /^[A-Za-z][\w.:]{0,99}$/) ?? 'UnknownError';
  }
  if (typeof detail.errorMessage === 'string') record.errorMessage = detail.errorMessage;
  const request = isObject(detail.requestParameters) ? detail.requestParameters : {};
  const clientId = text(request.clientId, CLIENT_ID);
  if (clientId) record.clientId = clientId;
  const userPoolId = text(request.userPoolId, POOL_ID);
  if (userPoolId) record.userPoolId = userPoolId;
  const authFlow = text(request.authFlow, NAME);
  if (authFlow) record.authFlow = authFlow;
  const challengeName = text(request.challengeName, NAME);
  if (challengeName) record.challengeName = challengeName;
  const extra = isObject(detail.additionalEventData) ? detail.additionalEventData : {};
  const sub = text(extra.sub, /^[\w-]{1,128}$/);
  if (sub) record.sub = sub;
  const response = detail.responseElements;
  if (isObject(response)) {
    // Only whether these members are there: their contents are tokens and parameters.
    if (isObject(response.authenticationResult)) record.responded = 'tokens';
    else if (typeof response.challengeName === 'string') record.responded = 'challenge';
  }
  return { kind: 'record', record };
}

/**
 * Reads one SQS message body: an EventBridge event wrapping a CloudTrail record (or, as
 * a trail's S3 delivery or a test might hand it, the bare record).
 */
export function parseMessageBody(body: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'skip', reason: 'not-json' };
  }
  if (!isObject(value)) return { kind: 'skip', reason: 'not-an-event' };
  if ('detail-type' in value || 'detail' in value) {
    if (value.source !== EVENTBRIDGE_SOURCE || value['detail-type'] !== EVENTBRIDGE_DETAIL_TYPE) {
      return { kind: 'skip', reason: 'not-cognito' };
    }
    return readTrailRecord(value.detail);
  }
  return readTrailRecord(value);
}
