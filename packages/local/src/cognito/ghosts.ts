/**
 * What an unknown user's sign-in computes, so that it costs what a real user's does and
 * looks the same from outside (PreventUserExistenceErrors): Cognito does comparable work
 * for both, and timings taken on the local stack must not mislead.
 *
 * - A stable verifier per (pool, user name): the SALT an unknown name gets in an SRP
 *   challenge is the same at every attempt, as a real user's is (a fresh random salt per
 *   attempt would tell the name has no account). Derived by HMAC under a per-process key
 *   and expanded to a group element without an exponentiation: it can only ever fail.
 * - A password check that does the exponentiation a wrong password costs (g^x against the
 *   ghost's verifier), so USER_PASSWORD_AUTH for an unknown name takes a wrong password's
 *   time instead of answering at once.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { checkPassword, N, type Verifier } from './srp.js';

export class Ghosts {
  private readonly key = randomBytes(32);

  /** `bytes` pseudo-random bytes for (label, pool, name): HMAC-SHA256 keyed, SHAKE256-expanded. */
  private derive(label: string, poolId: string, name: string, bytes: number): Buffer {
    const seed = createHmac('sha256', this.key)
      .update(`${label}\u0000${poolId}\u0000${name}`)
      .digest();
    return createHash('shake256', { outputLength: bytes }).update(seed).digest();
  }

  /** The verifier an unknown name is challenged with; no password matches it. */
  verifier(poolId: string, name: string): Verifier {
    const salt = BigInt(`0x${this.derive('salt', poolId, name, 16).toString('hex')}`).toString(16);
    const v = BigInt(`0x${this.derive('verifier', poolId, name, 384).toString('hex')}`) % N;
    return { salt, verifier: (v < 2n ? v + 2n : v).toString(16) };
  }

  /** A wrong password's work for an unknown name; always false. */
  checkPassword(poolId: string, name: string, password: string): false {
    checkPassword(poolId, name, password, this.verifier(poolId, name));
    return false;
  }
}
