/**
 * SigV4 signing of live-feed publishes, in its own module so that the signer and the
 * SDK's credential chain load on the first publish, after a trigger's answer.
 */
import { Hash } from '@smithy/hash-node';
import type { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Static credentials or a provider, as SignatureV4 takes them. */
export type SignerCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** SigV4's hash: Node's native SHA-256 (what the SDK's own clients use in Node). */
export const nativeSha256 = Hash.bind(null, 'sha256');

/** A SigV4 signer for AppSync (`appsync` service); the default credential chain unless given. */
export async function appSyncSigner(
  region: string,
  credentials?: SignerCredentials,
): Promise<{ sign(request: HttpRequest): Promise<HttpRequest> }> {
  // Imported here: the credential chain is an SDK package, loaded on the first publish.
  const chain =
    credentials ?? (await import('@aws-sdk/credential-provider-node')).defaultProvider();
  const signer = new SignatureV4({
    service: 'appsync',
    region,
    credentials: chain,
    sha256: nativeSha256,
  });
  return { sign: (request) => signer.sign(request) as Promise<HttpRequest> };
}
