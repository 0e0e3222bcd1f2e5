/**
 * Lambda entry of the CloudTrail consumer: SQS batches of EventBridge events wrapping
 * Cognito's CloudTrail records. Module scope holds the config, the GeoIP databases
 * (read once) and the auditor, whose undelivered events are handed back to SQS.
 */
import { auditorFromEnv } from '@authwatch/audit';
import { createCloudTrailHandler } from './app.js';
import { loadConfig } from './config.js';
import { NO_GEOIP, openGeoIp } from './geoip.js';
import { loadManagementConfig } from './management-config.js';

const config = loadConfig();
const management = loadManagementConfig();
const undelivered = new Set<string>();
// An event that did not reach the stream is retried through SQS, not written to the
// fallback log (a retry rebuilds it, so a fallback line would become a duplicate).
const auditor = auditorFromEnv({
  fallback: (events) => {
    for (const event of events) undelivered.add(event.metadata.uid);
  },
});

export const handler = createCloudTrailHandler({
  config,
  management,
  auditor,
  geo: config.geoip ? openGeoIp(config.geoip) : NO_GEOIP,
  takeUndelivered: () => {
    const ids = [...undelivered];
    undelivered.clear();
    return ids;
  },
});
