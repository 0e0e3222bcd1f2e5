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
 * The keys of this execution environment. Loading starts at once (during the Lambda's
 * init phase); a failure is retried by the next invocation.
 */
export function productionKeys(
  env: Record<string, string | undefined> = process.env,
): () => Promise<CodeKeys> {
  const keys = cachedKeys(() => loadCodeKeys(env, readSecret));
  // Start now; the handler awaits the same promise. The no-op catch only keeps an early
  // failure from being an unhandled rejection: the handler still sees it.
  keys().catch(() => undefined);
  return keys;
}
