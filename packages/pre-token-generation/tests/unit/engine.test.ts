import { describe, expect, it } from 'vitest';
import {
  evaluate,
  type TokenResponse,
  toResponse,
  type V1Response,
  type V2Response,
} from '../../src/index.js';
import { load, tokenEvent } from '../helpers.js';

const run = (
  rules: unknown[],
  event = tokenEvent('v2/authentication'),
  version: 'V1_0' | 'V2_0' | 'V3_0' = 'V3_0',
) => evaluate(load(rules, { triggerVersion: version }).compiled, event);
const v2 = (response: TokenResponse) => (response as V2Response).claimsAndScopeOverrideDetails;
const v1 = (response: TokenResponse) => (response as V1Response).claimsOverrideDetails;
const ADMIN_ROLE = 'arn:aws:iam::123456789012:role/admins';
const USER_ROLE = 'arn:aws:iam::123456789012:role/users';

describe('matching', () => {
  it('matches every event when a rule has no match block', () => {
    expect(run([{ name: 'all', then: {} }]).matched).toEqual(['all']);
  });

  it('matches groups with any, all and none', () => {
    const outcome = run([
      { name: 'any', match: { groups: ['admins', 'x'] }, then: {} },
      { name: 'all', match: { groups: { all: ['admins', 'users'] } }, then: {} },
      { name: 'all-miss', match: { groups: { all: ['admins', 'x'] } }, then: {} },
      { name: 'none', match: { groups: { none: ['x'] } }, then: {} },
      { name: 'none-miss', match: { groups: { none: ['users'] } }, then: {} },
    ]);

    expect(outcome.matched).toEqual(['any', 'all', 'none']);
  });

  it('matches attributes by equals, in, regex and exists', () => {
    const outcome = run([
      { name: 'eq', match: { attributes: { given_name: 'User' } }, then: {} },
      { name: 'eq-miss', match: { attributes: { given_name: { equals: 'user' } } }, then: {} },
      {
        name: 'in',
        match: { attributes: { 'custom:tenant_id': { in: ['tenant-1', 'tenant-42'] } } },
        then: {},
      },
      { name: 'regex', match: { attributes: { email: { regex: '@example\\.com$' } } }, then: {} },
      {
        name: 'regex-miss',
        match: { attributes: { email: { regex: '@other\\.com$' } } },
        then: {},
      },
      { name: 'exists', match: { attributes: { email: { exists: true } } }, then: {} },
      { name: 'absent', match: { attributes: { phone_number: { exists: false } } }, then: {} },
      { name: 'absent-miss', match: { attributes: { email: { exists: false } } }, then: {} },
      { name: 'missing-regex', match: { attributes: { phone_number: { regex: '.*' } } }, then: {} },
    ]);

    expect(outcome.matched).toEqual(['eq', 'in', 'regex', 'exists', 'absent']);
  });

  it('does not read attributes from the object prototype', () => {
    expect(
      run([{ name: 'p', match: { attributes: { constructor: { exists: true } } }, then: {} }])
        .matched,
    ).toEqual([]);
  });

  it('matches the app client, the trigger source and requested scopes', () => {
    const outcome = run([
      { name: 'client', match: { clients: ['1example23456789abcdefghij'] }, then: {} },
      { name: 'client-miss', match: { clients: ['other'] }, then: {} },
      { name: 'source', match: { triggerSources: ['TokenGeneration_Authentication'] }, then: {} },
      {
        name: 'source-miss',
        match: { triggerSources: ['TokenGeneration_RefreshTokens'] },
        then: {},
      },
      { name: 'scope', match: { scopes: { all: ['openid', 'email'] } }, then: {} },
      { name: 'scope-miss', match: { scopes: ['api/read'] }, then: {} },
    ]);

    expect(outcome.matched).toEqual(['client', 'source', 'scope']);
  });

  it('needs every condition of a rule to hold', () => {
    const outcome = run([
      { name: 'both', match: { groups: ['admins'], clients: ['other'] }, then: {} },
    ]);

    expect(outcome.matched).toEqual([]);
  });

  it('skips disabled rules and stops after a rule with stop', () => {
    const outcome = run([
      { name: 'off', enabled: false, then: { claims: { a: '1' } } },
      { name: 'first', stop: true, then: { claims: { b: '1' } } },
      { name: 'after', then: { claims: { c: '1' } } },
    ]);

    expect(outcome.matched).toEqual(['first']);
    expect([...outcome.id.set.keys()]).toEqual(['b']);
  });

  it('never matches attribute or group rules on a machine token', () => {
    const outcome = run(
      [
        { name: 'absent', match: { attributes: { email: { exists: false } } }, then: {} },
        { name: 'none', match: { groups: { none: ['admins'] } }, then: {} },
        {
          name: 'machine',
          match: { triggerSources: ['TokenGeneration_ClientCredentials'] },
          then: {},
        },
      ],
      tokenEvent('v3/client-credentials'),
    );

    expect(outcome.matched).toEqual(['machine']);
  });
});

describe('claims', () => {
  it('adds literal values of every type to both tokens', () => {
    const value = { n: 1, b: true, a: ['x', 2], o: { k: ['v'] } };
    const details = v2(toResponse(run([{ then: { claims: { s: 'lit', ...value } } }])));

    expect(details.idTokenGeneration?.claimsToAddOrOverride).toEqual({ s: 'lit', ...value });
    expect(details.accessTokenGeneration?.claimsToAddOrOverride).toEqual({ s: 'lit', ...value });
  });

  it('resolves templates from attributes, groups and the request', () => {
    const details = v2(
      toResponse(
        run([
          {
            then: {
              accessToken: {
                claims: {
                  tenant: '${custom:tenant_id}',
                  groups: '${groups}',
                  label: '${given_name} of ${custom:tenant_id} (${groups})',
                  ctx: {
                    client: '${clientId}',
                    src: '${triggerSource}',
                    pool: '${userPoolId}',
                    r: '${region}',
                    u: '${userName}',
                  },
                  list: ['${custom:tenant_id}', 'x'],
                  literal: 'costs $${price}',
                  scopes: '${scopes}',
                },
              },
            },
          },
        ]),
      ),
    );

    expect(details.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
      tenant: 'tenant-42',
      groups: ['users', 'admins'],
      label: 'User of tenant-42 (users,admins)',
      ctx: {
        client: '1example23456789abcdefghij',
        src: 'TokenGeneration_Authentication',
        pool: 'us-east-1_EXAMPLE1a',
        r: 'us-east-1',
        u: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
      },
      list: ['tenant-42', 'x'],
      literal: 'costs ${price}',
      scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
    });
  });

  it('leaves out a claim whose template resolves to nothing', () => {
    const outcome = run(
      [{ then: { claims: { dept: '${custom:department}', groups: '${groups}' } } }],
      tokenEvent('v2/authentication', (e) => {
        e.request.groupConfiguration.groupsToOverride = [];
      }),
    );

    expect(outcome.id.set.size).toBe(0);
  });

  it('lets a later rule override an earlier one', () => {
    const outcome = run([
      { name: 'a', then: { claims: { level: 'basic' } } },
      { name: 'b', then: { idToken: { claims: { level: 'gold' } } } },
    ]);

    expect(outcome.id.set.get('level')).toEqual({ value: 'gold', rule: 'b' });
    expect(outcome.access.set.get('level')).toEqual({ value: 'basic', rule: 'a' });
  });

  it('lets suppression win over an override, whatever the order', () => {
    const details = v2(
      toResponse(
        run([
          { name: 'hide', then: { suppress: ['email'] } },
          { name: 'set', then: { claims: { email: 'x@example.com' } } },
        ]),
      ),
    );

    expect(details.idTokenGeneration).toEqual({ claimsToSuppress: ['email'] });
    expect(details.accessTokenGeneration).toEqual({ claimsToSuppress: ['email'] });
  });

  it('suppresses claims per token', () => {
    const details = v2(
      toResponse(
        run([
          {
            then: { idToken: { suppress: ['family_name'] }, accessToken: { suppress: ['tenant'] } },
          },
        ]),
      ),
    );

    expect(details.idTokenGeneration?.claimsToSuppress).toEqual(['family_name']);
    expect(details.accessTokenGeneration?.claimsToSuppress).toEqual(['tenant']);
  });
});

describe('scopes', () => {
  it('adds and suppresses scopes, suppression winning', () => {
    const details = v2(
      toResponse(
        run([
          { then: { accessToken: { scopesToAdd: ['api/read', 'api/admin'] } } },
          { then: { accessToken: { scopesToSuppress: ['api/admin', 'email'] } } },
        ]),
      ),
    );

    expect(details.accessTokenGeneration).toEqual({
      scopesToAdd: ['api/read'],
      scopesToSuppress: ['api/admin', 'email'],
    });
  });
});

describe('groups and roles', () => {
  it('copies groupConfiguration when no rule changes groups, so Cognito keeps them', () => {
    const event = tokenEvent('v2/authentication');
    const details = v2(toResponse(run([{ then: { claims: { a: 'b' } } }], event)));

    expect(details.groupOverrideDetails).toEqual({
      groupsToOverride: ['users', 'admins'],
      iamRolesToOverride: [USER_ROLE, ADMIN_ROLE],
      preferredRole: ADMIN_ROLE,
    });
  });

  it('copies groupConfiguration with no rules at all', () => {
    expect(v2(toResponse(run([]))).groupOverrideDetails?.groupsToOverride).toEqual([
      'users',
      'admins',
    ]);
  });

  it('omits a null preferred role', () => {
    const event = tokenEvent('v2/authentication', (e) => {
      e.request.groupConfiguration.preferredRole = null;
    });

    expect(v2(toResponse(run([], event))).groupOverrideDetails).not.toHaveProperty('preferredRole');
  });

  it('overrides groups, roles and the preferred role', () => {
    const role = 'arn:aws:iam::123456789012:role/x';
    const details = v2(
      toResponse(
        run([{ name: 'g', then: { groups: ['x'], iamRoles: [role], preferredRole: role } }]),
      ),
    );

    expect(details.groupOverrideDetails).toEqual({
      groupsToOverride: ['x'],
      iamRolesToOverride: [role],
      preferredRole: role,
    });
  });

  it('removes the groups with an empty list and the preferred role with null', () => {
    const details = v2(
      toResponse(run([{ then: { groups: [], iamRoles: [], preferredRole: null } }])),
    );

    expect(details.groupOverrideDetails).toEqual({ groupsToOverride: [], iamRolesToOverride: [] });
  });

  it('maps groups to roles, preferring the first mapping that applies', () => {
    const outcome = run([
      {
        name: 'map',
        then: {
          roleMapping: {
            admins: 'arn:aws:iam::123456789012:role/a',
            users: 'arn:aws:iam::123456789012:role/u',
            others: 'arn:aws:iam::123456789012:role/o',
          },
        },
      },
    ]);

    expect(outcome.groups).toEqual({
      groups: ['users', 'admins'],
      iamRoles: ['arn:aws:iam::123456789012:role/u', 'arn:aws:iam::123456789012:role/a'],
      preferredRole: 'arn:aws:iam::123456789012:role/a',
      changedBy: ['map'],
    });
  });

  it('maps the groups an earlier rule set', () => {
    const outcome = run([
      { then: { groups: ['others'] } },
      { then: { roleMapping: { others: 'arn:aws:iam::123456789012:role/o' } } },
    ]);

    expect(outcome.groups.iamRoles).toEqual(['arn:aws:iam::123456789012:role/o']);
  });
});

describe('event versions', () => {
  it('answers V1_0 with claimsOverrideDetails and string values only', () => {
    const rules = [
      { then: { claims: { tenant: '${custom:tenant_id}', g: '${groups}' }, suppress: ['email'] } },
    ];
    const details = v1(toResponse(run(rules, tokenEvent('v1/authentication'), 'V1_0')));

    expect(details).toEqual({
      claimsToAddOrOverride: { tenant: 'tenant-42', g: 'users,admins' },
      claimsToSuppress: ['email'],
      groupOverrideDetails: {
        groupsToOverride: ['users', 'admins'],
        iamRolesToOverride: [USER_ROLE, ADMIN_ROLE],
        preferredRole: ADMIN_ROLE,
      },
    });
  });

  it('turns V2 values into strings when a V1_0 event arrives anyway', () => {
    const details = v1(
      toResponse(
        run(
          [{ then: { claims: { n: 1, o: { a: 1 } }, accessToken: { scopesToAdd: ['x'] } } }],
          tokenEvent('v1/authentication'),
        ),
      ),
    );

    expect(details.claimsToAddOrOverride).toEqual({ n: '1', o: '{"a":1}' });
  });

  it.each([
    'authentication',
    'hosted-auth',
    'new-password-challenge',
    'authenticate-device',
    'refresh-tokens',
  ])('answers the V2_0 %s event with ID, access and group details', (name) => {
    const details = v2(
      toResponse(run([{ then: { claims: { a: 'b' } } }], tokenEvent(`v2/${name}`))),
    );

    expect(Object.keys(details).sort()).toEqual([
      'accessTokenGeneration',
      'groupOverrideDetails',
      'idTokenGeneration',
    ]);
  });

  it.each([
    'authentication',
    'hosted-auth',
    'new-password-challenge',
    'authenticate-device',
    'refresh-tokens',
  ])('answers the V3_0 %s event like V2_0', (name) => {
    const details = v2(
      toResponse(run([{ then: { claims: { a: 'b' } } }], tokenEvent(`v3/${name}`))),
    );

    expect(details.idTokenGeneration?.claimsToAddOrOverride).toEqual({ a: 'b' });
  });

  it('answers a client-credentials event with the access token only', () => {
    const details = v2(
      toResponse(
        run(
          [
            {
              then: {
                claims: { kind: 'machine', who: '${email}' },
                groups: ['x'],
                accessToken: { claims: { aud: '${clientId}' }, scopesToAdd: ['api/read'] },
              },
            },
          ],
          tokenEvent('v3/client-credentials'),
        ),
      ),
    );

    expect(details).toEqual({
      accessTokenGeneration: {
        claimsToAddOrOverride: { kind: 'machine', aud: '2machine3456789abcdefghijk' },
        scopesToAdd: ['api/read'],
      },
    });
  });

  it('refuses an event version it does not know', () => {
    const event = tokenEvent('v2/authentication', (e) => {
      e.version = '9';
    });

    expect(() => run([], event)).toThrow(/version/);
  });
});
