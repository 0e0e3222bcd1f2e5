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
  ACCOUNT_CALLS,
  cleanUserAgent,
  type Mapped,
  mapRecord,
  RECORDED_CALLS,
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
