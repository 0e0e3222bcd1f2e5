/** CUSTOM_AUTH: the define / create auth challenge rounds. */
import { afterFirstFactor } from './auth-finish.js';
import type { AuthSession } from './auth-sessions.js';
import { passwordVerifierChallenge } from './auth-srp.js';
import { objectOrEmpty } from './claims.js';
import type { CallContext, EmulatorContext } from './context.js';
import { CognitoError, invalidParameter, notAuthorized } from './errors.js';
import { type Json, lambdaStringMap } from './input.js';
import { hasTrigger, runTrigger } from './pool-triggers.js';
import type { ClientRecord, PoolRecord, UserRecord } from './state.js';
import { eventUserAttributes } from './user-records.js';

/**
 * Cognito documents no limit on custom challenge rounds (the define trigger decides when
 * to fail); the emulator ends a runaway loop of a buggy define trigger after this many
 * entries in the session array, with NotAuthorizedException.
 */
export const MAX_CHALLENGE_ROUNDS = 20;

export async function defineNext(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  session: AuthSession,
  user: UserRecord | undefined,
  caller: CallContext,
): Promise<Json> {
  const attributes = user ? eventUserAttributes(user) : {};
  const response = await runTrigger(
    ctx,
    pool,
    'DefineAuthChallenge',
    'DefineAuthChallenge_Authentication',
    client.clientId,
    session.username,
    {
      userAttributes: attributes,
      session: session.challenges,
      ...optionalMetadata(session.clientMetadata),
      userNotFound: session.userNotFound,
    },
    { challengeName: null, issueTokens: false, failAuthentication: false },
    caller,
  );
  if (response.failAuthentication === true) throw notAuthorized();
  if (response.issueTokens === true) {
    // Cognito trusts the define trigger here; only a user that does not exist gets no tokens.
    if (!user || session.userNotFound) throw notAuthorized();
    return afterFirstFactor(
      ctx,
      pool,
      client,
      user,
      session.flow,
      session.admin,
      session.clientMetadata,
      caller,
    );
  }
  const next = response.challengeName;
  if (session.challenges.length >= MAX_CHALLENGE_ROUNDS) throw notAuthorized();
  if (next === 'PASSWORD_VERIFIER') {
    if (!session.srpA) {
      throw new CognitoError(
        'InvalidLambdaResponseException',
        'PASSWORD_VERIFIER needs SRP_A in the InitiateAuth parameters',
      );
    }
    return passwordVerifierChallenge(
      ctx,
      pool,
      client,
      user,
      session.username,
      session.flow,
      session.admin,
      session.srpA,
      session.challenges,
      session.clientMetadata,
    );
  }
  if (next !== 'CUSTOM_CHALLENGE') {
    throw new CognitoError(
      'InvalidLambdaResponseException',
      'Invalid lambda response: unknown challengeName',
    );
  }
  if (!hasTrigger(ctx, pool, 'CreateAuthChallenge')) {
    throw invalidParameter(
      'Create auth challenge lambda trigger is not configured for the user pool.',
    );
  }
  const created = await runTrigger(
    ctx,
    pool,
    'CreateAuthChallenge',
    'CreateAuthChallenge_Authentication',
    client.clientId,
    session.username,
    {
      userAttributes: attributes,
      challengeName: 'CUSTOM_CHALLENGE',
      session: session.challenges,
      ...optionalMetadata(session.clientMetadata),
      userNotFound: session.userNotFound,
    },
    {
      publicChallengeParameters: null,
      privateChallengeParameters: null,
      challengeMetadata: null,
    },
    caller,
  );
  // The Lambda's answer, not the caller's input: a bad one is the Lambda's error.
  const publicParams = lambdaStringMap(created.publicChallengeParameters);
  session.privateChallengeParameters = objectOrEmpty(created.privateChallengeParameters);
  const metadata = typeof created.challengeMetadata === 'string' ? created.challengeMetadata : null;
  session.expects = 'CUSTOM_CHALLENGE';
  session.challenges = [...session.challenges];
  session.pendingMetadata = metadata;
  const id = ctx.sessions.open(session, client);
  return {
    ChallengeName: 'CUSTOM_CHALLENGE',
    Session: id,
    ChallengeParameters: { ...publicParams, USERNAME: session.username },
  };
}

/** `{ clientMetadata }` when the request brought some, else nothing (as Cognito's events). */
export function optionalMetadata(metadata: Record<string, string>): {
  clientMetadata?: Record<string, string>;
} {
  return Object.keys(metadata).length > 0 ? { clientMetadata: metadata } : {};
}
