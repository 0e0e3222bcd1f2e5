/**
 * The SigV4 signer of the code key's GetSecretValue request, in a module of its own so
 * that it loads on the first read, not at cold start (as the audit live feed's signer).
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** Static credentials, as SignatureV4 takes them. */
export interface SignerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A request as SignatureV4 signs it (its own HttpRequest or a plain object of that shape). */
export type SignableRequest = Parameters<SignatureV4['sign']>[0];

/** A SigV4 signer for Secrets Manager over Node's native SHA-256 (as the SDK's clients). */
export function secretsManagerSigner(region: string, credentials: SignerCredentials) {
  return new SignatureV4({
    service: 'secretsmanager',
    region,
    credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
}
