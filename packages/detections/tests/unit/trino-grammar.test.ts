import { beforeAll, describe, expect, it } from 'vitest';
import { auditNamedQueries } from '../../../../infra/lib/audit-stream.js';
import { loadRulesFile } from '../../src/load.js';
import { DEFAULT_RULES_FILE } from '../../src/paths.js';
import { loadTrinoGrammar, type TrinoGrammar } from '../../src/sql/trino-grammar.js';

const compiled = loadRulesFile(DEFAULT_RULES_FILE).compiled;
let grammar: TrinoGrammar;

beforeAll(async () => {
  grammar = await loadTrinoGrammar();
});

describe('the Trino grammar check', () => {
  it('refuses SQL that is not Trino (so the checks below can fail)', () => {
    expect(grammar.validate('SELECT FROM WHERE')).not.toEqual([]);
    expect(grammar.validate('SELECT a FROM t QUALIFY row_number() OVER () = 1')).not.toEqual([]);
  });

  it.each(compiled.map((rule) => [rule.rule.id, rule.sql] as const))(
    'parses the query of rule %s',
    (_, sql) => {
      expect(grammar.validate(sql)).toEqual([]);
    },
  );

  it.each(Object.entries(auditNamedQueries('"authwatch_audit_dev"."authwatch_events"')))(
    'parses the named Athena query %s',
    (_, query) => {
      expect(grammar.validate(query.sql)).toEqual([]);
    },
  );
});
