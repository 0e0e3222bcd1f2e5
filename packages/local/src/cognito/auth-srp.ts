/** The PASSWORD_VERIFIER challenge of USER_SRP_AUTH (and CUSTOM_AUTH with SRP_A). */
import { randomBytes } from 'node:crypto';
import type { AuthSession, ChallengeResult } from './auth-sessions.js';
import type { EmulatorContext } from './context.js';
import type { Json } from './input.js';
import { startServer } from './srp.js';
import type { ClientRecord, PoolRecord, UserRecord } from './state.js';

export function passwordVerifierChallenge(
  ctx: EmulatorContext,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  name: string,
  flow: string,
  admin: boolean,
  srpA: string,
  challenges: ChallengeResult[],
  clientMetadata: Record<string, string>,
): Json {
  // An unknown user gets a challenge from a ghost verifier: stable per name (the same
  // SALT at every attempt, as a real user's), as cheap as a stored one, and it can only fail.
  const verifier = user?.verifier ?? ctx.ghosts.verifier(pool.id, name);
  const state = startServer(verifier, srpA);
  const secretBlock = randomBytes(256).toString('base64');
  const session: AuthSession = {
    poolId: pool.id,
    clientId: client.clientId,
    username: user?.username ?? name,
    userNotFound: !user,
    flow,
    admin,
    expects: 'PASSWORD_VERIFIER',
    srpA,
    srp: { state, verifier, secretBlock },
    challenges,
    clientMetadata,
    expires: 0,
  };
  const id = ctx.sessions.open(session, client);
  ctx.sessions.bindSecretBlock(secretBlock, id);
  const userId = user?.username ?? name;
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    Session: id,
    ChallengeParameters: {
      SALT: verifier.salt,
      SECRET_BLOCK: secretBlock,
      SRP_B: state.B,
      USERNAME: userId,
      USER_ID_FOR_SRP: userId,
    },
  };
}
