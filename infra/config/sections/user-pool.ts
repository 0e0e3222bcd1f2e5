/**
 * The user-pool section: the Cognito user pool, its app clients, domain, resource
 * server, groups, federation, identity pool, and the pre sign-up policy. Plain data
 * (no aws-cdk-lib): the CDK construct `AuthwatchUserPool` builds it, and
 * {@link preSignUpEnvironment} gives the pre sign-up trigger its variables for the CDK
 * app and the local stack alike.
 *
 * Every field has a default, so `userPool: {}` is a working pool; limits are Cognito's
 * own, so a bad value fails at synth with the field's name instead of at deploy.
 */
import { LINK_MODES, PRE_SIGNUP_ENV } from '@authwatch/pre-signup/config';
import * as z from 'zod';

/** Cognito's token validity limits, minutes. */
export const TOKEN_LIMITS = {
  /** Access and ID tokens: 5 minutes to 1 day. */
  accessOrIdMin: 5,
  accessOrIdMax: 24 * 60,
  /** Refresh tokens: 60 minutes to 10 years (3,650 days). */
  refreshMin: 60,
  refreshMax: 3_650 * 24 * 60,
  /** Auth session (the sign-in between InitiateAuth and the last answer): 3 to 15 minutes. */
  authSessionMin: 3,
  authSessionMax: 15,
} as const;

const DOMAIN = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const SCOPE_NAME = /^[\x21\x23-\x2e\x30-\x5b\x5d-\x7e]{1,256}$/;
const PROVIDER_NAME = /^[^_\s][^_]{1,30}[^_\s]$/;
const SECRET_REF =
  /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+|[\w/+=.@-]{1,512})$/;

/** A Cognito attribute (e.g. `email`, `custom:tenant`) to a provider attribute name. */
const AttributeMappingSchema = z.record(
  z.string().regex(/^(custom:)?[a-z_]{1,32}$/i, 'must be a Cognito attribute name'),
  z.string().min(1).max(256),
);

/** A Secrets Manager secret by ARN or name, optionally a JSON field of it. */
const SecretRefSchema = z
  .object({
    /** Secret ARN or name. */
    secret: z.string().regex(SECRET_REF, 'must be a Secrets Manager secret ARN or name'),
    /** JSON key within the secret, when it holds several values. */
    field: z.string().min(1).max(128).optional(),
  })
  .strict();
export type SecretRef = z.output<typeof SecretRefSchema>;

const SocialSchema = z
  .object({
    /** The app's client id at the provider (Facebook: app id; Apple: services id). */
    clientId: z.string().min(1).max(256),
    /** The client secret (Google, Facebook, Amazon). */
    clientSecret: SecretRefSchema.optional(),
    /** Scopes requested from the provider. */
    scopes: z.array(z.string().min(1)).optional(),
    /** Cognito attribute → provider attribute. */
    attributeMapping: AttributeMappingSchema.default({}),
  })
  .strict();

const AppleSchema = SocialSchema.extend({
  /** Apple developer team id. */
  teamId: z.string().min(1).max(20),
  /** Id of the Sign in with Apple key. */
  keyId: z.string().min(1).max(20),
  /** The key's private key (PEM) in Secrets Manager. */
  privateKey: SecretRefSchema,
}).strict();

const SamlSchema = z
  .object({
    /** Provider name as users and `identity_provider=` see it (no underscore). */
    name: z.string().regex(PROVIDER_NAME, 'must be 3-32 characters without underscores'),
    /** IdP metadata URL (e.g. ADFS FederationMetadata.xml, Entra ID app federation metadata). */
    metadataUrl: z.url({ protocol: /^https$/ }).optional(),
    /** IdP metadata file, relative to infra/ (read at synth). */
    metadataFile: z.string().min(1).optional(),
    /** Email domains routed to this IdP by the hosted UI. */
    identifiers: z.array(z.string().min(1).max(40)).optional(),
    /** Sign out of the IdP too. */
    idpSignout: z.boolean().default(false),
    /** Cognito attribute → SAML claim, e.g. `{ email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' }`. */
    attributeMapping: AttributeMappingSchema.default({}),
  })
  .strict()
  .refine((saml) => (saml.metadataUrl === undefined) !== (saml.metadataFile === undefined), {
    message: 'needs exactly one of metadataUrl and metadataFile',
    path: ['metadataUrl'],
  });

const OidcSchema = z
  .object({
    /** Provider name (no underscore). */
    name: z.string().regex(PROVIDER_NAME, 'must be 3-32 characters without underscores'),
    /** Issuer URL; Cognito discovers the endpoints from it. */
    issuerUrl: z.url({ protocol: /^https$/ }),
    /** Client id at the IdP. */
    clientId: z.string().min(1).max(256),
    /** Client secret in Secrets Manager. */
    clientSecret: SecretRefSchema,
    /** Scopes requested. */
    scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
    /** Email domains routed to this IdP by the hosted UI. */
    identifiers: z.array(z.string().min(1).max(40)).optional(),
    /** Cognito attribute → OIDC claim. */
    attributeMapping: AttributeMappingSchema.default({}),
  })
  .strict();

const DEFAULT_SCOPES = [
  { name: 'read', description: 'Read the API' },
  { name: 'write', description: 'Change data through the API' },
  { name: 'admin', description: 'Administer the API' },
];

const DEFAULT_GROUPS = [
  { name: 'admins', description: 'Administrators', precedence: 0, iamRole: true },
  { name: 'security', description: 'Security team (audit access)', precedence: 10, iamRole: true },
  { name: 'users', description: 'Everyone else', precedence: 100, iamRole: false },
];

const minutes = (min: number, max: number, what: string) =>
  z
    .number()
    .int()
    .min(min, `${what}: Cognito's minimum is ${min} minutes`)
    .max(max, `${what}: Cognito's maximum is ${max} minutes`);

export const UserPoolSectionSchema = z
  .object({
    /** Also sign in with a user name (email always works). */
    signInWithUsername: z.boolean().default(false),
    /** Users may sign themselves up. */
    selfSignUp: z.boolean().default(true),
    /** Password policy; the defaults satisfy cdk-nag AwsSolutions-COG1. */
    passwordPolicy: z
      .object({
        minLength: z.number().int().min(8).max(99).default(12),
        requireLowercase: z.boolean().default(true),
        requireUppercase: z.boolean().default(true),
        requireDigits: z.boolean().default(true),
        requireSymbols: z.boolean().default(true),
        /** Days an admin-set temporary password stays valid. */
        tempPasswordValidityDays: z.number().int().min(1).max(365).default(7),
      })
      .strict()
      .default({
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidityDays: 7,
      }),
    /** MFA: off, optional (each user chooses) or required. */
    mfa: z.enum(['off', 'optional', 'required']).default('optional'),
    /** Second factors offered: TOTP apps, SMS (SMS needs an SNS role, which the stack makes). */
    mfaFactors: z
      .object({ totp: z.boolean().default(true), sms: z.boolean().default(true) })
      .strict()
      .default({ totp: true, sms: true }),
    /** Remember devices (Cognito then tells post-auth `newDeviceUsed`). */
    rememberDevices: z.enum(['off', 'always', 'user-opt-in']).default('user-opt-in'),
    /** Deletion protection; default: on outside dev. */
    deletionProtection: z.boolean().optional(),
    /** Cognito feature plan; threat protection needs `plus`. */
    featurePlan: z.enum(['essentials', 'plus']).default('essentials'),
    /** Threat protection (advanced security): off by default; audit/enforced need `plus`. */
    threatProtection: z.enum(['off', 'audit', 'enforced']).default('off'),
    /** The public web client. */
    webClient: z
      .object({
        /** OAuth redirect URLs after sign-in. */
        callbackUrls: z.array(z.url()).min(1).default(['http://localhost:5173/callback']),
        /** OAuth redirect URLs after sign-out. */
        logoutUrls: z.array(z.url()).default(['http://localhost:5173/']),
        /**
         * Allow USER_SRP_AUTH (password sign-in outside CUSTOM_AUTH). Default: yes, except
         * when the custom challenge runs password-then-otp, where it would skip the code.
         */
        userSrp: z.boolean().optional(),
        /** Resource-server scopes the web client may request (names of `resourceServer.scopes`). */
        scopes: z.array(z.string()).default(['read', 'write']),
        accessTokenMinutes: minutes(
          TOKEN_LIMITS.accessOrIdMin,
          TOKEN_LIMITS.accessOrIdMax,
          'access token',
        ).default(60),
        idTokenMinutes: minutes(
          TOKEN_LIMITS.accessOrIdMin,
          TOKEN_LIMITS.accessOrIdMax,
          'ID token',
        ).default(60),
        refreshTokenMinutes: minutes(
          TOKEN_LIMITS.refreshMin,
          TOKEN_LIMITS.refreshMax,
          'refresh token',
        ).default(30 * 24 * 60),
        /** Sign-in session validity (the custom-challenge section's value wins when set). */
        authSessionMinutes: minutes(
          TOKEN_LIMITS.authSessionMin,
          TOKEN_LIMITS.authSessionMax,
          'auth session',
        ).default(3),
      })
      .strict()
      .refine(
        (client) =>
          client.refreshTokenMinutes >= Math.max(client.accessTokenMinutes, client.idTokenMinutes),
        {
          message: 'must be at least as long as the access and ID token validity',
          path: ['refreshTokenMinutes'],
        },
      )
      .default({
        callbackUrls: ['http://localhost:5173/callback'],
        logoutUrls: ['http://localhost:5173/'],
        scopes: ['read', 'write'],
        accessTokenMinutes: 60,
        idTokenMinutes: 60,
        refreshTokenMinutes: 30 * 24 * 60,
        authSessionMinutes: 3,
      }),
    /** The confidential machine-to-machine client (client credentials). */
    machineClient: z
      .object({
        enabled: z.boolean().default(true),
        /** Resource-server scopes it is granted. */
        scopes: z.array(z.string()).default(['read']),
        accessTokenMinutes: minutes(
          TOKEN_LIMITS.accessOrIdMin,
          TOKEN_LIMITS.accessOrIdMax,
          'access token',
        ).default(60),
      })
      .strict()
      .default({ enabled: true, scopes: ['read'], accessTokenMinutes: 60 }),
    /** Cognito domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); default `authwatch-<env>`. */
    domainPrefix: z
      .string()
      .regex(
        /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
        'must be lower-case letters, digits and dashes',
      )
      .refine(
        (prefix) => !/aws|amazon|cognito/.test(prefix),
        'may not contain aws, amazon or cognito',
      )
      .optional(),
    /** A custom domain with its ACM certificate (in us-east-1, as Cognito requires). */
    customDomain: z
      .object({
        domainName: z.string().regex(DOMAIN, 'must be a domain name'),
        certificateArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/,
            'must be an ACM certificate ARN in us-east-1',
          ),
      })
      .strict()
      .optional(),
    /** The API's resource server and its custom scopes (`<identifier>/<scope>`). */
    resourceServer: z
      .object({
        identifier: z.string().min(1).max(256).default('api'),
        name: z.string().min(1).max(256).default('Authwatch API'),
        scopes: z
          .array(
            z
              .object({
                name: z.string().regex(SCOPE_NAME),
                description: z.string().min(1).max(256),
              })
              .strict(),
          )
          .min(1)
          .default(DEFAULT_SCOPES),
      })
      .strict()
      .default({ identifier: 'api', name: 'Authwatch API', scopes: DEFAULT_SCOPES }),
    /** User groups; `iamRole` gives the group an identity-pool role (`cognito:preferred_role`). */
    groups: z
      .array(
        z
          .object({
            name: z.string().regex(/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u),
            description: z.string().max(2048).optional(),
            precedence: z.number().int().min(0).optional(),
            iamRole: z.boolean().default(false),
          })
          .strict(),
      )
      .default(DEFAULT_GROUPS),
    /** Federated identity providers. */
    federation: z
      .object({
        saml: z.array(SamlSchema).default([]),
        oidc: z.array(OidcSchema).default([]),
        google: SocialSchema.optional(),
        facebook: SocialSchema.optional(),
        amazon: SocialSchema.optional(),
        apple: AppleSchema.optional(),
      })
      .strict()
      .default({ saml: [], oidc: [] }),
    /** The identity pool (AWS credentials for signed-in users). */
    identityPool: z
      .object({
        enabled: z.boolean().default(true),
        /** Guest (unauthenticated) identities. */
        allowGuests: z.boolean().default(false),
        /** Session tag → token claim, for ABAC (e.g. `{ tenant: 'custom:tenant_id' }`). */
        principalTags: z
          .record(z.string().regex(/^[\w.:/=+@-]{1,128}$/), z.string().min(1).max(256))
          .default({ username: 'sub', client: 'aud' }),
      })
      .strict()
      .default({
        enabled: true,
        allowGuests: false,
        principalTags: { username: 'sub', client: 'aud' },
      }),
    /** The pre sign-up trigger's policy (see packages/pre-signup/README.md). */
    signUpPolicy: z
      .object({
        allowDomains: z.array(z.string()).default([]),
        denyDomains: z.array(z.string()).default([]),
        blockDisposable: z.boolean().default(true),
        extraDisposableDomains: z.array(z.string()).default([]),
        /** SHA-256 hex hashes of invite codes (never the codes). */
        inviteCodeSha256: z
          .array(z.string().regex(/^[0-9a-f]{64}$/i, 'must be a SHA-256 hex hash'))
          .default([]),
        checkAdminCreated: z.boolean().default(false),
        autoConfirm: z.array(z.enum(['SignUp', 'ExternalProvider'])).default(['ExternalProvider']),
        autoVerifyEmail: z
          .array(z.enum(['SignUp', 'ExternalProvider']))
          .default(['ExternalProvider']),
        autoVerifyPhone: z.array(z.enum(['SignUp', 'ExternalProvider'])).default([]),
        linkFederated: z.enum(LINK_MODES).default('link'),
        trustedEmailProviders: z.array(z.string()).default([]),
      })
      .strict()
      .default({
        allowDomains: [],
        denyDomains: [],
        blockDisposable: true,
        extraDisposableDomains: [],
        inviteCodeSha256: [],
        checkAdminCreated: false,
        autoConfirm: ['ExternalProvider'],
        autoVerifyEmail: ['ExternalProvider'],
        autoVerifyPhone: [],
        linkFederated: 'link',
        trustedEmailProviders: [],
      }),
  })
  .strict()
  .refine((pool) => pool.threatProtection === 'off' || pool.featurePlan === 'plus', {
    message: 'threat protection needs featurePlan "plus"',
    path: ['threatProtection'],
  })
  .refine((pool) => pool.mfa === 'off' || pool.mfaFactors.totp || pool.mfaFactors.sms, {
    message: 'MFA needs at least one factor',
    path: ['mfaFactors'],
  })
  .refine(
    (pool) => {
      const names = new Set(pool.resourceServer.scopes.map((scope) => scope.name));
      return [...pool.webClient.scopes, ...pool.machineClient.scopes].every((name) =>
        names.has(name),
      );
    },
    {
      message: 'client scopes must be names of resourceServer.scopes',
      path: ['webClient', 'scopes'],
    },
  );

export type UserPoolSection = z.output<typeof UserPoolSectionSchema>;

/** The section with every default, for a config that does not set one. */
export function userPoolSectionOf(section: UserPoolSection | undefined): UserPoolSection {
  return section ?? UserPoolSectionSchema.parse({});
}

/** The pre sign-up trigger's variables from the section's `signUpPolicy`. */
export function preSignUpEnvironment(section: UserPoolSection): Record<string, string> {
  const policy = section.signUpPolicy;
  const list = (items: readonly string[]) => items.join(',');
  const sources = (items: readonly string[]) => (items.length > 0 ? list(items) : 'none');
  const env: Record<string, string> = {
    [PRE_SIGNUP_ENV.blockDisposable]: String(policy.blockDisposable),
    [PRE_SIGNUP_ENV.checkAdminCreated]: String(policy.checkAdminCreated),
    [PRE_SIGNUP_ENV.autoConfirm]: sources(policy.autoConfirm),
    [PRE_SIGNUP_ENV.autoVerifyEmail]: sources(policy.autoVerifyEmail),
    [PRE_SIGNUP_ENV.autoVerifyPhone]: sources(policy.autoVerifyPhone),
    [PRE_SIGNUP_ENV.linkFederated]: policy.linkFederated,
  };
  const optional: [string, readonly string[]][] = [
    [PRE_SIGNUP_ENV.allowDomains, policy.allowDomains],
    [PRE_SIGNUP_ENV.denyDomains, policy.denyDomains],
    [PRE_SIGNUP_ENV.extraDisposableDomains, policy.extraDisposableDomains],
    [PRE_SIGNUP_ENV.inviteCodeSha256, policy.inviteCodeSha256],
    [PRE_SIGNUP_ENV.trustedEmailProviders, policy.trustedEmailProviders],
  ];
  for (const [name, items] of optional) if (items.length > 0) env[name] = list(items);
  return env;
}
