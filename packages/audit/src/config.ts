/**
 * The audit configuration, read once at cold start from AUDIT_* variables. The CDK
 * construct `AuditStream.grantEmit(fn)` sets them from the same constants.
 */
import {
  ConfigError,
  getBooleanFromEnv,
  getIntFromEnv,
  getOptionalStringFromEnv,
  getStringFromEnv,
} from '@authwatch/kit/env';

/** Names of the environment variables the auditor reads. */
export const AUDIT_ENV = {
  /** `false` turns auditing off entirely (then no other variable is needed). Default true. */
  enabled: 'AUDIT_ENABLED',
  /** Firehose delivery stream name. Required unless AUDIT_ENABLED=false. */
  streamName: 'AUDIT_STREAM_NAME',
  /** `true` keeps users' emails in audit records. Default false. */
  includeEmail: 'AUDIT_INCLUDE_EMAIL',
  /**
   * AppSync Events HTTP endpoint: the API's HTTP domain (`xyz.appsync-api.<region>.amazonaws.com`,
   * https is implied) or a full URL (`http://localhost:4010/event` for the local stack).
   * Unset: no live feed.
   */
  liveFeedEndpoint: 'AUDIT_LIVE_FEED_ENDPOINT',
  /** The channel events are published to. Default `/auth/sign-in`. */
  liveFeedChannel: 'AUDIT_LIVE_FEED_CHANNEL',
  /** Longest a live-feed publish may take, ms (default 300; never past the deadline). */
  liveFeedTimeoutMs: 'AUDIT_LIVE_FEED_TIMEOUT_MS',
  /** Longest one Firehose request may take, ms (default 1,000; never past the deadline). */
  requestTimeoutMs: 'AUDIT_REQUEST_TIMEOUT_MS',
  /** Firehose attempts per event, including the first (default 5; bounded by the deadline). */
  maxAttempts: 'AUDIT_MAX_ATTEMPTS',
  /**
   * Collect the events emitted within this many ms into one send (default 0: every emit
   * sends at once, as a Lambda must). Only with AFTER_RESPONSE=host, where a long-lived
   * host (the local stack) answers before the sends finish; anywhere else a window would
   * hold every answer back.
   */
  batchWindowMs: 'AUDIT_BATCH_WINDOW_MS',
} as const;

/** The channel namespace of the live feed and the sign-in channel in it. */
export const LIVE_FEED_NAMESPACE = 'auth';
export const DEFAULT_LIVE_FEED_CHANNEL = `/${LIVE_FEED_NAMESPACE}/sign-in`;

export interface AuditConfig {
  enabled: boolean;
  streamName: string;
  includeEmail: boolean;
  liveFeed?: { url: string; channel: string; timeoutMs: number };
  requestTimeoutMs: number;
  maxAttempts: number;
  /** Emits collected into one send, ms (0: none). */
  batchWindowMs: number;
  /** Region for SigV4 signing of the live feed (AWS_REGION). */
  region: string;
}

const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
const CHANNEL = /^(\/[A-Za-z0-9-]{1,50}){1,5}$/;

/** Turns a domain or URL into the `/event` publish URL, or undefined when invalid. */
export function liveFeedUrl(endpoint: string): string | undefined {
  const withScheme = /^[a-z]+:\/\//i.test(endpoint) ? endpoint : `https://${endpoint}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/event';
  return url.toString();
}

/** Reads and validates the audit configuration; a bad variable is a ConfigError naming it. */
export function loadAuditConfig(
  env: Record<string, string | undefined> = process.env,
): AuditConfig {
  const source = { env };
  const enabled = getBooleanFromEnv(AUDIT_ENV.enabled, { ...source, defaultValue: true });
  const region = getOptionalStringFromEnv('AWS_REGION', source) ?? 'us-east-1';
  const requestTimeoutMs = getIntFromEnv(AUDIT_ENV.requestTimeoutMs, {
    ...source,
    min: 50,
    max: 10_000,
    defaultValue: 1_000,
  });
  const maxAttempts = getIntFromEnv(AUDIT_ENV.maxAttempts, {
    ...source,
    min: 1,
    max: 20,
    defaultValue: 5,
  });
  const includeEmail = getBooleanFromEnv(AUDIT_ENV.includeEmail, {
    ...source,
    defaultValue: false,
  });
  const batchWindowMs = getIntFromEnv(AUDIT_ENV.batchWindowMs, {
    ...source,
    min: 0,
    max: 1_000,
    defaultValue: 0,
  });
  // Read as text: the kit's after-response module (and Powertools with it) stays out of
  // what imports this file (the CDK app, the local stack).
  if (batchWindowMs > 0 && getOptionalStringFromEnv('AFTER_RESPONSE', source) !== 'host') {
    throw new ConfigError(
      AUDIT_ENV.batchWindowMs,
      'needs AFTER_RESPONSE=host (a host that answers before the sends finish); elsewhere it would hold every answer back',
    );
  }
  if (!enabled) {
    return {
      enabled,
      streamName: '',
      includeEmail,
      requestTimeoutMs,
      maxAttempts,
      batchWindowMs,
      region,
    };
  }
  const streamName = getStringFromEnv(AUDIT_ENV.streamName, source);
  if (!STREAM_NAME.test(streamName)) {
    throw new ConfigError(
      AUDIT_ENV.streamName,
      'must be a Firehose stream name (1-64 of a-z A-Z 0-9 _ . -)',
    );
  }
  const config: AuditConfig = {
    enabled,
    streamName,
    includeEmail,
    requestTimeoutMs,
    maxAttempts,
    batchWindowMs,
    region,
  };
  const endpoint = getOptionalStringFromEnv(AUDIT_ENV.liveFeedEndpoint, source);
  if (endpoint !== undefined) {
    const url = liveFeedUrl(endpoint);
    if (url === undefined) {
      throw new ConfigError(AUDIT_ENV.liveFeedEndpoint, 'must be a host name or an http(s) URL');
    }
    const channel = getStringFromEnv(AUDIT_ENV.liveFeedChannel, {
      ...source,
      defaultValue: DEFAULT_LIVE_FEED_CHANNEL,
    });
    if (!CHANNEL.test(channel)) {
      throw new ConfigError(
        AUDIT_ENV.liveFeedChannel,
        'must be a channel path like /auth/sign-in (1-5 segments of A-Z a-z 0-9 -)',
      );
    }
    const timeoutMs = getIntFromEnv(AUDIT_ENV.liveFeedTimeoutMs, {
      ...source,
      min: 10,
      max: 5_000,
      defaultValue: 300,
    });
    config.liveFeed = { url, channel, timeoutMs };
  }
  return config;
}
