/**
 * Zod schemas of the Cognito user-pool trigger events Authwatch handles, one per
 * trigger, accepting every triggerSource Cognito sends to it.
 *
 * The base, post-authentication and verify schemas are the same shapes as
 * @aws-lambda-powertools/parser's (tests/unit/schemas.test.ts checks they accept and
 * refuse the same fixtures), written here rather than imported: the parser imports
 * `{ z }` from zod, which makes esbuild keep ALL of zod (every locale, ~450 KB) in each
 * Lambda bundle, where `import * as z` lets it keep only what is used (~90 KB), a
 * measured cold-start difference (`pnpm bench`). Ours also replace the parser schemas
 * that are too narrow: its pre-signup schema accepts only PreSignUp_SignUp, its define
 * and create schemas require a non-empty session (the first define call has an empty
 * one), and its token-generation schemas do not check the trigger source or allow the
 * client-credentials event, which has no user.
 *
 * They are written with zod's mini build (`zod/mini`: functions instead of methods,
 * `z.optional(x)` for `x.optional()`), the same schemas with the same issues and the
 * same English messages as the classic build, at about a third of the code in a bundle
 * and a fraction of the construction cost at cold start: the classic build installs
 * its ~50 methods on every schema class a bundle uses. Every schema is built inside an
 * IIFE marked `@__PURE__`, so esbuild drops the ones a Lambda bundle does not use: each
 * trigger builds its own schema at cold start instead of all of them. A new schema here
 * follows the same form; `defineTrigger` takes classic and mini schemas alike.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
 */
// Namespace import, not `import { z }`: see above.
import * as z from 'zod/mini';
// English issue messages, as the classic build gives them.
import '../zod-locale.js';

/** `x ?? fallback`: for the maps and lists Cognito may send as null or leave out. */
function orElse<T, F>(schema: z.ZodMiniType<T>, fallback: () => F) {
  return z.pipe(
    z.nullish(schema),
    z.transform((value: T | null | undefined) => value ?? fallback()),
  );
}

/**
 * A field Cognito's documents leave open: a string, `null`, absent or empty. Parsed
 * to the string, or `undefined` for null, absent and empty alike.
 */
export const OpenString = /* @__PURE__ */ (() =>
  z.pipe(
    z.nullish(z.string()),
    z.transform((value: string | null | undefined) =>
      value === null || value === '' ? undefined : value,
    ),
  ))();

/**
 * Fields every Cognito trigger event carries (Powertools' CognitoTriggerBaseSchema).
 * `userName` and `awsSdkVersion` are open: the documents do not pin what every event
 * (the client-credentials token event in particular) carries there.
 */
export const CognitoTriggerBaseSchema = /* @__PURE__ */ (() =>
  z.object({
    version: z.string(),
    triggerSource: z.string(),
    region: z.string(),
    userPoolId: z.string(),
    userName: OpenString,
    callerContext: z.object({
      awsSdkVersion: OpenString,
      clientId: z.string(),
    }),
    request: z.object({}),
    response: z.object({}),
  }))();

/** Powertools' PostAuthenticationTriggerSchema. */
const PostAuthenticationTriggerSchema = /* @__PURE__ */ (() =>
  z.extend(CognitoTriggerBaseSchema, {
    triggerSource: z.literal('PostAuthentication_Authentication'),
    request: z.object({
      userAttributes: z.record(z.string(), z.string()),
      newDeviceUsed: z.optional(z.boolean()),
      clientMetadata: z.optional(z.record(z.string(), z.string())),
    }),
  }))();

/** Powertools' VerifyAuthChallengeTriggerSchema. */
const VerifyAuthChallengeTriggerSchema = /* @__PURE__ */ (() =>
  z.extend(CognitoTriggerBaseSchema, {
    triggerSource: z.literal('VerifyAuthChallengeResponse_Authentication'),
    request: z.object({
      userAttributes: z.record(z.string(), z.string()),
      privateChallengeParameters: z.record(z.string(), z.string()),
      challengeAnswer: z.string(),
      clientMetadata: z.optional(z.record(z.string(), z.string())),
      userNotFound: z.optional(z.boolean()),
    }),
    response: z.object({
      answerCorrect: z.boolean(),
    }),
  }))();

const StringMap = /* @__PURE__ */ (() => z.record(z.string(), z.string()))();

/** Attributes, validation data and client metadata: string to string, or absent. */
const OptionalStringMap = /* @__PURE__ */ (() =>
  orElse(StringMap, (): Record<string, string> => ({})))();

/** Every pre sign-up trigger source. */
export const PRE_SIGNUP_SOURCES = [
  'PreSignUp_SignUp',
  'PreSignUp_AdminCreateUser',
  'PreSignUp_ExternalProvider',
] as const;

/** Pre sign-up: self sign-up, admin-created users and first federated sign-in. */
export const PreSignUpEventSchema = /* @__PURE__ */ (() =>
  z.extend(CognitoTriggerBaseSchema, {
    triggerSource: z.enum(PRE_SIGNUP_SOURCES),
    userName: z.string(),
    request: z.object({
      userAttributes: StringMap,
      validationData: OptionalStringMap,
      clientMetadata: OptionalStringMap,
    }),
    response: z.object({
      autoConfirmUser: z.optional(z.boolean()),
      autoVerifyEmail: z.optional(z.boolean()),
      autoVerifyPhone: z.optional(z.boolean()),
    }),
  }))();
export type PreSignUpEvent = z.output<typeof PreSignUpEventSchema>;

/** Post authentication (PostAuthentication_Authentication), Powertools' schema. */
export const PostAuthenticationEventSchema = /* @__PURE__ */ (() =>
  z.extend(PostAuthenticationTriggerSchema, {
    userName: z.string(),
  }))();
export type PostAuthenticationEvent = z.output<typeof PostAuthenticationEventSchema>;

/**
 * Pre authentication (PreAuthentication_Authentication): before Cognito checks the
 * credential. `userNotFound` is set when PreventUserExistenceErrors is on and the name
 * is unknown (then `userAttributes` is empty); `validationData` is the ClientMetadata
 * of the sign-in request.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-authentication.html
 */
export const PreAuthenticationEventSchema = /* @__PURE__ */ (() =>
  z.extend(CognitoTriggerBaseSchema, {
    triggerSource: z.literal('PreAuthentication_Authentication'),
    userName: z.string(),
    request: z.object({
      userAttributes: OptionalStringMap,
      validationData: OptionalStringMap,
      clientMetadata: OptionalStringMap,
      userNotFound: z.pipe(
        z.nullish(z.boolean()),
        z.transform((value: boolean | null | undefined) => value === true),
      ),
    }),
    response: z.nullish(z.looseObject({})),
  }))();
export type PreAuthenticationEvent = z.output<typeof PreAuthenticationEventSchema>;

/** Trigger sources of pre token generation for users (every version). */
export const TOKEN_GENERATION_USER_SOURCES = [
  'TokenGeneration_HostedAuth',
  'TokenGeneration_Authentication',
  'TokenGeneration_NewPasswordChallenge',
  'TokenGeneration_AuthenticateDevice',
  'TokenGeneration_RefreshTokens',
] as const;

/** The machine-to-machine source, sent only to V3_0 triggers. */
export const TOKEN_GENERATION_M2M_SOURCE = 'TokenGeneration_ClientCredentials' as const;

const GroupConfigurationSchema = /* @__PURE__ */ (() =>
  z.object({
    groupsToOverride: orElse(z.array(z.string()), (): string[] => []),
    iamRolesToOverride: orElse(z.array(z.string()), (): string[] => []),
    preferredRole: orElse(z.string(), () => null),
  }))();
export type GroupConfiguration = z.output<typeof GroupConfigurationSchema>;

const EMPTY_GROUPS: GroupConfiguration = {
  groupsToOverride: [],
  iamRolesToOverride: [],
  preferredRole: null,
};

const TokenGenerationBase = /* @__PURE__ */ (() =>
  z.extend(CognitoTriggerBaseSchema, {
    version: z.string(),
    userName: OpenString,
    request: z.object({
      userAttributes: OptionalStringMap,
      groupConfiguration: orElse(GroupConfigurationSchema, () => EMPTY_GROUPS),
      clientMetadata: OptionalStringMap,
      // V1_0 events carry none; a client-credentials event may carry null.
      scopes: orElse(z.array(z.string()), () => undefined),
    }),
    response: z.nullish(z.looseObject({})),
  }))();

/**
 * Pre token generation, V1_0 (`version` "1"), V2_0 ("2") and V3_0 ("3"). User sources
 * carry a user; TokenGeneration_ClientCredentials (V3_0 only) carries none.
 */
export const PreTokenGenerationEventSchema = /* @__PURE__ */ (() =>
  z
    .extend(TokenGenerationBase, {
      triggerSource: z.enum([...TOKEN_GENERATION_USER_SOURCES, TOKEN_GENERATION_M2M_SOURCE]),
    })
    .check(
      z.superRefine((event, ctx) => {
        const isM2M = event.triggerSource === TOKEN_GENERATION_M2M_SOURCE;
        if (isM2M && event.version !== '3') {
          ctx.addIssue({
            code: 'custom',
            path: ['version'],
            message: 'TokenGeneration_ClientCredentials is sent only to V3_0 triggers',
          });
        }
        if (!isM2M && event.userName === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['userName'],
            message: 'a user token event needs userName',
          });
        }
      }),
    ))();
export type PreTokenGenerationEvent = z.output<typeof PreTokenGenerationEventSchema>;

/** The challenge names Cognito can list in a custom-auth session. */
export const CHALLENGE_NAMES = [
  'CUSTOM_CHALLENGE',
  'SRP_A',
  'PASSWORD_VERIFIER',
  'SMS_MFA',
  'EMAIL_OTP',
  'SOFTWARE_TOKEN_MFA',
  'DEVICE_SRP_AUTH',
  'DEVICE_PASSWORD_VERIFIER',
  'ADMIN_NO_SRP_AUTH',
] as const;

/** One entry of the session history Cognito passes to define and create. */
export const ChallengeResultSchema = /* @__PURE__ */ (() =>
  z.object({
    challengeName: z.enum(CHALLENGE_NAMES),
    challengeResult: z.boolean(),
    challengeMetadata: z.nullish(z.string()),
  }))();
export type ChallengeResult = z.output<typeof ChallengeResultSchema>;

const AuthChallengeRequest = /* @__PURE__ */ (() =>
  z.object({
    userAttributes: OptionalStringMap,
    session: z.array(ChallengeResultSchema),
    clientMetadata: OptionalStringMap,
    userNotFound: z.optional(z.boolean()),
  }))();

/** Define auth challenge; the first call of a flow has an empty session. */
export const DefineAuthChallengeEventSchema = /* @__PURE__ */ (() =>
  z.extend(CognitoTriggerBaseSchema, {
    triggerSource: z.literal('DefineAuthChallenge_Authentication'),
    userName: z.string(),
    request: AuthChallengeRequest,
    response: z.nullish(z.looseObject({})),
  }))();
export type DefineAuthChallengeEvent = z.output<typeof DefineAuthChallengeEventSchema>;

/** Create auth challenge: the challenge define asked for, with the session so far. */
export const CreateAuthChallengeEventSchema = /* @__PURE__ */ (() =>
  z.extend(CognitoTriggerBaseSchema, {
    triggerSource: z.literal('CreateAuthChallenge_Authentication'),
    userName: z.string(),
    request: z.extend(AuthChallengeRequest, { challengeName: z.string() }),
    response: z.nullish(z.looseObject({})),
  }))();
export type CreateAuthChallengeEvent = z.output<typeof CreateAuthChallengeEventSchema>;

/**
 * Verify auth challenge response, Powertools' schema. The answer is a string on the
 * wire; a client that sends another type is refused by Cognito before the trigger.
 */
export const VerifyAuthChallengeEventSchema = /* @__PURE__ */ (() =>
  z.extend(VerifyAuthChallengeTriggerSchema, {
    userName: z.string(),
    request: z.extend(VerifyAuthChallengeTriggerSchema.shape.request, {
      privateChallengeParameters: OptionalStringMap,
      userAttributes: OptionalStringMap,
    }),
    response: z.nullish(z.looseObject({})),
  }))();
export type VerifyAuthChallengeEvent = z.output<typeof VerifyAuthChallengeEventSchema>;
