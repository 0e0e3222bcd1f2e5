import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventsSql, summarySql, topSql } from '../../src/history/sql.js';
import {
  decodeCursor,
  encodeCursor,
  HistoryParamError,
  MAX_CUSTOM_RANGE_MS,
  parseEventParams,
  parseFilters,
  parseTopParams,
} from '../../src/index.js';
import { NOW } from './fixtures.js';

const NAMES = [
  'range',
  'from',
  'to',
  'outcome',
  'user',
  'ip',
  'client',
  'type',
  'severity',
  'limit',
  'cursor',
  'sort',
  'q',
];
const VALUES = fc.oneof(
  fc.constantFrom(
    '15m',
    '1h',
    '24h',
    '7d',
    'custom',
    'success',
    'failure',
    'high',
    '10',
    '0',
    '-1',
    '198.51.100.7',
    '::1',
    '2026-12-06T11:00:00Z',
    String(NOW - 1000),
    String(NOW),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const QUERY = fc.dictionary(fc.constantFrom(...NAMES), VALUES, { maxKeys: 6 });

describe('the history parameter parser', () => {
  it('either gives a range with from < to or refuses with a HistoryParamError naming a given parameter', () => {
    fc.assert(
      fc.property(QUERY, (query) => {
        try {
          const { filters, limit } = parseEventParams(query, NOW);
          expect(filters.from).toBeLessThan(filters.to);
          expect(filters.to - filters.from).toBeLessThanOrEqual(MAX_CUSTOM_RANGE_MS);
          expect(limit).toBeGreaterThanOrEqual(1);
        } catch (error) {
          expect(error).toBeInstanceOf(HistoryParamError);
          const { parameter } = error as HistoryParamError;
          // `from` / `to` are named when range=custom lacks them.
          expect([...Object.keys(query), 'from', 'to']).toContain(parameter);
          expect((error as Error).message).toContain(`"${parameter}"`);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('never puts a caller value into the SQL text: every value is a bound parameter', () => {
    const text = fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((s) => /^[^\p{Cc}\p{Cs}]+$/u.test(s));
    fc.assert(
      fc.property(
        text,
        fc.constantFrom('reason', 'user', 'ip', 'country', 'client'),
        (user, dimension) => {
          const filters = parseFilters({ user, type: 'X_Y', outcome: 'failure' }, NOW);
          const fixed = parseFilters({ user: 'someone', type: 'X_Y', outcome: 'failure' }, NOW);
          const builders = [
            (f: typeof filters) => summarySql(f),
            (f: typeof filters) => topSql(f, dimension as 'user', 5),
            (f: typeof filters) => eventsSql(f, 10),
          ];
          for (const build of builders) {
            const query = build(filters);
            // The text is the same whatever the value: only the bound parameters differ.
            expect(query.sql).toBe(build(fixed).sql);
            expect(query.params).toContain(user);
            expect(query.sql.split('?').length - 1).toBe(query.params.length);
          }
        },
      ),
    );
  });

  it('round-trips any cursor it hands out', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 48 }), fc.uuid(), (time, uid) => {
        expect(decodeCursor(encodeCursor({ time, uid }))).toEqual({ time, uid });
      }),
    );
  });
});

describe('parameters named in errors', () => {
  it.each([
    [{ range: '2h' }, 'range', 'must be one of 15m, 1h, 24h, 7d, custom'],
    [{ range: 'custom', to: '1' }, 'from', 'is required with range=custom'],
    [
      { range: 'custom', from: '2026-12-06T12:00:00Z', to: '2026-12-06T11:00:00Z' },
      'to',
      'must be later than from',
    ],
    [{ range: 'custom', from: 'yesterday', to: '1' }, 'from', 'epoch milliseconds or an ISO 8601'],
    [{ range: '1h', from: '1' }, 'from', 'only allowed with range=custom'],
    [{ outcome: 'maybe' }, 'outcome', 'success or failure'],
    [{ ip: '999.1.1.1' }, 'ip', 'IPv4 or IPv6'],
    [{ client: "x' OR 1=1 --" }, 'client', 'app client id'],
    [{ severity: 'urgent' }, 'severity', 'informational, low'],
    [{ user: 'a\u0000b' }, 'user', 'printable'],
    [{ limit: '500' }, 'limit', 'from 1 to 50'],
    [{ sort: 'time' }, 'sort', 'not a parameter of this route'],
  ])('refuses %o naming %s', (query, parameter, detail) => {
    const attempt = () => parseTopParams(query, NOW);
    expect(attempt).toThrow(HistoryParamError);
    expect(attempt).toThrow(`bad parameter "${parameter}"`);
    expect(attempt).toThrow(detail);
  });

  it('refuses a cursor it did not hand out', () => {
    expect(() => parseEventParams({ cursor: 'not-a-cursor' }, NOW)).toThrow(
      'bad parameter "cursor"',
    );
  });

  it('reads a preset range as the last stretch of time before now', () => {
    expect(parseFilters({ range: '15m' }, NOW)).toEqual({ from: NOW - 15 * 60_000, to: NOW });
    expect(parseFilters(undefined, NOW)).toEqual({ from: NOW - 3_600_000, to: NOW });
  });
});
