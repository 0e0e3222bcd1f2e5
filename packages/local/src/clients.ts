/**
 * The local pool's app clients, from the same plain specs the CDK app deploys
 * (`appClientSpecs` of the typed config): the web client exactly as deployed (no
 * USER_PASSWORD_AUTH; no SRP in password-then-otp mode), the machine client, and one
 * local-only client, `local-password`, that allows plain password sign-ins
 * (USER_PASSWORD_AUTH and SRP) for scripts, load tests and the demo. Its id is
 * `passwordClientId` in outputs.json.
 */
import type { AuthwatchConfig } from '@authwatch/infra/config';
import {
  type AppClientSpec,
  appClientSpecs,
  localPasswordClientSpec,
} from '../../../infra/config/clients.js';
import type { CognitoEmulator, UserPoolClientSpec } from './cognito/index.js';

/** A spec in the emulator's terms (its refresh validity is in whole days). */
export function emulatorClientSpec(spec: AppClientSpec): UserPoolClientSpec {
  return {
    name: spec.name,
    generateSecret: spec.generateSecret,
    explicitAuthFlows: spec.explicitAuthFlows,
    allowedOAuthFlows: spec.allowedOAuthFlows,
    allowedOAuthScopes: spec.allowedOAuthScopes,
    accessTokenValidityMinutes: spec.accessTokenValidityMinutes,
    ...(spec.idTokenValidityMinutes !== undefined
      ? { idTokenValidityMinutes: spec.idTokenValidityMinutes }
      : {}),
    ...(spec.refreshTokenValidityMinutes !== undefined
      ? {
          refreshTokenValidityDays: Math.max(
            1,
            Math.round(spec.refreshTokenValidityMinutes / 1_440),
          ),
        }
      : {}),
    ...(spec.authSessionValidityMinutes !== undefined
      ? { authSessionValidityMinutes: spec.authSessionValidityMinutes }
      : {}),
    preventUserExistenceErrors: spec.preventUserExistenceErrors,
    enableTokenRevocation: spec.enableTokenRevocation,
  };
}

export interface LocalClientIds {
  webClientId: string;
  /** Empty when the config turns the machine client off. */
  machineClientId: string;
  machineSecret: string;
  /** The local-only client for plain password sign-ins. */
  passwordClientId: string;
}

/** Creates (or finds again, keeping ids and secret) the pool's clients. */
export function ensureLocalClients(
  cognito: CognitoEmulator,
  poolId: string,
  config: AuthwatchConfig,
): LocalClientIds {
  const specs = appClientSpecs(config);
  const web = cognito.ensureUserPoolClient(poolId, emulatorClientSpec(specs.web));
  const machine = specs.machine
    ? cognito.ensureUserPoolClient(poolId, emulatorClientSpec(specs.machine))
    : undefined;
  const password = cognito.ensureUserPoolClient(
    poolId,
    emulatorClientSpec(localPasswordClientSpec(config)),
  );
  return {
    webClientId: web.clientId,
    machineClientId: machine?.clientId ?? '',
    machineSecret: machine?.clientSecret ?? '',
    passwordClientId: password.clientId,
  };
}
