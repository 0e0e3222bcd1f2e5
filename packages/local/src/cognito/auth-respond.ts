/**
 * RespondToAuthChallenge and AdminRespondToAuthChallenge: PASSWORD_VERIFIER (SRP),
 * NEW_PASSWORD_REQUIRED and CUSTOM_CHALLENGE answers.
 */
import { defineNext, optionalMetadata } from './auth-custom.js';
import { afterFirstFactor, completeSignIn } from './auth-finish.js';
import type { CallContext, EmulatorContext } from './context.js';
import { invalidParameter, invalidSession, notAuthorized } from './errors.js';
import { type Json, record, str } from './input.js';
import { findUser, poolAndClient } from './lookup.js';
import { checkPasswordPolicy, parseAttributes } from './model.js';
import { runTrigger } from './pool-triggers.js';
import { checkSecretHash, safeEqual } from './secret-hash.js';
import { claimSignature, createVerifier, parseTimestamp, serverKey, srpPoolName } from './srp.js';
import { eventUserAttributes } from './user-records.js';

async function respond(
  ctx: EmulatorContext,
  i: Json,
  caller: CallContext,
  admin: boolean,
): Promise<Json> {
  const { pool, client } = poolAndClient(ctx, i, admin);
  const challengeName = str(i, 'ChallengeName');
  const responses = record(i.ChallengeResponses);
  const session = ctx.sessions.take(i.Session, responses.PASSWORD_CLAIM_SECRET_BLOCK);
  if (session.poolId !== pool.id || session.clientId !== client.clientId) throw invalidSession();
  if (challengeName !== session.expects) {
    throw invalidParameter(`Invalid challenge name: expected ${session.expects}`);
  }
  const user = session.userNotFound ? undefined : pool.users[session.username];
  if (!session.userNotFound && !user) throw notAuthorized();
  const name = responses.USERNAME;
  if (!name) throw invalidParameter('Missing required parameter USERNAME');
  const named = findUser(pool, name);
  if (!session.userNotFound && named !== user) throw notAuthorized();
  checkSecretHash(client, [name, session.username], responses.SECRET_HASH);
  const clientMetadata = record(i.ClientMetadata);
  session.clientMetadata = clientMetadata;

  if (challengeName === 'PASSWORD_VERIFIER') {
    const srp = session.srp;
    if (!srp) throw invalidSession();
    const timestamp = responses.TIMESTAMP ?? '';
    const signature = responses.PASSWORD_CLAIM_SIGNATURE ?? '';
    if (parseTimestamp(timestamp) === undefined) throw invalidParameter('Invalid TIMESTAMP');
    if (responses.PASSWORD_CLAIM_SECRET_BLOCK !== srp.secretBlock) throw notAuthorized();
    const key = serverKey(srp.verifier, srp.state);
    const expected = key
      ? claimSignature(
          key,
          srpPoolName(pool.id),
          session.username,
          srp.secretBlock,
          timestamp,
        ).toString('base64')
      : '';
    if (!user || !key || !safeEqual(expected, signature)) throw notAuthorized();
    if (session.flow === 'CUSTOM_AUTH') {
      session.challenges = [
        ...session.challenges,
        { challengeName: 'PASSWORD_VERIFIER', challengeResult: true, challengeMetadata: null },
      ];
      delete session.srp;
      return defineNext(ctx, pool, client, session, user, caller);
    }
    return afterFirstFactor(ctx, pool, client, user, session.flow, admin, clientMetadata, caller);
  }

  if (challengeName === 'NEW_PASSWORD_REQUIRED') {
    if (!user) throw notAuthorized();
    const password = checkPasswordPolicy(pool.passwordPolicy, responses.NEW_PASSWORD);
    const updates: { Name: string; Value: string }[] = [];
    for (const [key, value] of Object.entries(responses)) {
      if (key.startsWith('userAttributes.'))
        updates.push({ Name: key.slice('userAttributes.'.length), Value: value });
    }
    Object.assign(user.attributes, parseAttributes(pool, updates));
    user.verifier = createVerifier(pool.id, user.username, password);
    ctx.passwords.forget(user.username);
    user.status = 'CONFIRMED';
    delete user.temporaryPasswordExpires;
    user.modified = ctx.now();
    ctx.changed();
    return completeSignIn(
      ctx,
      pool,
      client,
      user,
      'TokenGeneration_NewPasswordChallenge',
      clientMetadata,
      caller,
    );
  }

  // CUSTOM_CHALLENGE
  const answer = responses.ANSWER;
  if (answer === undefined) throw invalidParameter('Missing required parameter ANSWER');
  const verified = await runTrigger(
    ctx,
    pool,
    'VerifyAuthChallengeResponse',
    'VerifyAuthChallengeResponse_Authentication',
    client.clientId,
    session.username,
    {
      userAttributes: user ? eventUserAttributes(user) : {},
      privateChallengeParameters: session.privateChallengeParameters ?? {},
      challengeAnswer: answer,
      ...optionalMetadata(clientMetadata),
      userNotFound: session.userNotFound,
    },
    { answerCorrect: false },
    caller,
  );
  const metadata = session.pendingMetadata ?? null;
  session.challenges = [
    ...session.challenges,
    {
      challengeName: 'CUSTOM_CHALLENGE',
      challengeResult: verified.answerCorrect === true,
      challengeMetadata: metadata,
    },
  ];
  return defineNext(ctx, pool, client, session, user, caller);
}

export function respondToAuthChallenge(
  ctx: EmulatorContext,
  i: Json,
  caller: CallContext,
): Promise<Json> {
  return respond(ctx, i, caller, false);
}

export function adminRespondToAuthChallenge(
  ctx: EmulatorContext,
  i: Json,
  caller: CallContext,
): Promise<Json> {
  return respond(ctx, i, caller, true);
}
