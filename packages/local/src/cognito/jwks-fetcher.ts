/**
 * aws-jwt-verify only fetches JWKS over https. The local issuer is plain http on
 * loopback, so verifiers of local tokens get this fetcher (an aws-jwt-verify `Fetcher`,
 * typed structurally so this package needs no runtime dependency on it):
 *
 * ```ts
 * import { JwtVerifier } from 'aws-jwt-verify';
 * import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
 * const verifier = JwtVerifier.create(
 *   { issuer, audience: clientId, jwksUri: `${issuer}/.well-known/jwks.json` },
 *   { jwksCache: new SimpleJwksCache({ fetcher: loopbackJwksFetcher }) },
 * );
 * ```
 *
 * Anything that is not http on 127.0.0.1 / localhost / ::1 must be https.
 */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export const loopbackJwksFetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const url = new URL(uri);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      throw new Error(`Refusing to fetch a JWKS over ${url.protocol} from ${url.hostname}`);
    }
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`JWKS fetch failed with HTTP ${response.status}`);
    return response.arrayBuffer();
  },
};
