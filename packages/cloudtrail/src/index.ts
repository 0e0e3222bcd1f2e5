export {
  CLOUDTRAIL_METRICS,
  type CloudTrailHandlerDeps,
  createCloudTrailHandler,
  SqsEventSchema,
} from './app.js';
export {
  type BatchCounts,
  type BatchDeps,
  type BatchResponse,
  processBatch,
  type SqsMessage,
} from './batch.js';
export {
  CLOUDTRAIL_ENV,
  type CloudTrailConfig,
  defaultCountryDb,
  type GeoIpConfig,
  LAYER_COUNTRY_DB,
  loadConfig,
  packagedCountryDb,
} from './config.js';
export {
  autonomousSystemOf,
  type GeoFacts,
  type GeoIp,
  locationOf,
  NO_GEOIP,
  openGeoIp,
} from './geoip.js';
export {
  actorOf,
  MANAGEMENT_CALL_NAMES,
  MANAGEMENT_CALLS,
  type ManagementMapped,
  type ManagementSkip,
  mapManagementBody,
  mapManagementRecord,
} from './management.js';
export { changedMembers, scrub } from './management-changes.js';
export {
  DEFAULT_MANAGEMENT,
  DEFAULT_PRIVILEGED_GROUPS,
  loadManagementConfig,
  MANAGEMENT_ENV,
  type ManagementConfig,
  type PoolBaseline,
  PoolBaselineSchema,
} from './management-config.js';
export {
  ACCOUNT_CALLS,
  cleanUserAgent,
  type Mapped,
  mapRecord,
  reasonOf,
  SIGN_IN_CALLS,
} from './map.js';
export {
  COGNITO_EVENT_SOURCE,
  CREDENTIAL_FIELDS,
  EVENTBRIDGE_DETAIL_TYPE,
  EVENTBRIDGE_SOURCE,
  type ParsedBody,
  parseMessageBody,
  REDACTION_MARKERS,
  readTrailRecord,
  type TrailRecord,
} from './record.js';

import { MANAGEMENT_CALL_NAMES } from './management.js';
import { RECORDED_CALLS as AUTH_CALLS } from './map.js';

/**
 * Every call the EventBridge rule forwards (infra builds the rule from it): the sign-in
 * and account calls, and the admin and configuration calls.
 */
export const RECORDED_CALLS = [...new Set([...AUTH_CALLS, ...MANAGEMENT_CALL_NAMES])];
