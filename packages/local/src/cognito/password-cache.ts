/**
 * Password checks against a user's SRP verifier. A password that verified once since start
 * is then recognised by an in-memory HMAC under a per-process random key (never persisted),
 * so a sign-in loop does not redo the modular exponentiation.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { checkPassword } from './srp.js';
import type { PoolRecord, UserRecord } from './state.js';

export class PasswordCache {
  /** HMAC(processKey, user|password) of passwords verified since start. */
  private readonly verified = new Map<string, Buffer>();
  private readonly processKey = randomBytes(32);

  matches(pool: PoolRecord, user: UserRecord, password: string): boolean {
    if (!user.verifier) return false;
    const tag = createHmac('sha256', this.processKey)
      .update(`${user.username}\u0000${password}`)
      .digest();
    const cached = this.verified.get(user.username);
    if (cached && timingSafeEqual(cached, tag)) return true;
    if (!checkPassword(pool.id, user.username, password, user.verifier)) return false;
    this.verified.set(user.username, tag);
    return true;
  }

  /** Forgets the user's verified password (after any password change). */
  forget(username: string): void {
    this.verified.delete(username);
  }
}
