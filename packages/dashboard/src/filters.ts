/**
 * The page's filters and their place in the URL (`?range=24h&outcome=failure&user=...`),
 * so a view can be shared or reloaded. Reading a URL never fails: a value the page does
 * not understand is dropped and reported, the rest is kept.
 */

export const RANGE_PRESETS = ['15m', '1h', '24h', '7d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const OUTCOMES = ['success', 'failure'] as const;
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;

export interface Filters {
  range: RangePreset | 'custom';
  /** Epoch ms; only with range `custom`. */
  from?: number;
  to?: number;
  outcome?: (typeof OUTCOMES)[number];
  user?: string;
  ip?: string;
  client?: string;
  type?: string;
  severity?: (typeof SEVERITIES)[number];
  /** Who made an admin change: an IAM principal ARN, access key id or name (admin changes only). */
  actor?: string;
}

export const TEXT_FILTERS = ['user', 'ip', 'client', 'type', 'actor'] as const;
/** Filters the sign-in routes take (the actor is the admin-changes route's own). */
const SIGN_IN_FILTERS = ['outcome', 'user', 'ip', 'client', 'type', 'severity'] as const;
export const DEFAULT_FILTERS: Filters = { range: '1h' };

const TEXT = /^[^\p{Cc}\p{Cs}]{1,128}$/u;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;
const CLIENT = /^[\w+]{1,128}$/;
const TYPE = /^[A-Za-z0-9_ :-]{1,64}$/;
const ACTOR = /^[\w+=,.@:/-]{1,512}$/;
const MAX_CUSTOM_MS = 31 * 24 * 3_600_000;

export interface ReadFilters {
  filters: Filters;
  /** Parameters that were dropped, with why. */
  dropped: { name: string; problem: string }[];
}

function time(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = /^\d{1,15}$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Reads the filters of a query string. */
export function readFilters(search: string): ReadFilters {
  const params = new URLSearchParams(search);
  const dropped: ReadFilters['dropped'] = [];
  const filters: Filters = { ...DEFAULT_FILTERS };
  const range = params.get('range');
  if (range !== null) {
    if ((RANGE_PRESETS as readonly string[]).includes(range)) filters.range = range as RangePreset;
    else if (range === 'custom') {
      const from = time(params.get('from'));
      const to = time(params.get('to'));
      if (from !== undefined && to !== undefined && from < to && to - from <= MAX_CUSTOM_MS) {
        Object.assign(filters, { range: 'custom', from, to });
      } else
        dropped.push({ name: 'range', problem: 'a custom range needs from < to, at most 31 days' });
    } else dropped.push({ name: 'range', problem: 'must be 15m, 1h, 24h, 7d or custom' });
  }
  const outcome = params.get('outcome');
  if (outcome !== null) {
    if ((OUTCOMES as readonly string[]).includes(outcome))
      filters.outcome = outcome as Filters['outcome'];
    else dropped.push({ name: 'outcome', problem: 'must be success or failure' });
  }
  const severity = params.get('severity');
  if (severity !== null) {
    if ((SEVERITIES as readonly string[]).includes(severity)) {
      filters.severity = severity as Filters['severity'];
    } else dropped.push({ name: 'severity', problem: `must be one of ${SEVERITIES.join(', ')}` });
  }
  const checks: Record<(typeof TEXT_FILTERS)[number], (value: string) => boolean> = {
    user: (value) => TEXT.test(value),
    ip: (value) => IPV4.test(value) || (value.includes(':') && IPV6.test(value)),
    client: (value) => CLIENT.test(value),
    type: (value) => TYPE.test(value),
    actor: (value) => ACTOR.test(value),
  };
  for (const name of TEXT_FILTERS) {
    const value = params.get(name);
    if (value === null || value === '') continue;
    if (checks[name](value)) filters[name] = value;
    else dropped.push({ name, problem: 'is not a valid value' });
  }
  return { filters, dropped };
}

/** Why a filter value typed in the form is not valid, or undefined when it is. */
export function filterProblem(
  name: (typeof TEXT_FILTERS)[number],
  value: string,
): string | undefined {
  if (value === '') return undefined;
  const { dropped } = readFilters(new URLSearchParams({ [name]: value }).toString());
  return dropped[0] ? `${name} ${dropped[0].problem}` : undefined;
}

/** The query string of the filters (defaults left out, a stable order). */
export function writeFilters(filters: Filters): string {
  const params = new URLSearchParams();
  if (filters.range !== DEFAULT_FILTERS.range) params.set('range', filters.range);
  if (filters.range === 'custom' && filters.from !== undefined && filters.to !== undefined) {
    params.set('from', new Date(filters.from).toISOString());
    params.set('to', new Date(filters.to).toISOString());
  }
  for (const name of ['outcome', ...TEXT_FILTERS, 'severity'] as const) {
    const value = filters[name];
    if (value !== undefined) params.set(name, value);
  }
  return params.toString();
}

/** The API's query parameters of the filters (the sign-in routes'). */
export function apiParams(filters: Filters): URLSearchParams {
  const params = new URLSearchParams({ range: filters.range });
  if (filters.range === 'custom' && filters.from !== undefined && filters.to !== undefined) {
    params.set('from', String(filters.from));
    params.set('to', String(filters.to));
  }
  for (const name of SIGN_IN_FILTERS) {
    const value = filters[name];
    if (value !== undefined) params.set(name, value);
  }
  return params;
}

/** The admin-changes route's query parameters: the same filters and the actor. */
export function adminChangeParams(filters: Filters): URLSearchParams {
  const params = apiParams(filters);
  if (filters.actor !== undefined) params.set('actor', filters.actor);
  return params;
}
