/**
 * What a trigger answers is input from outside the emulator: the project's handlers, a
 * new user's own Lambda, or a rules file behind one. Whatever it answers, the emulator
 * must either go on as Cognito does or fail the call with a Cognito error that blames
 * the Lambda (never crash, never blame the API caller's parameters), and no answer may
 * change the claims Cognito keeps for itself.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CognitoEmulator,
  CognitoError,
  createCognitoEmulator,
  OAuthError,
  type TriggerName,
  type TriggerVersion,
} from '../../src/cognito/index.js';
import { claims, FakeTriggers, MemoryMailer, PASSWORD, REGION } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Errors a call may end with when a trigger answered badly (or refused, for the define trigger). */
const LAMBDA_ERRORS = ['InvalidLambdaResponseException', 'UserLambdaValidationException'];

/** Claim names an answer is likely to try: Cognito's own, prototype keys, and any string. */
const claimName = fc.oneof(
  fc.constantFrom(
    'sub',
    'iss',
    'aud',
    'token_use',
    'cognito:username',
    'cognito:groups',
    'exp',
    'iat',
    'auth_time',
    'jti',
    'origin_jti',
    'event_id',
    'client_id',
    'username',
    'scope',
    'email',
    'tenant',
    '__proto__',
    'constructor',
  ),
  fc.string({ maxLength: 10 }),
);

/** Any JSON value, or nothing at all (an absent member). */
const junk = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));

/** Mostly the expected shape, sometimes anything. */
function shaped<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | unknown> {
  return fc.oneof({ weight: 3, arbitrary }, { weight: 1, arbitrary: junk });
}

const strings = shaped(fc.array(shaped(fc.string({ maxLength: 10 })), { maxLength: 4 }));
const claimValues = shaped(
  fc.dictionary(
    claimName,
    fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 10 }) }, fc.jsonValue({ maxDepth: 1 })),
    { maxKeys: 5 },
  ),
);
const groupOverride = shaped(
  fc.record(
    {
      groupsToOverride: strings,
      iamRolesToOverride: strings,
      preferredRole: shaped(fc.string({ maxLength: 10 })),
    },
    { requiredKeys: [] },
  ),
);
const tokenGeneration = shaped(
  fc.record(
    {
      claimsToAddOrOverride: claimValues,
      claimsToSuppress: shaped(fc.array(shaped(claimName), { maxLength: 4 })),
      scopesToAdd: strings,
      scopesToSuppress: strings,
    },
    { requiredKeys: [] },
  ),
);
const preTokenResponse = fc.record(
  {
    claimsOverrideDetails: shaped(
      fc.record(
        {
          claimsToAddOrOverride: claimValues,
          claimsToSuppress: shaped(fc.array(shaped(claimName), { maxLength: 4 })),
          groupOverrideDetails: groupOverride,
        },
        { requiredKeys: [] },
      ),
    ),
    claimsAndScopeOverrideDetails: shaped(
      fc.record(
        {
          idTokenGeneration: tokenGeneration,
          accessTokenGeneration: tokenGeneration,
          groupOverrideDetails: groupOverride,
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);
const flag = shaped(fc.boolean());
/** A define answer: mostly a plausible next step, sometimes a wrong or junk one. */
const defineResponse = fc.record(
  {
    challengeName: fc.oneof(
      { weight: 6, arbitrary: fc.constant('CUSTOM_CHALLENGE') },
      { weight: 1, arbitrary: fc.constantFrom('PASSWORD_VERIFIER', 'SMS_MFA') },
      { weight: 1, arbitrary: junk },
    ),
    issueTokens: fc.oneof(
      { weight: 3, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: junk },
    ),
    failAuthentication: fc.oneof(
      { weight: 4, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: junk },
    ),
  },
  { requiredKeys: [] },
);
const createResponse = fc.record(
  {
    publicChallengeParameters: shaped(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    ),
    privateChallengeParameters: shaped(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    ),
    challengeMetadata: shaped(fc.string({ maxLength: 10 })),
  },
  { requiredKeys: [] },
);
const preSignUpResponse = fc.record(
  { autoConfirmUser: flag, autoVerifyEmail: flag, autoVerifyPhone: flag },
  { requiredKeys: [] },
);
const verifyResponse = fc.record({ answerCorrect: flag }, { requiredKeys: [] });
const emptyResponse = fc.record({}, { requiredKeys: [] });

/** A trigger's whole answer: usually the event with a response, sometimes anything at all. */
type Answer = { response: unknown } | { whole: unknown };
function answer(response: fc.Arbitrary<unknown>): fc.Arbitrary<Answer> {
  return fc.oneof(
    { weight: 5, arbitrary: response.map((value) => ({ response: value })) },
    { weight: 1, arbitrary: junk.map((value) => ({ whole: value })) },
  );
}

/** Handlers that give the answers of the current run, in turn (the last one repeats). */
function scripted(script: Partial<Record<TriggerName, Answer[]>>) {
  const handlers: Partial<Record<TriggerName, (event: Record<string, unknown>) => unknown>> = {};
  for (const [name, answers] of Object.entries(script) as [TriggerName, Answer[]][]) {
    let next = 0;
    handlers[name] = (event) => {
      const given = answers[Math.min(next, answers.length - 1)] as Answer;
      next += 1;
      return 'whole' in given ? given.whole : { ...event, response: given.response };
    };
  }
  return handlers;
}

/** Runs `call`; a failure must be a Cognito error that blames the Lambda (or `also`). */
async function outcome(
  call: Promise<Record<string, unknown>>,
  also: string[] = [],
): Promise<Record<string, unknown> | undefined> {
  try {
    return await call;
  } catch (error) {
    if (!(error instanceof CognitoError)) throw error;
    expect([...LAMBDA_ERRORS, ...also]).toContain(error.name);
    expect(error.status).toBe(400);
    return undefined;
  }
}

interface Pool {
  emulator: CognitoEmulator;
  triggers: FakeTriggers;
  poolId: string;
  clientId: string;
  sub: string;
}

async function pool(triggers: Partial<Record<TriggerName, TriggerVersion>>): Promise<Pool> {
  const fake = new FakeTriggers();
  const emulator = createCognitoEmulator({
    region: REGION,
    baseUrl: 'http://127.0.0.1:1',
    triggers: fake,
    mailer: new MemoryMailer(),
  });
  const poolId = emulator.createUserPool({
    name: 'answers',
    usernameAttributes: ['email'],
    customAttributes: [{ name: 'tenant' }],
    triggers,
  }).id;
  const { clientId } = emulator.createUserPoolClient(poolId, {
    name: 'web',
    explicitAuthFlows: [
      'ALLOW_USER_PASSWORD_AUTH',
      'ALLOW_CUSTOM_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ],
  });
  await emulator.seedUser(poolId, 'answers@example.com', PASSWORD, { 'custom:tenant': 'acme' });
  emulator.ensureGroup(poolId, { name: 'readers' });
  await emulator.call('AdminAddUserToGroup', {
    UserPoolId: poolId,
    Username: 'answers@example.com',
    GroupName: 'readers',
  });
  const user = emulator.findUser(emulator.pool(poolId), 'answers@example.com');
  return { emulator, triggers: fake, poolId, clientId, sub: user?.attributes.sub as string };
}

/** The claims Cognito sets itself, whatever the pre token generation trigger answered. */
function expectCognitoClaims(
  tokens: Record<string, unknown>,
  p: Pool,
  issuer: string,
  authTime?: number,
): void {
  const id = claims(tokens.IdToken as string);
  const access = claims(tokens.AccessToken as string);
  expect(id).toMatchObject({
    sub: p.sub,
    iss: issuer,
    aud: p.clientId,
    token_use: 'id',
    'cognito:username': p.sub,
  });
  expect(access).toMatchObject({
    sub: p.sub,
    iss: issuer,
    client_id: p.clientId,
    token_use: 'access',
    username: p.sub,
  });
  for (const token of [id, access]) {
    expect(token.exp).toBe((token.iat as number) + 3600);
    // The first sign-in's time, through every refresh.
    expect(token.auth_time).toBe(authTime ?? token.iat);
    expect(token.jti).toMatch(UUID);
    expect(token.origin_jti).toMatch(UUID);
    expect(token.event_id).toBe(id.event_id);
    if ('cognito:groups' in token) {
      expect((token['cognito:groups'] as unknown[]).every((g) => typeof g === 'string')).toBe(true);
    }
  }
  expect(typeof access.scope).toBe('string');
}

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Names no Cognito claim has: an answer that adds or suppresses them gets its way. */
const FREE_NAMES = ['tenant', '__proto__', 'constructor'];

/** What the answer added is in the token and what it suppressed is not, for names Cognito leaves alone. */
function expectAnswerApplied(
  tokens: Record<string, unknown>,
  version: TriggerVersion,
  given: Answer,
  accessOnly = false,
): void {
  if (!('response' in given) || !isMap(given.response)) return;
  const details =
    version === 'V1_0'
      ? given.response.claimsOverrideDetails
      : given.response.claimsAndScopeOverrideDetails;
  if (!isMap(details)) return;
  type Pair = [Record<string, unknown>, unknown];
  const access: Pair = [claims(tokens.AccessToken as string), details.accessTokenGeneration];
  const pairs: Pair[] =
    version === 'V1_0'
      ? [[claims(tokens.IdToken as string), details]]
      : accessOnly
        ? [access]
        : [[claims(tokens.IdToken as string), details.idTokenGeneration], access];
  for (const [token, generation] of pairs) {
    if (!isMap(generation)) continue;
    const add = isMap(generation.claimsToAddOrOverride) ? generation.claimsToAddOrOverride : {};
    const suppress = Array.isArray(generation.claimsToSuppress) ? generation.claimsToSuppress : [];
    for (const name of FREE_NAMES) {
      if (suppress.includes(name)) expect(Object.hasOwn(token, name)).toBe(false);
      else if (Object.hasOwn(add, name)) expect(token[name]).toEqual(add[name]);
      else expect(Object.hasOwn(token, name)).toBe(false);
    }
  }
}

describe('trigger answers from outside', () => {
  describe('a sign-up', () => {
    let p: Pool;
    beforeAll(async () => {
      p = await pool({ PreSignUp: 'V1_0', PostConfirmation: 'V1_0' });
    });

    it('creates the user as the pre sign-up answer says, or not at all when it fails', async () => {
      let created = 0;
      let next = 0;
      await fc.assert(
        fc.asyncProperty(
          answer(preSignUpResponse),
          answer(emptyResponse),
          async (preSignUp, postConfirmation) => {
            p.triggers.handlers = scripted({
              PreSignUp: [preSignUp],
              PostConfirmation: [postConfirmation],
            });
            p.triggers.calls.length = 0;
            next += 1;
            const email = `new-${next}@example.com`;
            const result = await outcome(
              p.emulator.call('SignUp', {
                ClientId: p.clientId,
                Username: email,
                Password: PASSWORD,
                UserAttributes: [{ Name: 'phone_number', Value: '+15555550123' }],
              }),
            );
            const user = p.emulator.findUser(p.emulator.pool(p.poolId), email);
            const said =
              'response' in preSignUp && isMap(preSignUp.response) ? preSignUp.response : {};
            if (result === undefined) {
              // A failed pre sign-up creates nobody; a failed post confirmation comes after
              // the user was created and confirmed, and Cognito keeps them.
              const failedAt = p.triggers.calls.at(-1)?.name;
              if (failedAt === 'PreSignUp') expect(user).toBeUndefined();
              else expect(user?.status).toBe('CONFIRMED');
              return;
            }
            created += 1;
            expect(result.UserConfirmed).toBe(said.autoConfirmUser === true);
            expect(result.UserSub).toBe(user?.attributes.sub);
            expect(user?.status).toBe(said.autoConfirmUser === true ? 'CONFIRMED' : 'UNCONFIRMED');
            expect(user?.attributes.email_verified === 'true').toBe(said.autoVerifyEmail === true);
            expect(user?.attributes.phone_number_verified === 'true').toBe(
              said.autoVerifyPhone === true,
            );
            // Post confirmation runs exactly when the answer confirmed the user.
            expect(p.triggers.names().includes('PostConfirmation')).toBe(
              said.autoConfirmUser === true,
            );
          },
        ),
        { numRuns: 300 },
      );
      expect(created).toBeGreaterThan(100);
    });
  });

  for (const version of ['V1_0', 'V2_0'] as const) {
    describe(`a password sign-in, pre token generation ${version}`, () => {
      let p: Pool;
      beforeAll(async () => {
        p = await pool({
          PreAuthentication: 'V1_0',
          PostAuthentication: 'V1_0',
          PreTokenGeneration: version,
        });
      });

      it("issues and refreshes tokens with Cognito's own claims intact, or fails as Cognito does", async () => {
        let issued = 0;
        let refreshed = 0;
        await fc.assert(
          fc.asyncProperty(
            answer(emptyResponse),
            answer(emptyResponse),
            answer(preTokenResponse),
            answer(preTokenResponse),
            async (preAuth, postAuth, preToken, onRefresh) => {
              p.triggers.handlers = scripted({
                PreAuthentication: [preAuth],
                PostAuthentication: [postAuth],
                PreTokenGeneration: [preToken, onRefresh],
              });
              const result = await outcome(
                p.emulator.call('InitiateAuth', {
                  AuthFlow: 'USER_PASSWORD_AUTH',
                  ClientId: p.clientId,
                  AuthParameters: { USERNAME: 'answers@example.com', PASSWORD },
                }),
              );
              if (result === undefined) return;
              const tokens = result.AuthenticationResult as Record<string, unknown>;
              expectCognitoClaims(tokens, p, p.emulator.issuer(p.poolId));
              expectAnswerApplied(tokens, version, preToken);
              issued += 1;

              const refresh = await outcome(
                p.emulator.call('InitiateAuth', {
                  AuthFlow: 'REFRESH_TOKEN_AUTH',
                  ClientId: p.clientId,
                  AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
                }),
              );
              if (refresh === undefined) return;
              const renewed = refresh.AuthenticationResult as Record<string, unknown>;
              expect(renewed.RefreshToken).toBeUndefined();
              const first = claims(tokens.IdToken as string);
              expectCognitoClaims(
                renewed,
                p,
                p.emulator.issuer(p.poolId),
                first.auth_time as number,
              );
              expect(claims(renewed.IdToken as string).origin_jti).toBe(first.origin_jti);
              expectAnswerApplied(renewed, version, onRefresh);
              refreshed += 1;
            },
          ),
          { numRuns: 300 },
        );
        // Most answers are well formed: most runs must get as far as the tokens.
        expect(issued).toBeGreaterThan(80);
        expect(refreshed).toBeGreaterThan(50);
      });
    });
  }

  describe('a custom challenge sign-in', () => {
    let p: Pool;
    beforeAll(async () => {
      p = await pool({
        DefineAuthChallenge: 'V1_0',
        CreateAuthChallenge: 'V1_0',
        VerifyAuthChallengeResponse: 'V1_0',
        PreTokenGeneration: 'V1_0',
      });
    });

    it('asks, refuses or issues tokens only as the define trigger said, whatever the three answer', async () => {
      const ends = { tokens: 0, challenged: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(
          fc.array(answer(defineResponse), { minLength: 1, maxLength: 5 }),
          fc.array(answer(createResponse), { minLength: 1, maxLength: 4 }),
          fc.array(answer(verifyResponse), { minLength: 1, maxLength: 4 }),
          async (define, create, verify) => {
            p.triggers.handlers = {
              ...scripted({
                DefineAuthChallenge: define,
                CreateAuthChallenge: create,
                VerifyAuthChallengeResponse: verify,
              }),
              PreTokenGeneration: (event) => ({ ...event, response: {} }),
            };
            p.triggers.calls.length = 0;
            let step = await outcome(
              p.emulator.call('InitiateAuth', {
                AuthFlow: 'CUSTOM_AUTH',
                ClientId: p.clientId,
                AuthParameters: { USERNAME: 'answers@example.com' },
              }),
              ['NotAuthorizedException'],
            );
            if (step?.ChallengeName !== undefined) ends.challenged += 1;
            for (let round = 0; step?.ChallengeName !== undefined && round < 6; round += 1) {
              expect(step.ChallengeName).toBe('CUSTOM_CHALLENGE');
              expect(typeof step.Session).toBe('string');
              const parameters = step.ChallengeParameters as Record<string, unknown>;
              expect(parameters.USERNAME).toBe(p.sub);
              expect(Object.values(parameters).every((value) => typeof value === 'string')).toBe(
                true,
              );
              step = await outcome(
                p.emulator.call('RespondToAuthChallenge', {
                  ChallengeName: 'CUSTOM_CHALLENGE',
                  ClientId: p.clientId,
                  Session: step.Session,
                  ChallengeResponses: { USERNAME: 'answers@example.com', ANSWER: '123456' },
                }),
                ['NotAuthorizedException'],
              );
            }
            if (step?.AuthenticationResult === undefined) {
              ends.refused += 1;
              return;
            }
            ends.tokens += 1;
            // Tokens only after a define answer that said so, as its last word.
            const defines = p.triggers.calls.filter((call) => call.name === 'DefineAuthChallenge');
            const last = define[Math.min(defines.length, define.length) - 1] as Answer;
            expect(
              'response' in last && (last.response as { issueTokens?: unknown }).issueTokens,
            ).toBe(true);
            expectCognitoClaims(
              step.AuthenticationResult as Record<string, unknown>,
              p,
              p.emulator.issuer(p.poolId),
            );
          },
        ),
        { numRuns: 300 },
      );
      // Every way a custom sign-in can go is taken in a good share of the runs.
      expect(ends.challenged).toBeGreaterThan(60);
      expect(ends.tokens).toBeGreaterThan(30);
      expect(ends.refused).toBeGreaterThan(30);
    });
  });

  describe('a client-credentials token, pre token generation V3_0', () => {
    let p: Pool;
    let machine: { clientId: string; clientSecret: string };
    beforeAll(async () => {
      p = await pool({ PreTokenGeneration: 'V3_0' });
      p.emulator.createResourceServer(p.poolId, { identifier: 'authwatch', scopes: ['read'] });
      machine = p.emulator.createUserPoolClient(p.poolId, {
        name: 'machine',
        generateSecret: true,
        allowedOAuthFlows: ['client_credentials'],
        allowedOAuthScopes: ['authwatch/read'],
      }) as { clientId: string; clientSecret: string };
    });

    it("issues an access token with Cognito's own claims intact, or invalid_request", async () => {
      let issued = 0;
      await fc.assert(
        fc.asyncProperty(answer(preTokenResponse), async (preToken) => {
          p.triggers.handlers = scripted({ PreTokenGeneration: [preToken] });
          let token: { access_token: string; expires_in: number };
          try {
            token = await p.emulator.clientCredentials(
              machine.clientId,
              machine.clientSecret,
              undefined,
            );
          } catch (error) {
            expect(error).toBeInstanceOf(OAuthError);
            expect(error).toMatchObject({ error: 'invalid_request', status: 400 });
            return;
          }
          issued += 1;
          const access = claims(token.access_token);
          expect(access).toMatchObject({
            sub: machine.clientId,
            client_id: machine.clientId,
            iss: p.emulator.issuer(p.poolId),
            token_use: 'access',
            version: 2,
          });
          expect(access.exp).toBe((access.iat as number) + token.expires_in);
          expect(access.jti).toMatch(UUID);
          expect(typeof access.scope).toBe('string');
          expect(access).not.toHaveProperty('username');
          expectAnswerApplied({ AccessToken: token.access_token }, 'V3_0', preToken, true);
        }),
        { numRuns: 300 },
      );
      expect(issued).toBeGreaterThan(100);
    });
  });
});
