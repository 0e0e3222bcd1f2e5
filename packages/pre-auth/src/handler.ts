/**
 * Lambda entry of the pre authentication trigger. Module scope holds what warm
 * invocations reuse: the config (a bad variable fails the cold start), the auditor and
 * the Cognito client for the group lookup (endpoint from
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER when set). Only client rules make the
 * lookup, on every sign-in: with rules the client is built at cold start (the first
 * sign-in does not wait for the SDK), without them the SDK's Cognito package is never
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
// The lookup is on every sign-in's path when there are rules: build the client now.
if (config.clientRules.length > 0) await cognito();

export const handler = createPreAuthHandler({
  config,
  auditor: auditorFromEnv(),
  groups: cognitoGroups(cognito),
});
