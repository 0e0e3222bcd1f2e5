import { getTestEvent } from '@authwatch/testing';
import { type ApiEvent, ApiEventSchema } from '../src/index.js';

export type RawEvent = ReturnType<typeof getTestEvent<Record<string, unknown>>> & {
  requestContext: {
    authorizer?: { jwt: { claims: Record<string, unknown>; scopes: string[] | null } };
  };
};

/** A parsed fixture of protected-api/<name>, optionally changed first. */
export function apiEvent(name: string, change?: (raw: RawEvent) => void): ApiEvent {
  const raw = getTestEvent<RawEvent>(`protected-api/${name}`);
  change?.(raw);
  return ApiEventSchema.parse(raw);
}

export const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
export const deps = { now: () => NOW };
