import { beforeAll, describe, expect, it } from 'vitest';
import {
  eventSql,
  eventsSql,
  findingsSql,
  type HistoryFilters,
  summarySql,
  TOP_DIMENSIONS,
  timeseriesSql,
  topSql,
} from '../../src/query/history.js';
import { loadTrinoGrammar, type TrinoGrammar } from '../../src/sql/trino-grammar.js';

let grammar: TrinoGrammar;

beforeAll(async () => {
  grammar = await loadTrinoGrammar();
});

const NOW = Date.UTC(2026, 11, 6, 12);
const every: HistoryFilters = {
  from: NOW - 3_600_000,
  to: NOW,
  outcome: 'failure',
  user: 'alice@example.com',
  ip: '198.51.100.7',
  client: 'webclient123',
  type: 'PostAuthentication_Authentication',
  severity: 'high',
};
const none: HistoryFilters = { from: NOW - 3_600_000, to: NOW };

describe("the security page's history SQL (Athena runs it as Trino)", () => {
  const texts = [
    ...[none, every].flatMap((filters, i) => [
      [`summary ${i}`, summarySql(filters)] as const,
      [`time series ${i}`, timeseriesSql(filters)] as const,
      ...TOP_DIMENSIONS.map(
        (dimension) => [`top ${dimension} ${i}`, topSql(filters, dimension, 10)] as const,
      ),
      [`events ${i}`, eventsSql(filters, 50, { time: NOW - 1, uid: 'x' })] as const,
      [`findings ${i}`, findingsSql(filters, 20)] as const,
    ]),
    ['one event', eventSql('x', NOW)] as const,
  ];

  it.each(texts)('parses the %s query, one ? per bound value', (_, query) => {
    expect(grammar.validate(query.sql)).toEqual([]);
    expect(query.sql.split('?').length - 1).toBe(query.params.length);
  });
});
