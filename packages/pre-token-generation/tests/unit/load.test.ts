import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RULES_FILE,
  formatProblem,
  loadRulesFile,
  loadRulesText,
  RulesError,
  validateRules,
} from '../../src/index.js';
import { load, problemsOf } from '../helpers.js';

function loadProblems(text: string) {
  try {
    loadRulesText(text);
  } catch (error) {
    return (error as RulesError).problems;
  }
  return [];
}

const rule = (then: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  name: 'r',
  then,
  ...extra,
});

describe('loading a rules file', () => {
  it('loads the default rules file for V2_0 and V3_0', () => {
    const v2 = loadRulesFile(DEFAULT_RULES_FILE);
    const v3 = loadRulesFile(DEFAULT_RULES_FILE, { triggerVersion: 'V3_0' });

    expect(v2.file.rules.length).toBeGreaterThanOrEqual(5);
    expect(v3.warnings).toEqual([]);
    expect(v2.warnings.map((w) => w.ruleName)).toEqual(['machine-clients']);
  });

  it('reads JSON as well as YAML', () => {
    const loaded = loadRulesText(JSON.stringify({ rules: [rule({ claims: { tenant: 'a' } })] }));

    expect(loaded.compiled.rules).toHaveLength(1);
  });

  it('refuses a syntax error with its line', () => {
    expect(() => loadRulesText('rules:\n  - name: [unclosed\n')).toThrow(RulesError);
    try {
      loadRulesText('rules:\n  - then: {\n');
    } catch (error) {
      expect((error as RulesError).problems[0]?.field).toBe('(syntax)');
    }
  });

  it('refuses duplicate keys, which YAML would otherwise silently merge', () => {
    expect(() => loadRulesText('rules: []\nrules: []\n')).toThrow(RulesError);
  });

  it('names an unreadable file', () => {
    const error = (() => {
      try {
        loadRulesFile('/nonexistent/claims.yaml');
      } catch (caught) {
        return caught as RulesError;
      }
    })();

    expect(error).toBeInstanceOf(RulesError);
    expect(error?.problems[0]?.message).toContain('no such file');
  });

  it('resolves a relative path against the base folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'claims-'));
    writeFileSync(join(dir, 'r.yaml'), 'rules: []\n');

    expect(loadRulesFile('r.yaml', { baseDir: dir }).file.rules).toEqual([]);
  });

  it('refuses a file without a rules list', () => {
    expect(problemsOf({})).toEqual([{ field: 'rules', message: 'must be a list of rules' }]);
  });

  it('refuses unknown fields, naming the rule and the field', () => {
    const problems = problemsOf({ rules: [{ name: 'typo', then: {}, mach: {} }] });

    expect(problems).toEqual([
      expect.objectContaining({ rule: 0, ruleName: 'typo', field: 'mach' }),
    ]);
  });

  it('lists every problem of every rule at once', () => {
    const problems = problemsOf({
      rules: [
        rule({ idToken: { claims: { sub: 'x', iss: 'y' } } }),
        { name: 'second', then: { accessToken: { scopesToAdd: ['has space'] } } },
        { then: { idToken: { suppress: ['cognito:username'] } } },
      ],
    });

    expect(problems.map((p) => [p.rule, p.field])).toEqual([
      [0, 'then.idToken.claims.sub'],
      [0, 'then.idToken.claims.iss'],
      [1, 'then.accessToken.scopesToAdd.0'],
      [2, 'then.idToken.suppress.0'],
    ]);
  });

  it('formats a problem with the rule index, name and field', () => {
    const [problem] = problemsOf({ rules: [rule({ idToken: { claims: { exp: 1 } } })] });

    expect(formatProblem(problem!)).toBe(
      'rule 1 (r) then.idToken.claims.exp: exp is reserved in the ID token: Cognito sets it itself',
    );
  });

  it('puts every problem in the error message', () => {
    expect(() =>
      validateRules({ rules: [rule({ claims: { iat: 1, nbf: 2 } })] }, { source: 'x.yaml' }),
    ).toThrow(/x\.yaml.*2 problems[\s\S]*iat[\s\S]*nbf/);
  });

  it('refuses duplicate rule names', () => {
    const problems = problemsOf({ rules: [rule({}), rule({})] });

    expect(problems).toEqual([
      expect.objectContaining({ rule: 1, field: 'name', message: 'duplicates the name of rule 1' }),
    ]);
  });
});

describe('reserved claims', () => {
  const idReserved = [
    'sub',
    'iss',
    'aud',
    'token_use',
    'exp',
    'iat',
    'auth_time',
    'nonce',
    'at_hash',
    'acr',
    'amr',
    'azp',
    'nbf',
    'identities',
    'event_id',
    'jti',
    'origin_jti',
    'cognito:username',
  ];
  const accessReserved = [
    'client_id',
    'username',
    'version',
    'device_key',
    'scope',
    'jti',
    'origin_jti',
    'event_id',
    'sub',
    'token_use',
    'cognito:username',
  ];

  it.each(idReserved)('refuses adding %s to the ID token', (claim) => {
    expect(problemsOf({ rules: [rule({ idToken: { claims: { [claim]: 'x' } } })] })).toEqual([
      expect.objectContaining({ field: `then.idToken.claims.${claim}` }),
    ]);
  });

  it.each(idReserved)('refuses suppressing %s in the ID token', (claim) => {
    expect(problemsOf({ rules: [rule({ idToken: { suppress: [claim] } })] })).toEqual([
      expect.objectContaining({ field: 'then.idToken.suppress.0' }),
    ]);
  });

  it.each(accessReserved)('refuses adding %s to the access token', (claim) => {
    expect(problemsOf({ rules: [rule({ accessToken: { claims: { [claim]: 'x' } } })] })).toEqual([
      expect.objectContaining({ field: `then.accessToken.claims.${claim}` }),
    ]);
  });

  it.each(accessReserved)('refuses suppressing %s in the access token', (claim) => {
    expect(problemsOf({ rules: [rule({ accessToken: { suppress: [claim] } })] })).toEqual([
      expect.objectContaining({ field: 'then.accessToken.suppress.0' }),
    ]);
  });

  it('refuses any other cognito: claim, in both tokens', () => {
    expect(problemsOf({ rules: [rule({ claims: { 'cognito:mfa': 'x' } })] })[0]?.message).toContain(
      'cognito:',
    );
  });

  it('sends group claims to the group fields rather than claims', () => {
    const [problem] = problemsOf({
      rules: [rule({ idToken: { claims: { 'cognito:groups': ['a'] } } })],
    });

    expect(problem?.message).toContain('then.groups');
  });

  it('allows suppressing the group claims', () => {
    expect(() =>
      load([rule({ suppress: ['cognito:groups', 'cognito:roles', 'cognito:preferred_role'] })]),
    ).not.toThrow();
  });

  it('tells to use scopesToAdd for the scope claim', () => {
    expect(
      problemsOf({ rules: [rule({ accessToken: { claims: { scope: 'a b' } } })] })[0]?.message,
    ).toContain('scopesToAdd');
  });

  it('lets the ID token have claims reserved only in the access token', () => {
    expect(() =>
      load([rule({ idToken: { claims: { username: 'x', version: 'y', client_id: 'z' } } })]),
    ).not.toThrow();
  });

  it('refuses __proto__ as a claim name', () => {
    expect(loadProblems('rules:\n  - then: { claims: { __proto__: x } }\n')[0]?.message).toContain(
      '__proto__',
    );
  });

  it('refuses a claim name with a space', () => {
    expect(problemsOf({ rules: [rule({ claims: { 'my claim': 'x' } })] })[0]?.field).toBe(
      'then.claims.my claim',
    );
  });
});

describe('aud in the access token', () => {
  it('accepts exactly the caller client id template', () => {
    expect(() => load([rule({ accessToken: { claims: { aud: '${clientId}' } } })])).not.toThrow();
  });

  it.each(['my-api', 'https://api.example.com', '${clientId}x', '${userName}'])(
    'refuses %s',
    (value) => {
      expect(
        problemsOf({ rules: [rule({ accessToken: { claims: { aud: value } } })] })[0]?.message,
      ).toContain('client id');
    },
  );

  it('refuses aud as a claim of both tokens, as the ID token reserves it', () => {
    expect(problemsOf({ rules: [rule({ claims: { aud: '${clientId}' } })] })[0]?.message).toContain(
      'ID token',
    );
  });
});

describe('values and templates', () => {
  it.each(['email_verified', 'phone_number_verified', 'updated_at', 'address'])(
    'refuses an array or object for %s in the ID token',
    (claim) => {
      expect(
        problemsOf({ rules: [rule({ idToken: { claims: { [claim]: ['x'] } } })] })[0]?.field,
      ).toBe(`then.idToken.claims.${claim}`);
      expect(
        problemsOf({ rules: [rule({ idToken: { claims: { [claim]: { a: 1 } } } })] }),
      ).toHaveLength(1);
      expect(
        problemsOf({ rules: [rule({ idToken: { claims: { [claim]: '${groups}' } } })] }),
      ).toHaveLength(1);
    },
  );

  it('accepts complex values for those claims in the access token', () => {
    expect(() =>
      load([rule({ accessToken: { claims: { address: { street: 'x' } } } })]),
    ).not.toThrow();
  });

  it('accepts every value type V2_0 allows', () => {
    const loaded = load([
      rule({
        claims: { s: 'x', n: 1.5, b: false, a: ['x', 1, true], o: { deep: { list: [1, null] } } },
      }),
    ]);

    expect(loaded.compiled.rules[0]?.id.claims.map(([name]) => name)).toEqual([
      's',
      'n',
      'b',
      'a',
      'o',
    ]);
  });

  it('refuses arrays of objects', () => {
    expect(problemsOf({ rules: [rule({ claims: { a: [{ x: 1 }] } })] })[0]?.field).toMatch(
      /^then\.claims\.a/,
    );
  });

  it('refuses an unclosed template and a bad reference', () => {
    const problems = problemsOf({
      rules: [rule({ claims: { a: 'x ${custom:t', b: '${no spaces here}' } })],
    });

    expect(problems.map((p) => p.field)).toEqual(['then.claims.a', 'then.claims.b']);
  });

  it('checks templates inside arrays and objects', () => {
    expect(
      problemsOf({ rules: [rule({ accessToken: { claims: { o: { k: ['${'] } } } })] })[0]?.field,
    ).toBe('then.accessToken.claims.o.k.0');
  });
});

describe('V1_0 limits', () => {
  const v1 = { triggerVersion: 'V1_0' } as const;

  it('refuses access-token changes, saying they need V2_0', () => {
    const [problem] = problemsOf(
      { rules: [rule({ accessToken: { scopesToAdd: ['api/read'] } })] },
      v1,
    );

    expect(problem).toMatchObject({ field: 'then.accessToken' });
    expect(problem?.message).toContain('needs V2_0');
  });

  it.each([1, true, ['a'], { a: 'b' }])('refuses the non-string value %j', (value) => {
    expect(
      problemsOf({ rules: [rule({ idToken: { claims: { c: value } } })] }, v1)[0]?.message,
    ).toContain('needs V2_0');
  });

  it('refuses matching on scopes', () => {
    expect(problemsOf({ rules: [rule({}, { match: { scopes: ['a'] } })] }, v1)[0]?.field).toBe(
      'match.scopes',
    );
  });

  it('accepts string claims, suppression and groups', () => {
    expect(() =>
      load(
        [rule({ claims: { tenant: '${custom:tenant_id}' }, suppress: ['email'], groups: ['a'] })],
        v1,
      ),
    ).not.toThrow();
  });
});

describe('scopes, roles and matchers', () => {
  it('refuses scopes with spaces in both lists', () => {
    const problems = problemsOf({
      rules: [rule({ accessToken: { scopesToAdd: ['a b'], scopesToSuppress: ['c\td'] } })],
    });

    expect(problems.map((p) => p.field)).toEqual([
      'then.accessToken.scopesToAdd.0',
      'then.accessToken.scopesToSuppress.0',
    ]);
  });

  it('refuses adding the Cognito user-admin scope but allows suppressing it', () => {
    expect(
      problemsOf({
        rules: [rule({ accessToken: { scopesToAdd: ['aws.cognito.signin.user.admin'] } })],
      }),
    ).toHaveLength(1);
    expect(() =>
      load([rule({ accessToken: { scopesToSuppress: ['aws.cognito.signin.user.admin'] } })]),
    ).not.toThrow();
  });

  it('refuses role values that are not IAM role ARNs', () => {
    const problems = problemsOf({
      rules: [
        rule({
          iamRoles: ['admin'],
          preferredRole: 'arn:aws:s3:::bucket',
          roleMapping: { g: 'x' },
        }),
      ],
    });

    expect(problems.map((p) => p.field)).toEqual([
      'then.iamRoles.0',
      'then.preferredRole',
      'then.roleMapping.g',
    ]);
  });

  it('refuses an invalid regular expression', () => {
    expect(
      problemsOf({ rules: [rule({}, { match: { attributes: { email: { regex: '(' } } } })] })[0]
        ?.field,
    ).toBe('match.attributes.email.regex');
  });

  it('refuses empty matchers', () => {
    const problems = problemsOf({
      rules: [rule({}, { match: { attributes: { email: {} }, groups: {} } })],
    });

    expect(problems.map((p) => p.field).sort()).toEqual(['match.attributes.email', 'match.groups']);
  });

  it('refuses an unknown trigger source', () => {
    expect(
      problemsOf({ rules: [rule({}, { match: { triggerSources: ['TokenGeneration_Nope'] } })] })[0]
        ?.field,
    ).toBe('match.triggerSources.0');
  });

  it('warns that a machine-only rule never matches below V3_0', () => {
    const loaded = load([
      rule({}, { match: { triggerSources: ['TokenGeneration_ClientCredentials'] } }),
    ]);

    expect(loaded.warnings[0]?.message).toContain('never matches');
  });

  it('warns when a rule overrides and suppresses the same claim', () => {
    expect(load([rule({ claims: { a: 'x' }, suppress: ['a'] })]).warnings[0]?.message).toContain(
      'suppression wins',
    );
  });
});
