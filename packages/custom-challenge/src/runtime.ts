/**
 * Production singletons shared by the create and verify entries: the code keys, read
 * once per execution environment (from CUSTOM_CHALLENGE_KEY, or from Secrets Manager
 * with a client that has a timeout inside Cognito's 5-second budget). The SDK's Secrets
 * Manager package is imported only when the keys are in a secret, so an environment
 * given its key directly never loads it.
 */
import { captureClient, lazy, sdkClientConfig } from '@authwatch/kit';
import { type CodeKeys, cachedKeys, loadCodeKeys } from './keys.js';

const secretsManager = lazy(async () => {
  const sdk = await import('@aws-sdk/client-secrets-manager');
  const client = captureClient(
    new sdk.SecretsManagerClient(sdkClientConfig({ requestTimeoutMs: 1_000 })),
  );
  return { sdk, client };
});

async function readSecret(secretId: string): Promise<string | undefined> {
  const { sdk, client } = await secretsManager();
  const result = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
  return result.SecretString;
}

/**
 * The keys of this execution environment, loaded by the first invocation that needs
 * them (the Secrets Manager client with them: no SDK package is loaded at cold start)
 * and kept; a failure is retried by the next invocation. The first invocation's extra
 * time is the bundle benchmark's "1st answer" of create and verify.
 */
export function productionKeys(
  env: Record<string, string | undefined> = process.env,
): () => Promise<CodeKeys> {
  return cachedKeys(() => loadCodeKeys(env, readSecret));
}
