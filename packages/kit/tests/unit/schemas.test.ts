import { getTestEvent, listTestEvents } from '@authwatch/testing';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/v4/core';
import {
  CognitoTriggerBaseSchema,
  CreateAuthChallengeEventSchema,
  DefineAuthChallengeEventSchema,
  InvalidEventError,
  PostAuthenticationEventSchema,
  PRE_SIGNUP_SOURCES,
  PreAuthenticationEventSchema,
  PreSignUpEventSchema,
  PreTokenGenerationEventSchema,
  parseEvent,
  TOKEN_GENERATION_M2M_SOURCE,
  TOKEN_GENERATION_USER_SOURCES,
  VerifyAuthChallengeEventSchema,
} from '../../src/index.js';

type Event = Record<string, unknown> & {
  triggerSource: string;
  version: string;
  userName?: string;
  request: Record<string, unknown>;
};

/** Which schema parses the fixtures under each folder. */
const SCHEMA_BY_PREFIX: [prefix: string, name: string, schema: z.$ZodType][] = [
  ['pre-signup/', 'PreSignUp', PreSignUpEventSchema],
  ['post-auth/', 'PostAuthentication', PostAuthenticationEventSchema],
  ['pre-auth/', 'PreAuthentication', PreAuthenticationEventSchema],
  ['pre-token-generation/', 'PreTokenGeneration', PreTokenGenerationEventSchema],
  ['custom-challenge/define-', 'DefineAuthChallenge', DefineAuthChallengeEventSchema],
  ['custom-challenge/create', 'CreateAuthChallenge', CreateAuthChallengeEventSchema],
  ['custom-challenge/verify', 'VerifyAuthChallenge', VerifyAuthChallengeEventSchema],
];

function schemaFor(fixture: string): [string, z.$ZodType] {
  const match = SCHEMA_BY_PREFIX.find(([prefix]) => fixture.startsWith(prefix));
  if (!match) throw new Error(`no schema for fixture ${fixture}`);
  return [match[1], match[2]];
}

/** Runs `fn` and returns the InvalidEventError it throws. */
function invalidEventOf(fn: () => unknown): InvalidEventError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected an InvalidEventError');
}

/** Fixtures of the Cognito triggers the kit has schemas for (other folders are not events of ours). */
const fixtures = listTestEvents().filter((fixture) =>
  SCHEMA_BY_PREFIX.some(([prefix]) => fixture.startsWith(prefix)),
);

describe('every trigger fixture', () => {
  it('exists for every schema', () => {
    for (const [prefix] of SCHEMA_BY_PREFIX) {
      expect(fixtures.some((fixture) => fixture.startsWith(prefix))).toBe(true);
    }
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
  });

  it.each(fixtures)('%s parses with its trigger’s schema', (fixture) => {
    // Prepare
    const [name, schema] = schemaFor(fixture);
    const event = getTestEvent<Event>(fixture);
    // Act
    const parsed = parseEvent(name, schema, event) as Event;
    // Assess
    expect(parsed.triggerSource).toBe(event.triggerSource);
    expect(parsed.request.userAttributes ?? {}).toEqual(event.request.userAttributes ?? {});
  });
});

describe('PreSignUpEventSchema', () => {
  it.each(PRE_SIGNUP_SOURCES)('accepts %s', (source) => {
    const event = getTestEvent<Event>('pre-signup/sign-up');
    event.triggerSource = source;
    expect(parseEvent('PreSignUp', PreSignUpEventSchema, event).triggerSource).toBe(source);
  });

  it.each([
    'PreSignUp_Other',
    'PostAuthentication_Authentication',
    'TokenGeneration_Authentication',
  ])('refuses %s, naming triggerSource', (source) => {
    const event = getTestEvent<Event>('pre-signup/sign-up');
    event.triggerSource = source;
    const error = invalidEventOf(() => parseEvent('PreSignUp', PreSignUpEventSchema, event));
    expect(error.issues.map((issue) => issue.path)).toEqual(['triggerSource']);
    expect(error.message).toMatch(/^PreSignUp event is malformed at triggerSource: /);
  });

  it('turns absent or null validation data and client metadata into empty maps', () => {
    const event = getTestEvent<Event>('pre-signup/admin-create-user');
    event.request.validationData = null;
    delete event.request.clientMetadata;
    const parsed = parseEvent('PreSignUp', PreSignUpEventSchema, event);
    expect(parsed.request.validationData).toEqual({});
    expect(parsed.request.clientMetadata).toEqual({});
  });

  it('names the path of a non-string attribute', () => {
    const event = getTestEvent<Event>('pre-signup/sign-up');
    (event.request.userAttributes as Record<string, unknown>).email_verified = true;
    const error = invalidEventOf(() => parseEvent('PreSignUp', PreSignUpEventSchema, event));
    expect(error.issues[0]?.path).toBe('request.userAttributes.email_verified');
  });
});

describe('PostAuthenticationEventSchema', () => {
  it('accepts PostAuthentication_Authentication', () => {
    const event = getTestEvent<Event>('post-auth/new-device');
    expect(
      parseEvent('PostAuthentication', PostAuthenticationEventSchema, event).triggerSource,
    ).toBe('PostAuthentication_Authentication');
  });

  it.each(['PostAuthentication_Other', 'PreSignUp_SignUp'])(
    'refuses %s, naming triggerSource',
    (source) => {
      const event = getTestEvent<Event>('post-auth/authentication');
      event.triggerSource = source;
      const error = invalidEventOf(() =>
        parseEvent('PostAuthentication', PostAuthenticationEventSchema, event),
      );
      expect(error.issues.map((issue) => issue.path)).toEqual(['triggerSource']);
    },
  );

  it('refuses an event without a userName', () => {
    const event = getTestEvent<Event>('post-auth/authentication');
    delete event.userName;
    const error = invalidEventOf(() =>
      parseEvent('PostAuthentication', PostAuthenticationEventSchema, event),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['userName']);
  });
});

describe('PreTokenGenerationEventSchema', () => {
  const cases = ['1', '2', '3'].flatMap((version) =>
    TOKEN_GENERATION_USER_SOURCES.map((source) => [version, source] as const),
  );

  it.each(cases)('accepts V%s_0 %s', (version, source) => {
    const event = getTestEvent<Event>(`pre-token-generation/v${version}/authentication`);
    event.triggerSource = source;
    const parsed = parseEvent('PreTokenGeneration', PreTokenGenerationEventSchema, event);
    expect([parsed.version, parsed.triggerSource]).toEqual([version, source]);
  });

  it('accepts TokenGeneration_ClientCredentials from a V3_0 trigger, with no user', () => {
    const event = getTestEvent<Event>('pre-token-generation/v3/client-credentials');
    const parsed = parseEvent('PreTokenGeneration', PreTokenGenerationEventSchema, event);
    expect(parsed.triggerSource).toBe(TOKEN_GENERATION_M2M_SOURCE);
    expect(parsed.userName).toBeUndefined();
    expect(parsed.request.groupConfiguration).toEqual({
      groupsToOverride: [],
      iamRolesToOverride: [],
      preferredRole: null,
    });
  });

  it.each([
    ['null', null],
    ['empty', ''],
    ['absent', undefined],
    ['a name', 'ClientCredentials'],
  ])('accepts a client-credentials event whose userName is %s', (_case, userName) => {
    // Prepare: the documents do not pin what a machine-to-machine event carries here.
    const event = getTestEvent<Record<string, unknown>>(
      'pre-token-generation/v3/client-credentials',
    );
    if (userName === undefined) delete event.userName;
    else event.userName = userName;

    // Act
    const parsed = parseEvent('PreTokenGeneration', PreTokenGenerationEventSchema, event);

    // Assess
    expect(parsed.userName).toBe(userName === '' || userName === null ? undefined : userName);
  });

  it.each([
    [
      'awsSdkVersion null',
      (e: Event) => Object.assign(e.callerContext as object, { awsSdkVersion: null }),
    ],
    [
      'awsSdkVersion absent',
      (e: Event) => delete (e.callerContext as { awsSdkVersion?: string }).awsSdkVersion,
    ],
    ['scopes null', (e: Event) => Object.assign(e.request, { scopes: null })],
    ['scopes absent', (e: Event) => delete e.request.scopes],
    ['userAttributes null', (e: Event) => Object.assign(e.request, { userAttributes: null })],
    [
      'groupConfiguration null',
      (e: Event) => Object.assign(e.request, { groupConfiguration: null }),
    ],
    ['clientMetadata null', (e: Event) => Object.assign(e.request, { clientMetadata: null })],
    ['response null', (e: Event) => Object.assign(e, { response: null })],
  ])('accepts a client-credentials event with %s', (_case, change) => {
    const event = getTestEvent<Event>('pre-token-generation/v3/client-credentials');
    change(event);
    const parsed = parseEvent('PreTokenGeneration', PreTokenGenerationEventSchema, event);
    expect(parsed.triggerSource).toBe(TOKEN_GENERATION_M2M_SOURCE);
    expect(parsed.request.userAttributes).toBeTypeOf('object');
  });

  it('refuses a user source whose userName is null or empty', () => {
    for (const userName of [null, '']) {
      const event = getTestEvent<Record<string, unknown>>('pre-token-generation/v2/refresh-tokens');
      event.userName = userName;
      const error = invalidEventOf(() =>
        parseEvent('PreTokenGeneration', PreTokenGenerationEventSchema, event),
      );
      expect(error.issues.map((issue) => issue.path)).toEqual(['userName']);
    }
  });

  it.each(['1', '2'])('refuses TokenGeneration_ClientCredentials sent as V%s_0', (version) => {
    const event = getTestEvent<Event>('pre-token-generation/v3/client-credentials');
    event.version = version;
    const error = invalidEventOf(() =>
      parseEvent('PreTokenGeneration', PreTokenGenerationEventSchema, event),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['version']);
    expect(error.message).toContain('sent only to V3_0 triggers');
  });

  it('refuses a user source without a userName', () => {
    const event = getTestEvent<Event>('pre-token-generation/v2/refresh-tokens');
    delete event.userName;
    const error = invalidEventOf(() =>
      parseEvent('PreTokenGeneration', PreTokenGenerationEventSchema, event),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['userName']);
  });

  it.each(['TokenGeneration_Other', 'PreSignUp_SignUp'])(
    'refuses %s, naming triggerSource',
    (source) => {
      const event = getTestEvent<Event>('pre-token-generation/v1/hosted-auth');
      event.triggerSource = source;
      const error = invalidEventOf(() =>
        parseEvent('PreTokenGeneration', PreTokenGenerationEventSchema, event),
      );
      expect(error.issues.map((issue) => issue.path)).toEqual(['triggerSource']);
    },
  );
});

describe('pre authentication schema', () => {
  it('reads userNotFound as true only when Cognito sets it', () => {
    const known = parseEvent(
      'PreAuthentication',
      PreAuthenticationEventSchema,
      getTestEvent('pre-auth/authentication'),
    );
    const unknown = parseEvent(
      'PreAuthentication',
      PreAuthenticationEventSchema,
      getTestEvent('pre-auth/user-not-found'),
    );
    expect([known.request.userNotFound, unknown.request.userNotFound]).toEqual([false, true]);
    expect(unknown.request.validationData).toEqual({});
  });

  it.each([null, undefined])('accepts userNotFound and validationData as %s', (value) => {
    const event = getTestEvent<Event>('pre-auth/authentication');
    event.request.userNotFound = value;
    event.request.validationData = value;
    if (value === undefined) {
      delete event.request.userNotFound;
      delete event.request.validationData;
    }
    const parsed = parseEvent('PreAuthentication', PreAuthenticationEventSchema, event);
    expect(parsed.request.userNotFound).toBe(false);
    expect(parsed.request.validationData).toEqual({});
  });

  it('refuses another trigger source, naming triggerSource', () => {
    const event = getTestEvent<Event>('pre-auth/authentication');
    event.triggerSource = 'PostAuthentication_Authentication';
    const error = invalidEventOf(() =>
      parseEvent('PreAuthentication', PreAuthenticationEventSchema, event),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(['triggerSource']);
  });
});

describe('auth challenge schemas', () => {
  const TRIGGERS = [
    ['DefineAuthChallenge', DefineAuthChallengeEventSchema, 'custom-challenge/define-first-call'],
    ['CreateAuthChallenge', CreateAuthChallengeEventSchema, 'custom-challenge/create'],
    ['VerifyAuthChallenge', VerifyAuthChallengeEventSchema, 'custom-challenge/verify'],
  ] as const;
  const SOURCES = [
    'DefineAuthChallenge_Authentication',
    'CreateAuthChallenge_Authentication',
    'VerifyAuthChallengeResponse_Authentication',
  ];

  it.each(TRIGGERS)('%s accepts only its own trigger source', (name, schema, fixture) => {
    const own = getTestEvent<Event>(fixture).triggerSource;
    for (const source of SOURCES) {
      const event = getTestEvent<Event>(fixture);
      event.triggerSource = source;
      if (source === own) {
        expect(parseEvent(name, schema, event).triggerSource).toBe(source);
      } else {
        const error = invalidEventOf(() => parseEvent(name, schema, event));
        expect(error.issues.map((issue) => issue.path)).toEqual(['triggerSource']);
      }
    }
  });

  it('define accepts the first call’s empty session', () => {
    const event = getTestEvent<Event>('custom-challenge/define-first-call');
    expect(parseEvent('Define', DefineAuthChallengeEventSchema, event).request.session).toEqual([]);
  });

  it('define names the path of an unknown challenge in the session', () => {
    const event = getTestEvent<Event>('custom-challenge/define-after-wrong-answer');
    const session = event.request.session as { challengeName: string }[];
    (session[0] as { challengeName: string }).challengeName = 'MAGIC_LINK';
    const error = invalidEventOf(() => parseEvent('Define', DefineAuthChallengeEventSchema, event));
    expect(error.issues[0]?.path).toBe('request.session.0.challengeName');
  });

  it('verify refuses a non-string answer without echoing it', () => {
    const event = getTestEvent<Event>('custom-challenge/verify');
    event.request.challengeAnswer = 987654;
    const error = invalidEventOf(() => parseEvent('Verify', VerifyAuthChallengeEventSchema, event));
    expect(error.issues.map((issue) => issue.path)).toEqual(['request.challengeAnswer']);
    expect(JSON.stringify({ message: error.message, issues: error.issues })).not.toContain(
      '987654',
    );
  });
});

describe('InvalidEventError', () => {
  it('counts the further issues in its message', () => {
    const error = invalidEventOf(() => parseEvent('PreSignUp', PreSignUpEventSchema, {}));
    expect(error.issues.length).toBeGreaterThan(1);
    expect(error.message).toMatch(
      new RegExp(
        `^PreSignUp event is malformed at \\w+: .+ \\(\\+${error.issues.length - 1} more\\)$`,
      ),
    );
  });

  it('names the root when the event is not an object', () => {
    const error = invalidEventOf(() => parseEvent('PreSignUp', PreSignUpEventSchema, 'hello'));
    expect(error.message).toMatch(/^PreSignUp event is malformed at \(root\): /);
  });
});

describe('parity with @aws-lambda-powertools/parser', () => {
  it('the base schema accepts and refuses what Powertools’ base schema does', async () => {
    const powertools = await import('@aws-lambda-powertools/parser/schemas/cognito');
    const events: unknown[] = [
      ...listTestEvents().map((fixture) => getTestEvent(fixture)),
      {},
      { version: '1' },
      { ...getTestEvent<Record<string, unknown>>('post-auth/authentication'), callerContext: {} },
      { ...getTestEvent<Record<string, unknown>>('post-auth/authentication'), region: 42 },
    ];
    for (const event of events) {
      expect(CognitoTriggerBaseSchema.safeParse(event).success).toBe(
        powertools.CognitoTriggerBaseSchema.safeParse(event).success,
      );
    }
  });

  it('post-authentication and verify fixtures pass Powertools’ schemas too', async () => {
    const powertools = await import('@aws-lambda-powertools/parser/schemas/cognito');
    for (const fixture of listTestEvents('post-auth/')) {
      expect(
        powertools.PostAuthenticationTriggerSchema.safeParse(getTestEvent(fixture)).success,
      ).toBe(true);
    }
    const verify = getTestEvent('custom-challenge/verify');
    expect(powertools.VerifyAuthChallengeTriggerSchema.safeParse(verify).success).toBe(true);
  });
});
