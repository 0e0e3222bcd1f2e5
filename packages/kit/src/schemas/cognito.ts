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
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html
 */
// Namespace import, not `import { z }`: see above.
import * as z from 'zod';

/**
 * A field Cognito's documents leave open: a string, `null`, absent or empty. Parsed
 * to the string, or `undefined` for null, absent and empty alike.
 */
export const OpenString = z
  .string()
  .nullish()
  .transform((value) => (value === null || value === '' ? undefined : value));

/**
 * Fields every Cognito trigger event carries (Powertools' CognitoTriggerBaseSchema).
 * `userName` and `awsSdkVersion` are open: the documents do not pin what every event
 * (the client-credentials token event in particular) carries there.
 */
export const CognitoTriggerBaseSchema = z.object({
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
});

/** Powertools' PostAuthenticationTriggerSchema. */
const PostAuthenticationTriggerSchema = CognitoTriggerBaseSchema.extend({
  triggerSource: z.literal('PostAuthentication_Authentication'),
  request: z.object({
    userAttributes: z.record(z.string(), z.string()),
    newDeviceUsed: z.boolean().optional(),
    clientMetadata: z.record(z.string(), z.string()).optional(),
  }),
});

/** Powertools' VerifyAuthChallengeTriggerSchema. */
const VerifyAuthChallengeTriggerSchema = CognitoTriggerBaseSchema.extend({
  triggerSource: z.literal('VerifyAuthChallengeResponse_Authentication'),
  request: z.object({
    userAttributes: z.record(z.string(), z.string()),
    privateChallengeParameters: z.record(z.string(), z.string()),
    challengeAnswer: z.string(),
    clientMetadata: z.record(z.string(), z.string()).optional(),
    userNotFound: z.boolean().optional(),
  }),
  response: z.object({
    answerCorrect: z.boolean(),
  }),
});

const StringMap = z.record(z.string(), z.string());

/** Attributes, validation data and client metadata: string to string, or absent. */
const OptionalStringMap = StringMap.nullish().transform((value) => value ?? {});

/** Every pre sign-up trigger source. */
export const PRE_SIGNUP_SOURCES = [
  'PreSignUp_SignUp',
  'PreSignUp_AdminCreateUser',
  'PreSignUp_ExternalProvider',
] as const;

/** Pre sign-up: self sign-up, admin-created users and first federated sign-in. */
export const PreSignUpEventSchema = CognitoTriggerBaseSchema.extend({
  triggerSource: z.enum(PRE_SIGNUP_SOURCES),
  userName: z.string(),
  request: z.object({
    userAttributes: StringMap,
    validationData: OptionalStringMap,
    clientMetadata: OptionalStringMap,
  }),
  response: z.object({
    autoConfirmUser: z.boolean().optional(),
    autoVerifyEmail: z.boolean().optional(),
    autoVerifyPhone: z.boolean().optional(),
  }),
});
export type PreSignUpEvent = z.output<typeof PreSignUpEventSchema>;

/** Post authentication (PostAuthentication_Authentication), Powertools' schema. */
export const PostAuthenticationEventSchema = PostAuthenticationTriggerSchema.extend({
  userName: z.string(),
});
export type PostAuthenticationEvent = z.output<typeof PostAuthenticationEventSchema>;

/**
 * Pre authentication (PreAuthentication_Authentication): before Cognito checks the
 * credential. `userNotFound` is set when PreventUserExistenceErrors is on and the name
 * is unknown (then `userAttributes` is empty); `validationData` is the ClientMetadata
 * of the sign-in request.
 *
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-authentication.html
 */
export const PreAuthenticationEventSchema = CognitoTriggerBaseSchema.extend({
  triggerSource: z.literal('PreAuthentication_Authentication'),
  userName: z.string(),
  request: z.object({
    userAttributes: OptionalStringMap,
    validationData: OptionalStringMap,
    clientMetadata: OptionalStringMap,
    userNotFound: z
      .boolean()
      .nullish()
      .transform((value) => value === true),
  }),
  response: z.object({}).loose().nullish(),
});
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

const GroupConfigurationSchema = z.object({
  groupsToOverride: z
    .array(z.string())
    .nullish()
    .transform((value) => value ?? []),
  iamRolesToOverride: z
    .array(z.string())
    .nullish()
    .transform((value) => value ?? []),
  preferredRole: z
    .string()
    .nullish()
    .transform((value) => value ?? null),
});
export type GroupConfiguration = z.output<typeof GroupConfigurationSchema>;

const EMPTY_GROUPS: GroupConfiguration = {
  groupsToOverride: [],
  iamRolesToOverride: [],
  preferredRole: null,
};

const TokenGenerationBase = CognitoTriggerBaseSchema.extend({
  version: z.string(),
  userName: OpenString,
  request: z.object({
    userAttributes: OptionalStringMap,
    groupConfiguration: GroupConfigurationSchema.nullish().transform(
      (value) => value ?? EMPTY_GROUPS,
    ),
    clientMetadata: OptionalStringMap,
    // V1_0 events carry none; a client-credentials event may carry null.
    scopes: z
      .array(z.string())
      .nullish()
      .transform((value) => value ?? undefined),
  }),
  response: z.object({}).loose().nullish(),
});

/**
 * Pre token generation, V1_0 (`version` "1"), V2_0 ("2") and V3_0 ("3"). User sources
 * carry a user; TokenGeneration_ClientCredentials (V3_0 only) carries none.
 */
export const PreTokenGenerationEventSchema = TokenGenerationBase.extend({
  triggerSource: z.enum([...TOKEN_GENERATION_USER_SOURCES, TOKEN_GENERATION_M2M_SOURCE]),
}).superRefine((event, ctx) => {
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
});
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
export const ChallengeResultSchema = z.object({
  challengeName: z.enum(CHALLENGE_NAMES),
  challengeResult: z.boolean(),
  challengeMetadata: z.string().nullish(),
});
export type ChallengeResult = z.output<typeof ChallengeResultSchema>;

const AuthChallengeRequest = z.object({
  userAttributes: OptionalStringMap,
  session: z.array(ChallengeResultSchema),
  clientMetadata: OptionalStringMap,
  userNotFound: z.boolean().optional(),
});

/** Define auth challenge; the first call of a flow has an empty session. */
export const DefineAuthChallengeEventSchema = CognitoTriggerBaseSchema.extend({
  triggerSource: z.literal('DefineAuthChallenge_Authentication'),
  userName: z.string(),
  request: AuthChallengeRequest,
  response: z.object({}).loose().nullish(),
});
export type DefineAuthChallengeEvent = z.output<typeof DefineAuthChallengeEventSchema>;

/** Create auth challenge: the challenge define asked for, with the session so far. */
export const CreateAuthChallengeEventSchema = CognitoTriggerBaseSchema.extend({
  triggerSource: z.literal('CreateAuthChallenge_Authentication'),
  userName: z.string(),
  request: AuthChallengeRequest.extend({ challengeName: z.string() }),
  response: z.object({}).loose().nullish(),
});
export type CreateAuthChallengeEvent = z.output<typeof CreateAuthChallengeEventSchema>;

/**
 * Verify auth challenge response, Powertools' schema. The answer is a string on the
 * wire; a client that sends another type is refused by Cognito before the trigger.
 */
export const VerifyAuthChallengeEventSchema = VerifyAuthChallengeTriggerSchema.extend({
  userName: z.string(),
  request: VerifyAuthChallengeTriggerSchema.shape.request.extend({
    privateChallengeParameters: OptionalStringMap,
    userAttributes: OptionalStringMap,
  }),
  response: z.object({}).loose().nullish(),
});
export type VerifyAuthChallengeEvent = z.output<typeof VerifyAuthChallengeEventSchema>;
