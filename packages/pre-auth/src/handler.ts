/**
 * Lambda entry of the pre authentication trigger. Module scope holds what warm
 * invocations reuse: the config (a bad variable fails the cold start), the auditor and
 * the Cognito client for the group lookup (endpoint from
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER when set).
 */
import { auditorFromEnv } from '@authwatch/audit';
import { afterResponse, captureClient, sdkClientConfig, withCallSignals } from '@authwatch/kit';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createPreAuthHandler } from './app.js';
import { loadConfig } from './config.js';
import { cognitoGroups } from './groups.js';

// Audit sends finish after the answer: registers the Lambda extension that holds them.
await afterResponse.start();

const config = loadConfig();
const cognito = withCallSignals(
  captureClient(
    new CognitoIdentityProviderClient(
      sdkClientConfig({ requestTimeoutMs: config.groupsTimeoutMs }),
    ),
  ),
);

export const handler = createPreAuthHandler({
  config,
  auditor: auditorFromEnv(),
  groups: cognitoGroups(cognito),
});
