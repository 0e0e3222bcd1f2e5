import {
  type PostAuthenticationEvent,
  PostAuthenticationEventSchema,
  parseEvent,
} from '@authwatch/kit';
import { getTestEvent } from '@authwatch/testing';
import { loadConfig, POST_AUTH_ENV, type PostAuthConfig } from '../src/config.js';

export type RawPostAuthEvent = {
  userPoolId: string;
  userName: string;
  callerContext: { clientId: string };
  request: {
    userAttributes: Record<string, string>;
    newDeviceUsed?: boolean;
    clientMetadata?: Record<string, string>;
  };
  response: Record<string, unknown>;
};

export function rawEvent(
  name: string,
  change: (event: RawPostAuthEvent) => void = () => undefined,
): RawPostAuthEvent {
  const raw = getTestEvent<RawPostAuthEvent>(`post-auth/${name}`);
  change(raw);
  return raw;
}

export function postAuthEvent(
  name: string,
  change: (event: RawPostAuthEvent) => void = () => undefined,
): PostAuthenticationEvent {
  return parseEvent('PostAuthentication', PostAuthenticationEventSchema, rawEvent(name, change));
}

export const MAIL_ENV = {
  [POST_AUTH_ENV.mailFrom]: 'Example Security <security@example.com>',
  [POST_AUTH_ENV.appName]: 'Example',
};

export function config(env: Record<string, string> = {}): PostAuthConfig {
  return loadConfig({ ...MAIL_ENV, ...env });
}

/** 2026-11-23T21:42:00Z */
export const NOW = Date.UTC(2026, 10, 23, 21, 42);
