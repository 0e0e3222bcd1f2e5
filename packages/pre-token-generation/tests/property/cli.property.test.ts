import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { DEFAULT_RULES_FILE } from '../../src/index.js';
import { FIXED_NOW } from '../helpers.js';

async function preview(user: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['preview', DEFAULT_RULES_FILE, '--user', user, '--json'], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    now: () => FIXED_NOW,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('authwatch-claims preview --user from outside', () => {
  /** A user as JSON: mostly the documented shapes, with members of any type. */
  const member = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    fc.jsonValue({ maxDepth: 1 }),
  );
  const user = fc.oneof(
    fc.dictionary(fc.constantFrom('email', 'custom:tenant', 'sub'), member, { maxKeys: 3 }),
    fc.record(
      {
        userName: member,
        attributes: fc.oneof(
          fc.dictionary(fc.constantFrom('email', 'custom:tenant'), member),
          member,
        ),
        groups: member,
        roles: member,
        preferredRole: member,
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 2 }),
  );

  it('previews the user or exits 2 with a message naming the problem, never a crash', async () => {
    let previewed = 0;
    await fc.assert(
      fc.asyncProperty(user, async (value) => {
        const text = JSON.stringify(value);
        // Only text that starts with "{" is read as JSON; the rest names a fixture.
        if (!text.startsWith('{')) return;
        const result = await preview(text);
        expect([0, 2]).toContain(result.code);
        if (result.code === 2) {
          // One line saying what is wrong with the user or the event built from it.
          expect(result.err).toMatch(/^error: (--user |the preview event is not valid)/);
          return;
        }
        previewed += 1;
        // A preview means every member had its documented type: nothing was converted.
        const given = value as Record<string, unknown>;
        for (const key of ['groups', 'roles'] as const) {
          if (given[key] === undefined) continue;
          expect(Array.isArray(given[key])).toBe(true);
          expect((given[key] as unknown[]).every((item) => typeof item === 'string')).toBe(true);
        }
        if ('attributes' in given && given.attributes !== undefined && given.attributes !== null) {
          expect(typeof given.attributes).toBe('object');
          expect(Array.isArray(given.attributes)).toBe(false);
        }
        const answer = JSON.parse(result.out) as { tokens: { id: Record<string, unknown> } };
        expect(typeof answer.tokens.id.sub).toBe('string');
      }),
      { numRuns: 150 },
    );
    expect(previewed).toBeGreaterThan(10);
  });

  it('names the member of the wrong type', async () => {
    const attributes = await preview('{"attributes":"abc"}');
    const groups = await preview('{"groups":["admins",1]}');
    const role = await preview('{"preferredRole":7}');

    expect(attributes.code).toBe(2);
    expect(attributes.err).toContain('error: --user attributes must be an object');
    expect(groups.err).toContain('error: --user groups must be a list of strings');
    expect(role.err).toContain('error: --user preferredRole must be a string or null');
  });
});
