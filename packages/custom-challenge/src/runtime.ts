/**
 * Production singletons shared by the create and verify entries: the code keys, read
 * once per execution environment (from CUSTOM_CHALLENGE_KEY, or from Secrets Manager
 * with a client that has a timeout inside Cognito's 5-second budget).
 */
import { captureClient, sdkClientConfig } from '@authwatch/kit';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type CodeKeys, cachedKeys, loadCodeKeys } from './keys.js';

let secrets: SecretsManagerClient | undefined;

async function readSecret(secretId: string): Promise<string | undefined> {
  secrets ??= captureClient(new SecretsManagerClient(sdkClientConfig({ requestTimeoutMs: 1_000 })));
  const result = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
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
