/**
 * Lambda entry of the pre authentication trigger. Module scope holds what warm
 * invocations reuse: the config (a bad variable fails the cold start), the auditor and
 * the Cognito client for the group lookup (endpoint from
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER when set). The client is built on the first
 * lookup, which only client rules make: without them the SDK's Cognito package is never
 * loaded.
 */
import { auditorFromEnv } from '@authwatch/audit';
import {
  afterResponse,
  captureClient,
  lazy,
  sdkClientConfig,
  withCallSignals,
} from '@authwatch/kit';
import { createPreAuthHandler } from './app.js';
import { loadConfig } from './config.js';
import { cognitoGroups } from './groups.js';

// Audit sends finish after the answer: registers the Lambda extension that holds them.
await afterResponse.start();

const config = loadConfig();
const cognito = lazy(async () => {
  const { CognitoIdentityProviderClient } = await import(
    '@aws-sdk/client-cognito-identity-provider'
  );
  return withCallSignals(
    captureClient(
      new CognitoIdentityProviderClient(
        sdkClientConfig({ requestTimeoutMs: config.groupsTimeoutMs }),
      ),
    ),
  );
});

export const handler = createPreAuthHandler({
  config,
  auditor: auditorFromEnv(),
  groups: cognitoGroups(cognito),
});
