/**
 * Lambda entry of the pre sign-up trigger. Module scope holds what warm invocations
 * reuse: the config (a bad variable fails the cold start), the auditor and the
 * Cognito client (endpoint from AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER when set).
 */
import { auditorFromEnv } from '@authwatch/audit';
import { afterResponse, captureClient, sdkClientConfig, withCallSignals } from '@authwatch/kit';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createPreSignUpHandler } from './app.js';
import { cognitoDirectory } from './cognito.js';
import { loadConfig } from './config.js';

// Audit sends finish after the answer: registers the Lambda extension that holds them.
await afterResponse.start();

const config = loadConfig();
const cognito = withCallSignals(
  captureClient(
    new CognitoIdentityProviderClient(
      sdkClientConfig({ requestTimeoutMs: config.requestTimeoutMs }),
    ),
  ),
);

export const handler = createPreSignUpHandler({
  config,
  auditor: auditorFromEnv(),
  directory: cognitoDirectory(cognito),
});
