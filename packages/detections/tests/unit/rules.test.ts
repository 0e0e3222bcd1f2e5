import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblem, RulesError } from '../../src/errors.js';
import { loadRulesFile, loadRulesText } from '../../src/load.js';
import { DEFAULT_RULES_FILE, RULES_JSON_SCHEMA_FILE } from '../../src/paths.js';
import { rulesJsonSchema } from '../../src/schema.js';

const rule = (overrides: Record<string, unknown> = {}) => ({
  id: 'test-rule',
  title: 'Test rule',
  description: 'A rule for tests.',
  severity: 'high',
  mitre: ['T1110.001'],
  filter: { class_uid: 3002, activity_id: 1, status_id: 2 },
  correlation: {
    type: 'event_count',
    'group-by': ['user.name'],
    timespan: '10m',
    condition: { gte: 5 },
  },
  ...overrides,
});

function problemsOf(file: unknown): string[] {
  try {
    loadRulesText(JSON.stringify(file), 'test.yaml');
  } catch (error) {
    if (error instanceof RulesError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe('loading rules files', () => {
  it('loads the default rules, every one enabled and compiled', () => {
    const loaded = loadRulesFile(DEFAULT_RULES_FILE);
    expect(loaded.compiled.map((compiled) => compiled.rule.id)).toHaveLength(23);
    for (const compiled of loaded.compiled) {
      expect(compiled.rule.references?.length, compiled.rule.id).toBeGreaterThan(0);
      expect(compiled.sql).toContain('FROM authwatch_events');
    }
  });

  it('ships a JSON Schema that matches the zod schema', () => {
    expect(JSON.parse(readFileSync(RULES_JSON_SCHEMA_FILE, 'utf8'))).toEqual(rulesJsonSchema());
  });

  it('reports every problem with the rule id and the field', () => {
    const problems = problemsOf({
      rules: [
        rule({ id: 'unknown-field', filter: { 'user.nmae': 'x' } }),
        rule({
          id: 'too-long',
          correlation: {
            type: 'event_count',
            'group-by': ['user.name'],
            timespan: '120d',
            condition: { gte: 5 },
          },
        }),
        rule({
          id: 'zero',
          correlation: {
            type: 'event_count',
            'group-by': ['user.name'],
            timespan: '10m',
            condition: { gte: 0 },
          },
        }),
        rule({ id: 'bad-type', filter: { class_uid: 'x' } }),
        rule({ id: 'bad-modifier', filter: { 'status_detail|regex': 'x' } }),
      ],
    });
    expect(problems).toEqual([
      "rule unknown-field filter.user.nmae: user.nmae is not a known OCSF field (see the README's field table)",
      'rule too-long correlation.timespan: timespan 120d is longer than the history kept (90 days, settings.historyDays)',
      'rule zero correlation.condition.gte: a threshold of 0 would match every group: use 1 or more',
      'rule bad-type filter.class_uid: must be an integer (the field is int), got "x"',
      'rule bad-modifier filter.status_detail|regex: unknown modifier "regex" (one of contains, startswith, endswith, exists, gte, lte, gt, lt)',
    ]);
  });

  it('checks sequences: unknown rules, other groupings, itself', () => {
    const problems = problemsOf({
      rules: [
        rule({
          id: 'by-ip',
          correlation: {
            type: 'event_count',
            'group-by': ['src_endpoint.ip'],
            timespan: '10m',
            condition: { gte: 5 },
          },
        }),
        rule({
          id: 'after',
          correlation: {
            type: 'temporal_ordered',
            'group-by': ['user.name'],
            timespan: '1h',
            sequence: [{ rules: ['missing', 'by-ip', 'after'] }, { filter: { class_uid: 3002 } }],
          },
        }),
      ],
    });
    expect(problems).toEqual([
      'rule after correlation.sequence.0.rules.0: no rule has the id missing',
      'rule after correlation.sequence.0.rules.1: by-ip groups by src_endpoint.ip, this rule by user.name: a step must group the same way',
      'rule after correlation.sequence.0.rules.2: a rule cannot follow itself',
    ]);
  });

  it('refuses responses on a rule that does not name a user, and duplicate ids', () => {
    const problems = problemsOf({
      rules: [
        rule({
          id: 'ip-lock',
          correlation: {
            type: 'event_count',
            'group-by': ['src_endpoint.ip'],
            timespan: '10m',
            condition: { gte: 5 },
          },
          responses: [{ action: 'lock', minutes: 10 }],
        }),
        rule({ id: 'ip-lock' }),
      ],
    });
    expect(problems).toEqual([
      'rule ip-lock id: duplicates the id of rule 0',
      'rule ip-lock responses: responses act on a user: the rule must group by user.uid (or user.name)',
    ]);
  });

  it('names unknown keys and schema problems by path', () => {
    expect(problemsOf({ rules: [rule({ severity: 'urgent', colour: 'red' })] })).toEqual([
      'rule test-rule severity: Invalid option: expected one of "low"|"medium"|"high"|"critical"',
      'rule test-rule colour: is not a known field',
    ]);
    expect(problemsOf({ rules: 'none' })).toEqual(['rules: must be a list of rules']);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => loadRulesText('rules:\n  - id: [unclosed\n', 'broken.yaml')).toThrow(
      /broken\.yaml.*\(syntax\).*line/s,
    );
  });

  it('compiles a disabled rule (so it is checked) but does not run it', () => {
    const loaded = loadRulesText(
      JSON.stringify({ rules: [rule(), rule({ id: 'off', enabled: false })] }),
    );
    expect(loaded.compiled.map((compiled) => compiled.rule.id)).toEqual(['test-rule']);
    expect(loaded.file.rules).toHaveLength(2);
  });
});
