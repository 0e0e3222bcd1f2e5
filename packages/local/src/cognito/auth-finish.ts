/**
 * The end of every sign-in flow: the user's status after the first factor
 * (NEW_PASSWORD_REQUIRED), post authentication, then the tokens.
 */
import type { AuthSession } from './auth-sessions.js';
import type { CallContext, EmulatorContext } from './context.js';
import { CognitoError, notAuthorized } from './errors.js';
import type { Json } from './input.js';
import { hasTrigger, runTrigger } from './pool-triggers.js';
import type { ClientRecord, PoolRecord, UserRecord } from './state.js';
import { issueTokens } from './token-issue.js';
import { eventUserAttributes } from './user-records.js';

/** Status checks after the first factor, then either a challenge or the tokens. */
export async function afterFirstFactor(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  flow: string,
  admin: boolean,
  clientMetadata: Record<string, string>,
  caller: CallContext,
): Promise<Json> {
  if (!user.enabled) throw notAuthorized('User is disabled.');
  if (user.status === 'UNCONFIRMED')
    throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
  if (user.status === 'RESET_REQUIRED') {
    throw new CognitoError(
      'PasswordResetRequiredException',
      'Password reset required for the user',
    );
  }
  if (user.status === 'FORCE_CHANGE_PASSWORD') {
    if ((user.temporaryPasswordExpires ?? Number.POSITIVE_INFINITY) < ctx.now()) {
      throw notAuthorized('Temporary password has expired and must be reset by an administrator.');
    }
    const session: AuthSession = {
      poolId: pool.id,
      clientId: client.clientId,
      username: user.username,
      userNotFound: false,
      flow,
      admin,
      expects: 'NEW_PASSWORD_REQUIRED',
      challenges: [],
      clientMetadata,
      expires: 0,
    };
    const attributes = { ...user.attributes };
    delete attributes.sub;
    return {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: ctx.sessions.open(session, client),
      ChallengeParameters: {
        USER_ID_FOR_SRP: user.username,
        requiredAttributes: '[]',
        userAttributes: JSON.stringify(attributes),
      },
    };
  }
  return completeSignIn(
    ctx,
    pool,
    client,
    user,
    'TokenGeneration_Authentication',
    clientMetadata,
    caller,
  );
}

export async function completeSignIn(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  tokenSource: string,
  clientMetadata: Record<string, string>,
  caller: CallContext,
): Promise<Json> {
  if (hasTrigger(ctx, pool, 'PostAuthentication')) {
    await runTrigger(
      ctx,
      pool,
      'PostAuthentication',
      'PostAuthentication_Authentication',
      client.clientId,
      user.username,
      { userAttributes: eventUserAttributes(user), newDeviceUsed: false, clientMetadata },
      {},
      caller,
    );
  }
  const tokens = await issueTokens(ctx, pool, client, user, tokenSource, clientMetadata, caller);
  return { ChallengeParameters: {}, AuthenticationResult: tokens };
}
