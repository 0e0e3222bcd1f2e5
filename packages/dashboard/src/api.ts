/**
 * The protected API's history routes, called with the access token in the
 * Authorization header (never in the URL). A newer request of the same kind aborts the
 * older one, so a fast filter change never shows a stale answer.
 */
import { adminChangeParams, apiParams, type Filters } from './filters.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Summary {
  signIns: number;
  failures: number;
  failureRate: number;
  newDevices: number;
  signUpsDenied: number;
  openFindings: number;
}

export interface Series {
  bucketMs: number;
  times: number[];
  successes: number[];
  failures: number[];
}

export interface TopItem {
  key: string;
  events: number;
  failures: number;
}

export interface EventRow {
  time: number;
  uid: string | null;
  typeName: string | null;
  eventCode: string | null;
  outcome: 'success' | 'failure' | null;
  user: string | null;
  ip: string | null;
  country: string | null;
  client: string | null;
  reason: string | null;
  statusDetail: string | null;
  message: string | null;
  /** The whole OCSF event, when it came over the live feed. */
  raw?: unknown;
}

export interface Finding {
  time: number;
  uid: string | null;
  title: string | null;
  ruleId: string | null;
  ruleName: string | null;
  firstSeen: number | null;
  lastSeen: number | null;
  severityId: number;
  statusId: number;
  message: string | null;
  group: unknown;
  evidence: unknown;
  relatedEvents: unknown;
}

/** An admin or configuration change (`GET /security/admin-changes`). */
export interface AdminChange {
  time: number;
  uid: string | null;
  classUid: number;
  typeName: string | null;
  operation: string | null;
  outcome: 'success' | 'failure' | null;
  severityId: number | null;
  message: string | null;
  actor: {
    arn: string | null;
    name: string | null;
    type: string | null;
    accessKeyId: string | null;
    sessionIssuer: string | null;
    sessionMfa: boolean | null;
    invokedBy: string | null;
  };
  target: {
    userUid: string | null;
    group: string | null;
    client: string | null;
    resourceType: string | null;
    resourceUid: string | null;
    resourceName: string | null;
  };
  ip: string | null;
  country: string | null;
  changes: string[];
  errorCode: string | null;
  flags: {
    privileged: boolean;
    weakened: boolean;
    triggerTampered: boolean;
    clientWidened: boolean;
  };
  /** The whole OCSF event, when it came over the live feed. */
  raw?: unknown;
}

export const DIMENSIONS = ['reason', 'user', 'ip', 'country', 'client'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export function createApi(
  baseUrl: string,
  token: () => Promise<string>,
  doFetch = fetch.bind(globalThis),
) {
  const inFlight = new Map<string, AbortController>();
  const get = async <T>(kind: string, path: string, params: URLSearchParams): Promise<T> => {
    inFlight.get(kind)?.abort();
    const controller = new AbortController();
    inFlight.set(kind, controller);
    try {
      const response = await doFetch(`${baseUrl}${path}?${params}`, {
        headers: { authorization: `Bearer ${await token()}` },
        signal: controller.signal,
        cache: 'no-store',
      });
      const body = (await response.json().catch(() => ({}))) as {
        detail?: string;
        message?: string;
      };
      if (!response.ok) {
        throw new ApiError(response.status, body.detail ?? body.message ?? response.statusText);
      }
      return body as T;
    } finally {
      if (inFlight.get(kind) === controller) inFlight.delete(kind);
    }
  };
  return {
    summary: (filters: Filters) => get<Summary>('summary', '/security/summary', apiParams(filters)),
    series: (filters: Filters) => get<Series>('series', '/security/timeseries', apiParams(filters)),
    top: (filters: Filters, dimension: Dimension, limit = 5) => {
      const params = apiParams(filters);
      params.set('limit', String(limit));
      return get<{ items: TopItem[] }>(`top-${dimension}`, `/security/top/${dimension}`, params);
    },
    events: (filters: Filters, cursor?: string) => {
      const params = apiParams(filters);
      params.set('limit', '50');
      if (cursor) params.set('cursor', cursor);
      return get<{ events: EventRow[]; nextCursor: string | null }>(
        cursor ? 'events-more' : 'events',
        '/security/events',
        params,
      );
    },
    /** The whole OCSF event of a history row. */
    event: (uid: string, time: number) =>
      get<{ event: unknown }>(
        'event',
        `/security/events/${encodeURIComponent(uid)}`,
        new URLSearchParams({ time: String(time) }),
      ),
    adminChanges: (filters: Filters, cursor?: string) => {
      const params = adminChangeParams(filters);
      params.set('limit', '25');
      if (cursor) params.set('cursor', cursor);
      return get<{ changes: AdminChange[]; nextCursor: string | null }>(
        cursor ? 'admin-changes-more' : 'admin-changes',
        '/security/admin-changes',
        params,
      );
    },
    findings: (filters: Filters) => {
      const params = apiParams(filters);
      for (const name of ['outcome', 'user', 'ip', 'client', 'type']) params.delete(name);
      params.set('limit', '20');
      return get<{ findings: Finding[] }>('findings', '/security/findings', params);
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** Whether an error is the abort of a request a newer one replaced. */
export const isAbort = (error: unknown) => (error as Error)?.name === 'AbortError';
