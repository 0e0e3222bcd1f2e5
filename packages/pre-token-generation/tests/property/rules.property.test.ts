import { InvalidEventError, PreTokenGenerationEventSchema, parseEvent } from '@authwatch/kit';
import { getTestEvent, listTestEvents } from '@authwatch/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_RESERVED_CLAIMS,
  DEFAULT_RULES_FILE,
  decideTokens,
  GROUP_CLAIMS,
  ID_TOKEN_RESERVED_CLAIMS,
  loadRulesFile,
  loadRulesText,
  RulesError,
  TOKEN_TRIGGER_SOURCES,
  type TokenResponse,
  validateRules,
} from '../../src/index.js';
import { FIXED_NOW, type RawTokenEvent } from '../helpers.js';

const CLAIM_NAMES = [
  ...ID_TOKEN_RESERVED_CLAIMS,
  ...ACCESS_TOKEN_RESERVED_CLAIMS,
  ...GROUP_CLAIMS,
  'cognito:other',
  'tenant',
  'email',
  'email_verified',
  'address',
  'custom:tenant_id',
  'has space',
  'roles',
];
const claimName = fc.oneof(fc.constantFrom(...CLAIM_NAMES), fc.string({ maxLength: 12 }));
const template = fc.constantFrom(
  '${custom:tenant_id}',
  '${groups}',
  '${scopes}',
  '${clientId}',
  '${email}',
  'x${',
  '${bad name}',
  '$${lit}',
  'plain',
);
const claimValue = fc.oneof(
  template,
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean(), template), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constant(null),
);
const scope = fc.oneof(
  fc.constantFrom('api/read', 'api/admin', 'a b', 'aws.cognito.signin.user.admin', 'openid'),
  fc.string({ maxLength: 10 }),
);
const role = fc.constantFrom(
  'arn:aws:iam::123456789012:role/a',
  'arn:aws:iam::123456789012:role/b',
  'not-a-role',
);
const group = fc.constantFrom('users', 'admins', 'others');
const claims = fc.dictionary(claimName, claimValue, { maxKeys: 4 });
const names = fc.array(claimName, { maxLength: 3 });

const ruleArb = fc.record(
  {
    name: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.string({ maxLength: 8 })),
    enabled: fc.boolean(),
    stop: fc.boolean(),
    match: fc.record(
      {
        groups: fc.oneof(
          fc.array(group, { minLength: 1, maxLength: 2 }),
          fc.record(
            { any: fc.array(group, { minLength: 1 }), none: fc.array(group, { minLength: 1 }) },
            { requiredKeys: [] },
          ),
        ),
        attributes: fc.dictionary(
          fc.constantFrom('email', 'custom:tenant_id', 'given_name', 'constructor'),
          fc.oneof(
            fc.string(),
            fc.record(
              {
                equals: fc.string(),
                in: fc.array(fc.string(), { minLength: 1 }),
                regex: fc.constantFrom('^t', '(', '.*', '@example\\.com$'),
                exists: fc.boolean(),
              },
              { requiredKeys: [] },
            ),
          ),
          { maxKeys: 2 },
        ),
        clients: fc.array(fc.constantFrom('1example23456789abcdefghij', 'other'), { minLength: 1 }),
        triggerSources: fc.array(
          fc.oneof(fc.constantFrom(...TOKEN_TRIGGER_SOURCES), fc.string({ maxLength: 6 })),
          { minLength: 1, maxLength: 2 },
        ),
        scopes: fc.array(scope, { minLength: 1, maxLength: 2 }),
        bogus: fc.string(),
      },
      { requiredKeys: [] },
    ),
    then: fc.record(
      {
        claims,
        suppress: names,
        idToken: fc.record({ claims, suppress: names }, { requiredKeys: [] }),
        accessToken: fc.record(
          {
            claims,
            suppress: names,
            scopesToAdd: fc.array(scope, { maxLength: 2 }),
            scopesToSuppress: fc.array(scope, { maxLength: 2 }),
          },
          { requiredKeys: [] },
        ),
        groups: fc.array(group, { maxLength: 2 }),
        iamRoles: fc.array(role, { maxLength: 2 }),
        preferredRole: fc.oneof(role, fc.constant(null)),
        roleMapping: fc.dictionary(group, role, { maxKeys: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['then'] },
);
const rulesFileArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ rules: fc.array(ruleArb, { maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.record({ rules: fc.array(fc.anything(), { maxLength: 3 }) }) },
);
const versionArb = fc.constantFrom('V1_0', 'V2_0', 'V3_0' as const);

describe('random rules files', () => {
  it('either load or fail with a RulesError naming the rule and the field', () => {
    fc.assert(
      fc.property(rulesFileArb, versionArb, (raw, triggerVersion) => {
        try {
          validateRules(raw, { triggerVersion });
        } catch (error) {
          expect(error).toBeInstanceOf(RulesError);
          const { problems } = error as RulesError;
          expect(problems.length).toBeGreaterThan(0);
          const rules = (raw as { rules?: unknown[] } | null)?.rules;
          for (const problem of problems) {
            expect(typeof problem.field).toBe('string');
            expect(problem.message.length).toBeGreaterThan(0);
            if (problem.rule !== undefined) {
              expect(problem.rule).toBeLessThan(rules?.length ?? 0);
              const name = (rules?.[problem.rule] as { name?: unknown } | undefined)?.name;
              expect(problem.ruleName).toBe(typeof name === 'string' ? name : undefined);
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('as text, never fail with anything but a RulesError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          loadRulesText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(RulesError);
        }
      }),
    );
  });
});

const FIXTURES = listTestEvents('pre-token-generation');
const attributes = fc.dictionary(
  fc.oneof(
    fc.constantFrom('email', 'custom:tenant_id', 'sub', 'given_name', '__proto__', 'constructor'),
    fc.string({ maxLength: 8 }),
  ),
  fc.string({ maxLength: 20 }),
  { maxKeys: 5 },
);
const eventArb = fc
  .record({
    fixture: fc.constantFrom(...FIXTURES),
    version: fc.oneof(fc.constantFrom('1', '2', '3'), fc.string({ maxLength: 2 })),
    triggerSource: fc.oneof(fc.constantFrom(...TOKEN_TRIGGER_SOURCES), fc.string({ maxLength: 6 })),
    attributes,
    groups: fc.array(fc.oneof(group, fc.string({ maxLength: 6 })), { maxLength: 3 }),
    scopes: fc.option(fc.array(scope, { maxLength: 3 })),
    clientId: fc.oneof(fc.constant('1example23456789abcdefghij'), fc.string({ maxLength: 10 })),
    userName: fc.option(fc.string({ maxLength: 10 })),
    mangle: fc.option(fc.anything(), { freq: 5 }),
  })
  .map((spec) => {
    const event = getTestEvent<RawTokenEvent>(spec.fixture);
    event.version = spec.version;
    event.triggerSource = spec.triggerSource;
    event.request.userAttributes = spec.attributes;
    event.request.groupConfiguration.groupsToOverride = spec.groups;
    if (spec.scopes === null) delete event.request.scopes;
    else event.request.scopes = spec.scopes;
    event.callerContext.clientId = spec.clientId;
    if (spec.userName !== null) event.userName = spec.userName;
    if (spec.mangle !== null) (event as Record<string, unknown>).request = spec.mangle;
    return event;
  });

const defaults = loadRulesFile(DEFAULT_RULES_FILE, { triggerVersion: 'V3_0' }).compiled;

function decide(raw: unknown, rules = defaults): TokenResponse | undefined {
  try {
    const event = parseEvent('PreTokenGeneration', PreTokenGenerationEventSchema, raw);
    return decideTokens(event, rules, { now: FIXED_NOW, budget: 4096 }).response;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return undefined;
  }
}

describe('random events', () => {
  it('never crash the logic: a response or an InvalidEventError', () => {
    fc.assert(
      fc.property(eventArb, (event) => void decide(event)),
      { numRuns: 300 },
    );
  });

  it('as arbitrary values, only ever give an InvalidEventError', () => {
    fc.assert(fc.property(fc.anything(), (event) => void decide(event)));
  });
});

function touched(response: TokenResponse): {
  id: string[];
  access: [string, unknown][];
  scopes: string[];
} {
  if ('claimsOverrideDetails' in response) {
    const details = response.claimsOverrideDetails;
    return {
      id: [
        ...Object.keys(details.claimsToAddOrOverride ?? {}),
        ...(details.claimsToSuppress ?? []),
      ],
      access: [],
      scopes: [],
    };
  }
  const details = response.claimsAndScopeOverrideDetails;
  const id = details.idTokenGeneration;
  const access = details.accessTokenGeneration;
  return {
    id: [...Object.keys(id?.claimsToAddOrOverride ?? {}), ...(id?.claimsToSuppress ?? [])],
    access: [
      ...Object.entries(access?.claimsToAddOrOverride ?? {}).map(
        ([k, v]) => [k, v] as [string, unknown],
      ),
      ...(access?.claimsToSuppress ?? []).map((k) => [k, undefined] as [string, unknown]),
    ],
    scopes: [...(access?.scopesToAdd ?? []), ...(access?.scopesToSuppress ?? [])],
  };
}

describe('no output', () => {
  it('ever touches a reserved claim, sets aud to anything but the caller, or a scope with a space', () => {
    let loaded = 0;
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 5 }),
        versionArb,
        eventArb,
        (rules, triggerVersion, raw) => {
          let compiled: typeof defaults;
          try {
            compiled = validateRules({ rules }, { triggerVersion }).compiled;
          } catch {
            return;
          }
          loaded += 1;
          const response = decide(raw, compiled);
          if (response === undefined) return;
          const { id, access, scopes } = touched(response);
          for (const name of id) {
            expect(ID_TOKEN_RESERVED_CLAIMS.has(name)).toBe(false);
            expect(name.startsWith('cognito:') && !GROUP_CLAIMS.has(name)).toBe(false);
          }
          for (const [name, value] of access) {
            if (name === 'aud')
              expect(value).toBe(
                (raw as { callerContext: { clientId: string } }).callerContext.clientId,
              );
            else expect(ACCESS_TOKEN_RESERVED_CLAIMS.has(name)).toBe(false);
            expect(name.startsWith('cognito:') && !GROUP_CLAIMS.has(name)).toBe(false);
          }
          for (const item of scopes) expect(item).not.toMatch(/\s/);
        },
      ),
      { numRuns: 500 },
    );
    expect(loaded).toBeGreaterThan(0);
  });
});
