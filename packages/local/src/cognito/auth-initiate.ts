/**
 * InitiateAuth and AdminInitiateAuth: the flow checks, pre authentication, then the flow
 * (password, SRP, custom auth, refresh).
 */
import { defineNext } from './auth-custom.js';
import { afterFirstFactor } from './auth-finish.js';
import { refreshAuth } from './auth-refresh.js';
import type { AuthSession } from './auth-sessions.js';
import { passwordVerifierChallenge } from './auth-srp.js';
import type { CallContext, EmulatorContext } from './context.js';
import { invalidParameter, notAuthorized, userNotFound } from './errors.js';
import { type Json, record, str } from './input.js';
import { findUser, poolAndClient } from './lookup.js';
import { hasTrigger, runTrigger } from './pool-triggers.js';
import { checkSecretHash } from './secret-hash.js';
import { isValidA } from './srp.js';
import type { ClientRecord, PoolRecord, UserRecord } from './state.js';
import { eventUserAttributes } from './user-records.js';

async function initiate(
  ctx: EmulatorContext,
  i: Json,
  caller: CallContext,
  admin: boolean,
): Promise<Json> {
  const { pool, client } = poolAndClient(ctx, i, admin);
  const flow = str(i, 'AuthFlow');
  assertFlowAllowed(client, flow, admin);
  const params = record(i.AuthParameters);
  // InitiateAuth's ClientMetadata reaches only pre sign-up, pre authentication (as
  // validationData) and user migration; post authentication, pre token generation and
  // the define / create triggers it runs get none (InitiateAuth API reference,
  // "ClientMetadata"). RespondToAuthChallenge's reaches every trigger it runs.
  const validationData = record(i.ClientMetadata);
  const clientMetadata: Record<string, string> = {};
  if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
    return refreshAuth(ctx, pool, client, params, clientMetadata, caller);
  }
  const name = params.USERNAME;
  if (!name) throw invalidParameter('Missing required parameter USERNAME');
  const user = findUser(pool, name);
  checkSecretHash(client, user ? [name, user.username] : [name], params.SECRET_HASH);
  const hideExistence = client.preventUserExistenceErrors === 'ENABLED';
  if (!user && !hideExistence) throw userNotFound();

  if (user || hideExistence) {
    await preAuthentication(ctx, pool, client, user, name, validationData, caller, hideExistence);
  }

  if (
    flow === 'USER_PASSWORD_AUTH' ||
    flow === 'ADMIN_USER_PASSWORD_AUTH' ||
    flow === 'ADMIN_NO_SRP_AUTH'
  ) {
    const password = params.PASSWORD;
    if (!password) throw invalidParameter('Missing required parameter PASSWORD');
    // An unknown name costs a wrong password's check, so its answer takes as long.
    if (!user) {
      ctx.ghosts.checkPassword(pool.id, name, password);
      throw notAuthorized();
    }
    if (!ctx.passwords.matches(pool, user, password)) throw notAuthorized();
    return afterFirstFactor(ctx, pool, client, user, flow, admin, clientMetadata, caller);
  }

  if (flow === 'USER_SRP_AUTH') {
    const srpA = params.SRP_A;
    if (!srpA) throw invalidParameter('Missing required parameter SRP_A');
    if (!isValidA(srpA)) throw notAuthorized('Invalid SRP_A');
    return passwordVerifierChallenge(
      ctx,
      pool,
      client,
      user,
      name,
      flow,
      admin,
      srpA,
      [],
      clientMetadata,
    );
  }

  // CUSTOM_AUTH: with SRP_A (CHALLENGE_NAME = SRP_A) the define trigger sees SRP_A first.
  if (!hasTrigger(ctx, pool, 'DefineAuthChallenge')) {
    throw invalidParameter('Custom auth lambda trigger is not configured for the user pool.');
  }
  const session: AuthSession = {
    poolId: pool.id,
    clientId: client.clientId,
    username: user?.username ?? name,
    userNotFound: !user,
    flow,
    admin,
    expects: 'CUSTOM_CHALLENGE',
    challenges: [],
    clientMetadata,
    expires: 0,
  };
  if (params.SRP_A) {
    if (!isValidA(params.SRP_A)) throw notAuthorized('Invalid SRP_A');
    session.srpA = params.SRP_A;
    session.challenges.push({
      challengeName: 'SRP_A',
      challengeResult: true,
      challengeMetadata: null,
    });
  }
  return defineNext(ctx, pool, client, session, user, caller);
}

export function initiateAuth(ctx: EmulatorContext, i: Json, caller: CallContext): Promise<Json> {
  return initiate(ctx, i, caller, false);
}

export function adminInitiateAuth(
  ctx: EmulatorContext,
  i: Json,
  caller: CallContext,
): Promise<Json> {
  return initiate(ctx, i, caller, true);
}

function assertFlowAllowed(client: ClientRecord, flow: string, admin: boolean): void {
  const needed: Record<string, string> = {
    USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
    USER_SRP_AUTH: 'ALLOW_USER_SRP_AUTH',
    CUSTOM_AUTH: 'ALLOW_CUSTOM_AUTH',
    REFRESH_TOKEN_AUTH: 'ALLOW_REFRESH_TOKEN_AUTH',
    REFRESH_TOKEN: 'ALLOW_REFRESH_TOKEN_AUTH',
    ADMIN_USER_PASSWORD_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
    ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  };
  const flag = needed[flow];
  if (!flag) throw invalidParameter(`Invalid AuthFlow: ${flow}`);
  if (!admin && flag === 'ALLOW_ADMIN_USER_PASSWORD_AUTH') {
    throw invalidParameter('Initiate Auth method not supported.');
  }
  if (admin && flag === 'ALLOW_USER_PASSWORD_AUTH') {
    throw invalidParameter('Initiate Auth method not supported.');
  }
  if (!client.explicitAuthFlows.includes(flag)) {
    throw invalidParameter(
      `${flow === 'REFRESH_TOKEN' ? 'REFRESH_TOKEN_AUTH' : flow} flow not enabled for this client`,
    );
  }
}

export async function preAuthentication(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  name: string,
  clientMetadata: Record<string, string>,
  caller: CallContext,
  hideExistence: boolean,
): Promise<void> {
  if (!hasTrigger(ctx, pool, 'PreAuthentication')) return;
  await runTrigger(
    ctx,
    pool,
    'PreAuthentication',
    'PreAuthentication_Authentication',
    client.clientId,
    user?.username ?? name,
    {
      userAttributes: user ? eventUserAttributes(user) : {},
      validationData: clientMetadata,
      ...(hideExistence ? { userNotFound: !user } : {}),
    },
    {},
    caller,
  );
}
