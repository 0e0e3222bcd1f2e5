import { createHash } from 'node:crypto';
import { type PreSignUpEvent, PreSignUpEventSchema, parseEvent } from '@authwatch/kit';
import { getTestEvent } from '@authwatch/testing';
import { loadConfig, type PreSignUpConfig } from '../src/config.js';

/** The raw JSON shape of a fixture, for tests that change it before parsing. */
export type RawPreSignUpEvent = {
  triggerSource: string;
  userName: string;
  userPoolId: string;
  request: {
    userAttributes: Record<string, string>;
    validationData?: Record<string, string> | null;
    clientMetadata?: Record<string, string> | null;
  };
  response: Record<string, boolean>;
};

/** A fixture, optionally changed, parsed as the handler would. */
export function preSignUpEvent(
  name: 'sign-up' | 'admin-create-user' | 'external-provider' | string,
  change: (event: RawPreSignUpEvent) => void = () => undefined,
): PreSignUpEvent {
  const raw = getTestEvent<RawPreSignUpEvent>(`pre-signup/${name}`);
  change(raw);
  return parseEvent('PreSignUp', PreSignUpEventSchema, raw);
}

/** The raw fixture (for the handler, which parses itself). */
export function rawEvent(
  name: string,
  change: (event: RawPreSignUpEvent) => void = () => undefined,
): RawPreSignUpEvent {
  const raw = getTestEvent<RawPreSignUpEvent>(`pre-signup/${name}`);
  change(raw);
  return raw;
}

export function withEmail(email: string) {
  return (event: RawPreSignUpEvent) => {
    event.request.userAttributes.email = email;
  };
}

export function config(env: Record<string, string> = {}): PreSignUpConfig {
  return loadConfig(env);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
