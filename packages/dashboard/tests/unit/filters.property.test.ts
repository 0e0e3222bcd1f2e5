import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  adminChangeParams,
  apiParams,
  type Filters,
  filterProblem,
  OUTCOMES,
  RANGE_PRESETS,
  readFilters,
  SEVERITIES,
  writeFilters,
} from '../../src/filters.js';

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
  'actor',
  'x',
];
const anyQuery = fc
  .array(fc.tuple(fc.constantFrom(...NAMES), fc.string({ maxLength: 30 })), { maxLength: 8 })
  .map((pairs) => new URLSearchParams(pairs).toString());

const validFilters: fc.Arbitrary<Filters> = fc
  .record(
    {
      range: fc.constantFrom(...RANGE_PRESETS, 'custom' as const),
      from: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
      span: fc.integer({ min: 1_000, max: 31 * 86_400_000 }),
      outcome: fc.option(fc.constantFrom(...OUTCOMES), { nil: undefined }),
      user: fc.option(
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => /^[^\p{Cc}\p{Cs}]+$/u.test(s)),
        { nil: undefined },
      ),
      ip: fc.option(fc.ipV4(), { nil: undefined }),
      client: fc.option(fc.stringMatching(/^[a-z0-9]{10,26}$/), { nil: undefined }),
      type: fc.option(
        fc.constantFrom('PostAuthentication_Authentication', 'Authentication: Logon'),
        {
          nil: undefined,
        },
      ),
      severity: fc.option(fc.constantFrom(...SEVERITIES), { nil: undefined }),
      actor: fc.option(
        fc.oneof(
          fc.stringMatching(/^AKIA[A-Z0-9]{16}$/),
          fc
            .stringMatching(/^[\w+=,.@-]{1,40}$/)
            .map((name) => `arn:aws:iam::123456789012:user/${name}`),
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['range', 'from', 'span'] },
  )
  .map(({ range, from, span, ...rest }) => {
    const filters: Filters = { range };
    // The URL keeps custom times to the millisecond (ISO 8601).
    if (range === 'custom') Object.assign(filters, { from, to: from + span });
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined) (filters as unknown as Record<string, unknown>)[key] = value;
    }
    return filters;
  });

describe('the filters in the URL', () => {
  it('reads any query string without throwing, keeping only valid values and naming the rest', () => {
    fc.assert(
      fc.property(anyQuery, (query) => {
        const { filters, dropped } = readFilters(query);
        expect([...RANGE_PRESETS, 'custom']).toContain(filters.range);
        if (filters.range === 'custom') expect(filters.from).toBeLessThan(filters.to as number);
        for (const { name } of dropped) expect(NAMES).toContain(name);
      }),
      { numRuns: 1_000 },
    );
  });

  it('gives back the same filters after a write and a read (a shared link shows the same view)', () => {
    fc.assert(
      fc.property(validFilters, (filters) => {
        expect(readFilters(writeFilters(filters))).toEqual({ filters, dropped: [] });
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the default range out of the URL and never puts a token-like parameter in it', () => {
    fc.assert(
      fc.property(validFilters, (filters) => {
        const query = writeFilters(filters);
        if (filters.range === '1h') expect(query).not.toContain('range=');
        expect(query).not.toMatch(/token|authorization/i);
        expect([...apiParams(filters).keys()]).toContain('range');
        // The actor is the admin-changes route's own: the sign-in routes would refuse it.
        expect([...apiParams(filters).keys()]).not.toContain('actor');
        if (filters.actor) expect(adminChangeParams(filters).get('actor')).toBe(filters.actor);
      }),
    );
  });

  it('drops a bad value with the reason and keeps the good ones', () => {
    expect(readFilters('range=2h&outcome=failure&ip=999.1.1.1&user=alice')).toEqual({
      filters: { range: '1h', outcome: 'failure', user: 'alice' },
      dropped: [
        { name: 'range', problem: 'must be 15m, 1h, 24h, 7d or custom' },
        { name: 'ip', problem: 'is not a valid value' },
      ],
    });
    expect(filterProblem('client', "x' OR 1=1")).toBe('client is not a valid value');
    expect(filterProblem('user', 'bob@example.com')).toBeUndefined();
  });
});
