/**
 * The user pool's app clients as plain data, from the typed config: what the CDK
 * construct deploys (`AuthwatchUserPool` builds its clients from these) and what the
 * local stack creates, so a client behaves the same locally and deployed. Names and
 * values are CloudFormation's (`ExplicitAuthFlows`, `AllowedOAuthFlows`, ...). No
 * aws-cdk-lib here: the local stack loads this file.
 *
 * @example
 * ```ts
 * const { web, machine } = appClientSpecs(loadConfig('prod'));
 * web.explicitAuthFlows; // ['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] (password-then-otp)
 * ```
 */
import type { AuthwatchConfig } from './schema.js';
import { userPoolSectionOf } from './sections/user-pool.js';

/** One app client, in CloudFormation's terms. */
export interface AppClientSpec {
  /** `ClientName`. */
  name: string;
  generateSecret: boolean;
  /** `ExplicitAuthFlows`, in a fixed order (CUSTOM, SRP, PASSWORD, REFRESH). */
  explicitAuthFlows: string[];
  /** `AllowedOAuthFlows` (`code`, `client_credentials`); empty: none. */
  allowedOAuthFlows: string[];
  /**
   * `AllowedOAuthScopes`: OpenID scopes and the resource server's as `<identifier>/<name>`.
   */
  allowedOAuthScopes: string[];
  accessTokenValidityMinutes: number;
  /** Absent for a client without users (client credentials). */
  idTokenValidityMinutes?: number;
  refreshTokenValidityMinutes?: number;
  /** `AuthSessionValidity`: how long a sign-in's session may last (3-15). */
  authSessionValidityMinutes?: number;
  preventUserExistenceErrors: boolean;
  enableTokenRevocation: boolean;
}

/** The clients infra deploys: the public web client and, unless turned off, the machine client. */
export interface AppClientSpecs {
  web: AppClientSpec;
  machine: AppClientSpec | undefined;
}

/** Auth flows that sign in with a password alone, never calling the custom challenge. */
export const PASSWORD_AUTH_FLOWS = [
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_USER_AUTH',
] as const;

/** Name of the local stack's own client for plain password sign-ins (never deployed). */
export const LOCAL_PASSWORD_CLIENT_NAME = 'local-password';

/** The app clients of a config, exactly as the CDK app deploys them. */
export function appClientSpecs(config: AuthwatchConfig): AppClientSpecs {
  const section = userPoolSectionOf(config.userPool);
  const server = section.resourceServer.identifier;
  const web = section.webClient;
  // SRP would let a user in with the password alone in password-then-otp mode, where SRP
  // runs inside CUSTOM_AUTH instead.
  const srp = web.userSrp ?? config.customChallenge?.mode !== 'password-then-otp';
  const machine = section.machineClient;
  return {
    web: {
      name: 'web',
      generateSecret: false,
      explicitAuthFlows: [
        'ALLOW_CUSTOM_AUTH',
        ...(srp ? ['ALLOW_USER_SRP_AUTH'] : []),
        'ALLOW_REFRESH_TOKEN_AUTH',
      ],
      allowedOAuthFlows: ['code'],
      allowedOAuthScopes: [
        'openid',
        'email',
        'profile',
        ...web.scopes.map((scope) => `${server}/${scope}`),
      ],
      accessTokenValidityMinutes: web.accessTokenMinutes,
      idTokenValidityMinutes: web.idTokenMinutes,
      refreshTokenValidityMinutes: web.refreshTokenMinutes,
      // The custom-auth client's session validity comes from the custom-challenge section.
      authSessionValidityMinutes:
        config.customChallenge?.authSessionValidityMinutes ?? web.authSessionMinutes,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    },
    machine: machine.enabled
      ? {
          name: 'machine',
          generateSecret: true,
          // Pinned: left unset, Cognito would allow SRP and custom auth on this client.
          explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
          allowedOAuthFlows: ['client_credentials'],
          allowedOAuthScopes: machine.scopes.map((scope) => `${server}/${scope}`),
          accessTokenValidityMinutes: machine.accessTokenMinutes,
          preventUserExistenceErrors: true,
          enableTokenRevocation: true,
        }
      : undefined,
  };
}

/**
 * The local stack's extra client for scripts, load tests and the demo that sign in
 * with a plain password (USER_PASSWORD_AUTH, and SRP): never deployed, so the web
 * client can stay exactly the deployed one. Token validities are the web client's.
 */
export function localPasswordClientSpec(config: AuthwatchConfig): AppClientSpec {
  const { web } = appClientSpecs(config);
  return {
    ...web,
    name: LOCAL_PASSWORD_CLIENT_NAME,
    explicitAuthFlows: [
      'ALLOW_USER_SRP_AUTH',
      'ALLOW_USER_PASSWORD_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ],
    allowedOAuthFlows: [],
    allowedOAuthScopes: [],
  };
}

/** CDK's `authFlows` props for a spec's `explicitAuthFlows` (refresh is always added by CDK). */
export function cdkAuthFlows(spec: AppClientSpec): {
  custom: boolean;
  userSrp: boolean;
  userPassword: boolean;
  adminUserPassword: boolean;
} {
  const has = (flow: string) => spec.explicitAuthFlows.includes(flow);
  return {
    custom: has('ALLOW_CUSTOM_AUTH'),
    userSrp: has('ALLOW_USER_SRP_AUTH'),
    userPassword: has('ALLOW_USER_PASSWORD_AUTH'),
    adminUserPassword: has('ALLOW_ADMIN_USER_PASSWORD_AUTH'),
  };
}
