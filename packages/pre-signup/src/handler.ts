/**
 * Lambda entry of the pre sign-up trigger. Module scope holds what warm invocations
 * reuse: the config (a bad variable fails the cold start), the auditor and the
 * Cognito client (endpoint from AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER when set).
 * The client is built on the first federated sign-up, the only one that calls Cognito:
 * other sign-ups never load the SDK's Cognito package.
 */
import { auditorFromEnv } from '@authwatch/audit';
import {
  afterResponse,
  captureClient,
  lazy,
  sdkClientConfig,
  withCallSignals,
} from '@authwatch/kit';
import { createPreSignUpHandler } from './app.js';
import { cognitoDirectory } from './cognito.js';
import { loadConfig } from './config.js';

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
        sdkClientConfig({ requestTimeoutMs: config.requestTimeoutMs }),
      ),
    ),
  );
});

export const handler = createPreSignUpHandler({
  config,
  auditor: auditorFromEnv(),
  directory: cognitoDirectory(cognito),
});
