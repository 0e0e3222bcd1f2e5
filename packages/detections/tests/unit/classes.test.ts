import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRulesFile } from '../../src/load.js';
import { DEFAULT_RULES_FILE } from '../../src/paths.js';
import type { Filter, Rule } from '../../src/schema.js';
import { classesOfFilter, classesRead } from '../../src/sql/classes.js';

const file = loadRulesFile(DEFAULT_RULES_FILE).file;
const byId = new Map(file.rules.map((rule) => [rule.id, rule]));
const rule = (id: string) => byId.get(id) as Rule;

describe('classesRead', () => {
  it('finds the classes each default rule reads, so Athena scans only their sources', () => {
    expect(classesRead(rule('password-spray-ip'), byId)).toEqual([3002]);
    expect(classesRead(rule('new-country-user'), byId)).toEqual([3002]);
    expect(classesRead(rule('sign-up-burst-domain'), byId)).toEqual([3001]);
    expect(classesRead(rule('authwatch-trigger-tampered'), byId)).toEqual([6003]);
    expect(classesRead(rule('admin-new-ip'), byId)).toEqual([3001, 3005, 6003]);
    // Sequences: the filter steps' classes and the classes of the rules a step names.
    expect(classesRead(rule('privileged-password-set'), byId)).toEqual([3001, 3005]);
    expect(classesRead(rule('success-after-attack-user'), byId)).toEqual([3002]);
    for (const each of file.rules) expect(classesRead(each, byId), each.id).toBeDefined();
  });

  it('says undefined (every source) when a filter does not name a class', () => {
    expect(classesOfFilter({ status_id: 2 })).toBeUndefined();
    expect(classesOfFilter({ any: [{ class_uid: 3002 }, { status_id: 2 }] })).toBeUndefined();
    expect(classesOfFilter({ any: [{ class_uid: 3002 }, { class_uid: [3001, 3002] }] })).toEqual([
      3001, 3002,
    ]);
    const open = { ...rule('success-after-attack-ip') };
    open.correlation = {
      ...(open.correlation as Extract<Rule['correlation'], { type: 'temporal_ordered' }>),
      sequence: [{ rules: ['password-spray-ip'] }, { filter: { status_id: 1 } }],
    };
    expect(classesRead(open, byId)).toBeUndefined();
  });

  it('never names a class outside the filter’s own list (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1000, max: 9999 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (values, single) => {
          const filter: Filter = { class_uid: single ? (values[0] as number) : values };
          const found = classesOfFilter(filter) ?? [];
          expect(found.length).toBeGreaterThan(0);
          for (const value of found) expect(values).toContain(value);
        },
      ),
    );
  });
});
