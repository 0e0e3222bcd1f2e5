/**
 * Our mark in Cognito's session history. Create sets `challengeMetadata` on every
 * challenge it issues; define only trusts a CUSTOM_CHALLENGE entry that carries it.
 *
 * Form: `EMAIL_OTP.<issuedAt epoch ms>.<sealed code>` (the sealed code is AES-GCM under
 * the deployment's key: see keys.ts). The bare `EMAIL_OTP` is accepted as our mark too
 * (it carries no code, so the next create issues a fresh one).
 */

/** The challenge's name in metadata and audit: an email one-time password. */
export const CHALLENGE_MARK = 'EMAIL_OTP';

const FULL = /^EMAIL_OTP\.(\d{1,15})\.([A-Za-z0-9_-]{20,200})$/;

export interface ParsedMetadata {
  issuedAt: number;
  sealed: string;
}

/** True when an entry's metadata marks it as our challenge. */
export function isOurMetadata(metadata: string | null | undefined): boolean {
  return metadata === CHALLENGE_MARK || (typeof metadata === 'string' && FULL.test(metadata));
}

/** The issue time and sealed code, when the metadata carries them. */
export function parseMetadata(metadata: string | null | undefined): ParsedMetadata | undefined {
  if (typeof metadata !== 'string') return undefined;
  const match = FULL.exec(metadata);
  if (!match) return undefined;
  return { issuedAt: Number(match[1]), sealed: match[2] as string };
}

/** Formats the metadata of an issued challenge. */
export function formatMetadata(issuedAt: number, sealed: string): string {
  return `${CHALLENGE_MARK}.${issuedAt}.${sealed}`;
}

/** What the sealed code is bound to: pool, client, user and issue time. */
export function sealContext(
  event: { userPoolId: string; userName: string; callerContext: { clientId: string } },
  issuedAt: number,
): string {
  return [event.userPoolId, event.callerContext.clientId, event.userName, String(issuedAt)].join(
    '\n',
  );
}
