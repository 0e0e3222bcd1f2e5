import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyClaims,
  applyGroupOverride,
  RESERVED_ACCESS_CLAIMS,
  RESERVED_ID_CLAIMS,
  readPreTokenAnswer,
} from '../../src/cognito/claims.js';
import { CognitoError } from '../../src/cognito/index.js';

const name = fc.oneof(
  fc.constantFrom(...RESERVED_ACCESS_CLAIMS, 'tenant', 'plan', '__proto__'),
  fc.string({ maxLength: 8 }),
);

describe('pre token generation answers', () => {
  it('reads the V1_0 shape: ID claims as strings only, the groups as given', () => {
    const answer = readPreTokenAnswer('V1_0', {
      claimsOverrideDetails: {
        claimsToAddOrOverride: { tenant: 'acme' },
        claimsToSuppress: ['email', 7],
        groupOverrideDetails: { groupsToOverride: ['admins'] },
      },
    });

    expect(answer).toEqual({
      idAdd: { tenant: 'acme' },
      idSuppress: ['email'],
      accessAdd: {},
      accessSuppress: [],
      scopesAdd: [],
      scopesSuppress: [],
      groupOverride: { groupsToOverride: ['admins'] },
    });
    expect(() =>
      readPreTokenAnswer('V1_0', { claimsOverrideDetails: { claimsToAddOrOverride: { n: 1 } } }),
    ).toThrow(
      new CognitoError(
        'InvalidLambdaResponseException',
        'Invalid lambda response: claim values must be strings',
      ),
    );
  });

  it('reads the V2_0 / V3_0 shape: claims of both tokens and the scopes', () => {
    const answer = readPreTokenAnswer('V2_0', {
      claimsAndScopeOverrideDetails: {
        idTokenGeneration: { claimsToAddOrOverride: { roles: ['a'] } },
        accessTokenGeneration: {
          claimsToAddOrOverride: { tier: 2 },
          claimsToSuppress: ['email'],
          scopesToAdd: ['authwatch/read'],
          scopesToSuppress: ['aws.cognito.signin.user.admin'],
        },
      },
    });

    expect(answer).toMatchObject({
      idAdd: { roles: ['a'] },
      accessAdd: { tier: 2 },
      accessSuppress: ['email'],
      scopesAdd: ['authwatch/read'],
      scopesSuppress: ['aws.cognito.signin.user.admin'],
    });
  });

  it('reads any answer of V2_0 or V3_0 without throwing, into lists of strings and objects', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('V2_0', 'V3_0'),
        fc.jsonValue({ maxDepth: 4 }),
        (version, response) => {
          const answer = readPreTokenAnswer(
            version as 'V2_0' | 'V3_0',
            typeof response === 'object' && response !== null && !Array.isArray(response)
              ? response
              : { claimsAndScopeOverrideDetails: response },
          );
          for (const list of [
            answer.idSuppress,
            answer.accessSuppress,
            answer.scopesAdd,
            answer.scopesSuppress,
          ]) {
            expect(list.every((item) => typeof item === 'string')).toBe(true);
          }
          for (const map of [answer.idAdd, answer.accessAdd]) {
            expect(typeof map === 'object' && map !== null && !Array.isArray(map)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('applying claims', () => {
  it("adds, then suppresses, and never touches Cognito's own claims", () => {
    fc.assert(
      fc.property(
        fc.dictionary(name, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 6 }),
        fc.array(name, { maxLength: 6 }),
        fc.constantFrom(RESERVED_ID_CLAIMS, RESERVED_ACCESS_CLAIMS),
        (add, suppress, reserved) => {
          const own = Object.fromEntries([...reserved].map((claim) => [claim, `cognito:${claim}`]));
          const claims: Record<string, unknown> = { ...own, email: 'e' };

          applyClaims(claims, add, suppress, reserved);

          for (const claim of reserved) expect(claims[claim]).toBe(`cognito:${claim}`);
          for (const claim of suppress)
            if (!reserved.has(claim)) expect(Object.hasOwn(claims, claim)).toBe(false);
          for (const [claim, value] of Object.entries(add)) {
            if (!reserved.has(claim) && !suppress.includes(claim)) {
              expect(Object.hasOwn(claims, claim)).toBe(true);
              expect(claims[claim]).toEqual(value);
            }
          }
          expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
        },
      ),
    );
  });

  it('overrides the groups member by member, and only with the right types', () => {
    const groups = ['readers'];
    const roles = ['arn:aws:iam::123456789012:role/r'];

    expect(applyGroupOverride(undefined, groups, roles, roles[0] as string)).toEqual({
      groupNames: groups,
      roles,
      preferredRole: roles[0],
    });
    expect(
      applyGroupOverride(
        { groupsToOverride: ['admins', 3], preferredRole: null },
        groups,
        roles,
        'x',
      ),
    ).toEqual({ groupNames: ['admins'], roles, preferredRole: null });
    expect(applyGroupOverride({ groupsToOverride: 'admins' }, groups, roles, null)).toEqual({
      groupNames: groups,
      roles,
      preferredRole: null,
    });
  });
});
