/**
 * The history routes' query parameters: the dashboard's filters, validated before any
 * query runs. A bad value is a {@link HistoryParamError} naming the parameter (the API
 * answers 400 with it); an unknown parameter is refused too, so a typo never silently
 * widens a query. Values are only ever bound as SQL parameters, never spliced into SQL.
 */
import {
  type EventCursor,
  type HistoryFilters,
  OUTCOMES,
  SEVERITIES,
  TOP_DIMENSIONS,
  type TopDimension,
} from '@authwatch/detections/history';
import * as z from 'zod/mini';

export {
  BUCKETS_MS,
  bucketFor,
  type EventCursor,
  type HistoryFilters,
  MAX_BUCKETS,
  OUTCOMES,
  SEVERITIES,
  SEVERITY_IDS,
  TOP_DIMENSIONS,
  type TopDimension,
} from '@authwatch/detections/history';

/** Preset ranges and their length. */
export const RANGES = {
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  '24h': 24 * 60 * 60_000,
  '7d': 7 * 24 * 60 * 60_000,
} as const;
export type PresetRange = keyof typeof RANGES;

/** The longest custom range the history routes accept (Athena scans cost per byte). */
export const MAX_CUSTOM_RANGE_MS = 31 * 24 * 60 * 60_000;

/** A parameter the caller got wrong: the message names it and says what it must be. */
export class HistoryParamError extends Error {
  constructor(
    readonly parameter: string,
    readonly problem: string,
  ) {
    super(`bad parameter "${parameter}": ${problem}`);
    this.name = 'HistoryParamError';
  }
}

// Printable text without control characters; a user name may hold @ . + - _ and spaces.
const TEXT = /^[^\p{Cc}\p{Cs}]{1,128}$/u;
const CLIENT_ID = /^[\w+]{1,128}$/;
const EVENT_TYPE = /^[A-Za-z0-9_ :-]{1,64}$/;

const text = (what: string) =>
  z.string().check(z.regex(TEXT, `must be 1-128 printable characters (${what})`));

const FILTER_SHAPE = {
  range: z.enum(['15m', '1h', '24h', '7d', 'custom'], {
    error: 'must be one of 15m, 1h, 24h, 7d, custom',
  }),
  from: z.string(),
  to: z.string(),
  outcome: z.enum(OUTCOMES, { error: 'must be success or failure' }),
  user: text('a user name or sub'),
  ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }),
  client: z
    .string()
    .check(z.regex(CLIENT_ID, 'must be an app client id (letters, digits, _ and +)')),
  type: z
    .string()
    .check(z.regex(EVENT_TYPE, 'must be an event type like PostAuthentication_Authentication')),
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }),
} as const;

type RawParams = Record<string, string | undefined> | undefined;

/** A time given as epoch milliseconds or an ISO 8601 date-time. */
function parseTime(name: string, value: string): number {
  const ms = /^\d{1,15}$/.test(value)
    ? Number(value)
    : /^\d{4}-\d{2}-\d{2}T/.test(value)
      ? Date.parse(value)
      : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new HistoryParamError(name, 'must be epoch milliseconds or an ISO 8601 date-time');
  }
  return ms;
}

function field<K extends keyof typeof FILTER_SHAPE>(
  name: K,
  value: string,
): z.output<(typeof FILTER_SHAPE)[K]> {
  const parsed = FILTER_SHAPE[name].safeParse(value);
  if (!parsed.success) {
    throw new HistoryParamError(name, parsed.error.issues[0]?.message ?? 'is not valid');
  }
  return parsed.data as z.output<(typeof FILTER_SHAPE)[K]>;
}

function refuseUnknown(params: Record<string, string | undefined>, allowed: readonly string[]) {
  for (const name of Object.keys(params)) {
    if (!allowed.includes(name)) {
      throw new HistoryParamError(name, `is not a parameter of this route (${allowed.join(', ')})`);
    }
  }
}

const FILTER_NAMES = Object.keys(FILTER_SHAPE);

/**
 * The filters of a request. `range` defaults to 1h; `custom` needs `from` and `to`
 * (from < to, at most 31 days apart); `from`/`to` with a preset range are refused.
 */
export function parseFilters(
  raw: RawParams,
  now: number,
  extra: readonly string[] = [],
): HistoryFilters {
  const params = raw ?? {};
  refuseUnknown(params, [...FILTER_NAMES, ...extra]);
  const range = field('range', params.range ?? '1h');
  let from: number;
  let to: number;
  if (range === 'custom') {
    if (params.from === undefined)
      throw new HistoryParamError('from', 'is required with range=custom');
    if (params.to === undefined) throw new HistoryParamError('to', 'is required with range=custom');
    from = parseTime('from', params.from);
    to = parseTime('to', params.to);
    if (to <= from) throw new HistoryParamError('to', 'must be later than from');
    if (to - from > MAX_CUSTOM_RANGE_MS) {
      throw new HistoryParamError('to', 'must be at most 31 days after from');
    }
  } else {
    for (const name of ['from', 'to'] as const) {
      if (params[name] !== undefined) {
        throw new HistoryParamError(name, 'is only allowed with range=custom');
      }
    }
    to = now;
    from = now - RANGES[range];
  }
  const filters: HistoryFilters = { from, to };
  if (params.outcome !== undefined) filters.outcome = field('outcome', params.outcome);
  if (params.user !== undefined) filters.user = field('user', params.user);
  if (params.ip !== undefined) filters.ip = field('ip', params.ip);
  if (params.client !== undefined) filters.client = field('client', params.client);
  if (params.type !== undefined) filters.type = field('type', params.type);
  if (params.severity !== undefined) filters.severity = field('severity', params.severity);
  return filters;
}

function integer(
  name: string,
  value: string | undefined,
  min: number,
  max: number,
  fallback: number,
) {
  if (value === undefined) return fallback;
  if (!/^\d{1,6}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new HistoryParamError(name, `must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/** `limit` of a top-N list (1-50, default 10). */
export function parseTopParams(raw: RawParams, now: number) {
  const filters = parseFilters(raw, now, ['limit']);
  return { filters, limit: integer('limit', raw?.limit, 1, 50, 10) };
}

/** The dimension of a top-N list, from the path. */
export function parseDimension(value: string | undefined): TopDimension {
  if (value !== undefined && (TOP_DIMENSIONS as readonly string[]).includes(value)) {
    return value as TopDimension;
  }
  throw new HistoryParamError('dimension', `must be one of ${TOP_DIMENSIONS.join(', ')}`);
}

/** An opaque cursor: base64url of `<time>.<uid>`. */
export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(`${cursor.time}.${cursor.uid}`, 'utf8').toString('base64url');
}

export function decodeCursor(value: string): EventCursor {
  const fail = () => new HistoryParamError('cursor', 'must be a cursor this API returned');
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(value)) throw fail();
  const textValue = Buffer.from(value, 'base64url').toString('utf8');
  const match = /^(\d{1,15})\.([\w:.-]{1,128})$/.exec(textValue);
  if (!match) throw fail();
  return { time: Number(match[1]), uid: match[2]! };
}

/** `limit` (1-200, default 50) and `cursor` of the event search. */
export function parseEventParams(raw: RawParams, now: number) {
  const filters = parseFilters(raw, now, ['limit', 'cursor']);
  return {
    filters,
    limit: integer('limit', raw?.limit, 1, 200, 50),
    ...(raw?.cursor !== undefined ? { cursor: decodeCursor(raw.cursor) } : {}),
  };
}

/** The event of a drill-down: its uid (path) and its time (`time`, epoch ms, so a scan reads one day). */
export function parseEventLookup(uid: string | undefined, raw: RawParams) {
  const params = raw ?? {};
  refuseUnknown(params, ['time']);
  if (uid === undefined || !/^[\w:.-]{1,128}$/.test(uid)) {
    throw new HistoryParamError('uid', 'must be an event uid (letters, digits, _ : . -)');
  }
  if (params.time === undefined || !/^\d{1,15}$/.test(params.time)) {
    throw new HistoryParamError('time', 'must be the event time in epoch milliseconds');
  }
  return { uid, time: Number(params.time) };
}
