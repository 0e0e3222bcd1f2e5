/** Constant-time comparison of secrets and the SECRET_HASH check of clients with a secret. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { notAuthorized } from './errors.js';
import type { ClientRecord } from './state.js';

export function safeEqual(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'cmp').update(a).digest();
  const hb = createHmac('sha256', 'cmp').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function checkSecretHash(client: ClientRecord, names: string[], secretHash: unknown): void {
  if (!client.clientSecret) return;
  if (typeof secretHash !== 'string' || secretHash.length === 0) {
    throw notAuthorized(
      `Client ${client.clientId} is configured with secret but SECRET_HASH was not received`,
    );
  }
  for (const name of names) {
    const expected = createHmac('sha256', client.clientSecret)
      .update(name + client.clientId)
      .digest('base64');
    if (safeEqual(expected, secretHash)) return;
  }
  throw notAuthorized(`Unable to verify secret hash for client ${client.clientId}`);
}
