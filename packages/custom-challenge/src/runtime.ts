/**
 * Production singletons shared by the create and verify entries: the code keys, read
 * once per execution environment, from CUSTOM_CHALLENGE_KEY or from the Secrets Manager
 * secret named by CUSTOM_CHALLENGE_KEY_SECRET_ARN. The secret is read with one signed
 * GetSecretValue request (`secret-reader.ts`), not the SDK's Secrets Manager client, so
 * neither the cold start nor the first sign-in loads that package; the signer itself
 * loads on the first read (`secret-signer.ts`).
 */
import { type CodeKeys, cachedKeys, loadCodeKeys } from './keys.js';
import { secretsManagerReader } from './secret-reader.js';

/**
 * The keys of this execution environment, loaded by the first invocation that needs
 * them and kept; a failure is retried by the next invocation. The first invocation's
 * extra time is the bundle benchmark's "1st answer" of create and verify.
 */
export function productionKeys(
  env: Record<string, string | undefined> = process.env,
): () => Promise<CodeKeys> {
  const readSecret = secretsManagerReader({ env });
  return cachedKeys(() => loadCodeKeys(env, readSecret));
}
