/**
 * `AuthwatchUserPool`: the Cognito user pool and everything hanging off it.
 *
 * - The pool on the Essentials feature plan: email sign-in (plus user name when
 *   configured), self sign-up as configured, password policy, optional MFA (TOTP and
 *   SMS; CDK makes the SMS role), email-only recovery, deletion protection outside dev,
 *   device tracking (so post authentication learns `newDeviceUsed`), threat protection
 *   off unless the section turns it on (which needs the Plus plan).
 * - A public web client (no secret; SRP, custom auth, refresh; OAuth code flow, used
 *   with PKCE by the app) and a confidential machine client (client credentials).
 * - The Cognito domain (prefix, optional custom domain), the API resource server and
 *   its scopes, groups (with identity-pool roles where asked), federation (SAML, OIDC,
 *   Google, Facebook, Login with Amazon, Sign in with Apple), and an identity pool with
 *   role mapping from the token and principal tags for ABAC.
 * - The pre sign-up and post authentication triggers as TracedFunctions. The linking
 *   permissions (ListUsers, AdminLinkProviderForUser on THIS pool) are a separate IAM
 *   policy attached to the function's role after the pool exists: the function itself
 *   never depends on the pool, which depends on the function, so there is no cycle.
 *
 * Other concerns attach their triggers to the same pool with {@link addTrigger} (or
 * `userPool.addTrigger`).
 */
import { AUDIT_ENV } from '@authwatch/audit';
import { LOCK_ATTRIBUTE } from '@authwatch/pre-auth/config';
import { Arn, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccountRecovery,
  CfnIdentityPoolPrincipalTag,
  ClientAttributes,
  FeaturePlan,
  type IUserPoolIdentityProvider,
  type LambdaVersion,
  Mfa,
  NumberAttribute,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
  UserPoolGroup,
  UserPoolOperation,
  type UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import {
  IdentityPool,
  IdentityPoolProviderUrl,
  UserPoolAuthenticationProvider,
} from 'aws-cdk-lib/aws-cognito-identitypool';
import { FederatedPrincipal, type IRole, Policy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { ConfigurationSet, EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { appClientSpecs, cdkAuthFlows } from '../config/clients.js';
import type { AuthwatchConfig } from '../config/index.js';
import { type MailSection, mailIdentityOf, postAuthEnvironment } from '../config/sections/mail.js';
import {
  preSignUpEnvironment,
  type UserPoolSection,
  userPoolSectionOf,
} from '../config/sections/user-pool.js';
import { handlerEntry } from './entries.js';
import { TracedFunction } from './traced-function.js';
import { federationProviders } from './user-pool-federation.js';

/** What the user pool needs of the audit construct (AuditStream satisfies it). */
export interface AuditGrant {
  grantEmit(fn: LambdaFunction): void;
}

export interface AuthwatchUserPoolProps {
  /** The environment's config; its `userPool` and `mail` sections (both optional). */
  config: AuthwatchConfig;
  /** The audit stream; without it the triggers run with auditing off (AUDIT_ENABLED=false). */
  audit?: AuditGrant;
}

/** POWERTOOLS_SERVICE_NAME of the two functions. */
export const PRE_SIGNUP_SERVICE = 'pre-signup';
export const POST_AUTH_SERVICE = 'post-auth';

/** The token-claim provider name of Cognito identities in the identity pool trust. */
const COGNITO_IDENTITY = 'cognito-identity.amazonaws.com';

/** What the web client may write: the standard attributes and tenant_id, never the lock. */
export function userWritableAttributes(): ClientAttributes {
  return new ClientAttributes()
    .withStandardAttributes({
      address: true,
      birthdate: true,
      email: true,
      familyName: true,
      fullname: true,
      gender: true,
      givenName: true,
      lastUpdateTime: true,
      locale: true,
      middleName: true,
      nickname: true,
      phoneNumber: true,
      preferredUsername: true,
      profilePage: true,
      profilePicture: true,
      timezone: true,
      website: true,
    })
    .withCustomAttributes('tenant_id');
}

export class AuthwatchUserPool extends Construct {
  readonly userPool: UserPool;
  readonly webClient: UserPoolClient;
  /** The client-credentials client, unless the section turns it off. */
  readonly machineClient: UserPoolClient | undefined;
  readonly resourceServer: UserPoolResourceServer;
  /** The resource server's scopes by name (`read` → `api/read`). */
  readonly scopes: Readonly<Record<string, OAuthScope>>;
  readonly domain: UserPoolDomain;
  readonly customDomain: UserPoolDomain | undefined;
  readonly groups: Readonly<Record<string, UserPoolGroup>>;
  /** Identity-pool roles of the groups that asked for one, by group name. */
  readonly groupRoles: Readonly<Record<string, Role>>;
  readonly identityProviders: IUserPoolIdentityProvider[];
  readonly identityPool: IdentityPool | undefined;
  readonly preSignUpFunction: TracedFunction;
  readonly postAuthFunction: TracedFunction;
  /** The policy granting the pre sign-up function its calls on this pool. */
  readonly linkingPolicy: Policy;
  readonly mailIdentity: EmailIdentity | undefined;
  readonly configurationSet: ConfigurationSet | undefined;
  /** The SES identity ARN the post authentication function may send from. */
  readonly mailIdentityArn: string | undefined;
  readonly section: UserPoolSection;

  constructor(scope: Construct, id: string, props: AuthwatchUserPoolProps) {
    super(scope, id);
    const { config } = props;
    const section = userPoolSectionOf(config.userPool);
    this.section = section;
    const stack = Stack.of(this);
    const removalPolicy =
      config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // ── the functions first: they must not depend on the pool (the pool depends on them).
    const auditOff: Record<string, string> = props.audit ? {} : { [AUDIT_ENV.enabled]: 'false' };
    this.preSignUpFunction = new TracedFunction(this, 'PreSignUp', {
      entry: handlerEntry('pre-signup'),
      serviceName: PRE_SIGNUP_SERVICE,
      description: 'Pre sign-up: sign-up policy and federated account linking',
      environment: { ...preSignUpEnvironment(section), ...auditOff },
    });
    this.postAuthFunction = new TracedFunction(this, 'PostAuth', {
      entry: handlerEntry('post-auth'),
      serviceName: POST_AUTH_SERVICE,
      description: 'Post authentication: sign-in audit and new-device mail',
      environment: { ...postAuthEnvironment(config.mail), ...auditOff },
    });
    props.audit?.grantEmit(this.preSignUpFunction);
    props.audit?.grantEmit(this.postAuthFunction);

    // ── mail: the SES identity, the configuration set, and ONE identity to send from.
    const mail: MailSection | undefined = config.mail;
    if (mail) {
      this.configurationSet = mail.configurationSet
        ? new ConfigurationSet(this, 'MailConfigurationSet', {
            configurationSetName: mail.configurationSet,
            reputationMetrics: true,
            sendingEnabled: true,
          })
        : undefined;
      const identity = mailIdentityOf(mail);
      this.mailIdentity = new EmailIdentity(this, 'MailIdentity', {
        identity: identity.includes('@') ? Identity.email(identity) : Identity.domain(identity),
        ...(this.configurationSet ? { configurationSet: this.configurationSet } : {}),
      });
      this.mailIdentityArn = Arn.format(
        { service: 'ses', resource: 'identity', resourceName: identity },
        stack,
      );
      if (mail.newDevice.enabled) {
        const resources = [this.mailIdentityArn];
        if (mail.configurationSet) {
          resources.push(
            Arn.format(
              {
                service: 'ses',
                resource: 'configuration-set',
                resourceName: mail.configurationSet,
              },
              stack,
            ),
          );
        }
        this.postAuthFunction.addToRolePolicy(
          new PolicyStatement({ actions: ['ses:SendEmail'], resources }),
        );
      }
    } else {
      this.mailIdentity = undefined;
      this.configurationSet = undefined;
      this.mailIdentityArn = undefined;
    }

    // ── the pool
    const plus = section.featurePlan === 'plus';
    const mfa = { off: Mfa.OFF, optional: Mfa.OPTIONAL, required: Mfa.REQUIRED }[section.mfa];
    this.userPool = new UserPool(this, 'Pool', {
      userPoolName: `authwatch-${config.envName}`,
      featurePlan: plus ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(plus
        ? {
            standardThreatProtectionMode: {
              off: StandardThreatProtectionMode.NO_ENFORCEMENT,
              audit: StandardThreatProtectionMode.AUDIT_ONLY,
              enforced: StandardThreatProtectionMode.FULL_FUNCTION,
            }[section.threatProtection],
          }
        : {}),
      selfSignUpEnabled: section.selfSignUp,
      signInAliases: { email: true, username: section.signInWithUsername },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // A changed email stays the old one until the new one is verified.
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // Mutable: AdminLinkProviderForUser refuses a user with an immutable custom attribute.
      customAttributes: {
        tenant_id: new StringAttribute({ mutable: true, maxLen: 64 }),
        // The temporary lock the pre authentication trigger honours (epoch seconds); set by
        // admins and detection responses only: no app client may write it (below).
        [LOCK_ATTRIBUTE.slice('custom:'.length)]: new NumberAttribute({ mutable: true, min: 0 }),
      },
      passwordPolicy: {
        minLength: section.passwordPolicy.minLength,
        requireLowercase: section.passwordPolicy.requireLowercase,
        requireUppercase: section.passwordPolicy.requireUppercase,
        requireDigits: section.passwordPolicy.requireDigits,
        requireSymbols: section.passwordPolicy.requireSymbols,
        tempPasswordValidity: Duration.days(section.passwordPolicy.tempPasswordValidityDays),
      },
      mfa,
      ...(section.mfa === 'off'
        ? {}
        : { mfaSecondFactor: { otp: section.mfaFactors.totp, sms: section.mfaFactors.sms } }),
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: section.deletionProtection ?? config.envName !== 'dev',
      removalPolicy,
      ...(section.rememberDevices === 'off'
        ? {}
        : {
            deviceTracking: {
              challengeRequiredOnNewDevice: true,
              deviceOnlyRememberedOnUserPrompt: section.rememberDevices === 'user-opt-in',
            },
          }),
    });
    this.userPool.addTrigger(UserPoolOperation.PRE_SIGN_UP, this.preSignUpFunction);
    this.userPool.addTrigger(UserPoolOperation.POST_AUTHENTICATION, this.postAuthFunction);
    const smsRole = this.userPool.node.tryFindChild('smsRole');
    if (smsRole) {
      Validations.of(smsRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Cognito sends SMS codes with sns:Publish to phone numbers, which have no resource ARN; ' +
          'the role trusts only cognito-idp with this pool as external id',
      });
    }
    if (section.mfa !== 'required') {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional by design (issue 4): users opt in to TOTP or SMS; the section can require it',
      });
    }
    if (!plus) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'Essentials feature plan by design (issue 4): threat protection (advanced security) is ' +
          'off by default; the section moves to Plus and turns it on (threatProtection)',
      });
    }

    // ── the linking permissions, on THIS pool only, attached after the pool exists.
    this.linkingPolicy = new Policy(this, 'PreSignUpLinking', {
      statements: [
        new PolicyStatement({
          actions: ['cognito-idp:ListUsers', 'cognito-idp:AdminLinkProviderForUser'],
          resources: [this.userPool.userPoolArn],
        }),
      ],
    });
    this.linkingPolicy.attachToRole(this.preSignUpFunction.role as IRole);

    // ── resource server and scopes
    const rs = section.resourceServer;
    const serverScopes = rs.scopes.map(
      (scope) =>
        new ResourceServerScope({ scopeName: scope.name, scopeDescription: scope.description }),
    );
    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: rs.identifier,
      userPoolResourceServerName: rs.name,
      scopes: serverScopes,
    });
    const scopes: Record<string, OAuthScope> = {};
    for (const scope of serverScopes) {
      scopes[scope.scopeName] = OAuthScope.resourceServer(this.resourceServer, scope);
    }
    this.scopes = scopes;
    const pick = (names: readonly string[]) =>
      names.map((name) => {
        const scope = scopes[name];
        if (scope === undefined) throw new Error(`userPool: unknown scope "${name}"`);
        return scope;
      });

    // ── federation
    this.identityProviders = federationProviders(this, this.userPool, section);

    // ── app clients
    // Flows, validities and session from the same plain specs the local stack uses.
    const specs = appClientSpecs(config);
    const web = section.webClient;
    const authSessionMinutes = specs.web.authSessionValidityMinutes ?? web.authSessionMinutes;
    this.webClient = this.userPool.addClient('WebClient', {
      userPoolClientName: specs.web.name,
      generateSecret: false,
      authFlows: cdkAuthFlows(specs.web),
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE, ...pick(web.scopes)],
        callbackUrls: web.callbackUrls,
        logoutUrls: web.logoutUrls,
      },
      supportedIdentityProviders: [
        UserPoolClientIdentityProvider.COGNITO,
        ...this.identityProviders.map((idp) =>
          UserPoolClientIdentityProvider.custom(idp.providerName),
        ),
      ],
      accessTokenValidity: Duration.minutes(web.accessTokenMinutes),
      idTokenValidity: Duration.minutes(web.idTokenMinutes),
      refreshTokenValidity: Duration.minutes(web.refreshTokenMinutes),
      authSessionValidity: Duration.minutes(authSessionMinutes),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // Every attribute a user may change, except the lock (a locked user could lift it).
      writeAttributes: userWritableAttributes(),
    });
    for (const idp of this.identityProviders) this.webClient.node.addDependency(idp);

    const machine = section.machineClient;
    this.machineClient = machine.enabled
      ? this.userPool.addClient('MachineClient', {
          userPoolClientName: 'machine',
          generateSecret: true,
          authFlows: specs.machine ? cdkAuthFlows(specs.machine) : {},
          oAuth: { flows: { clientCredentials: true }, scopes: pick(machine.scopes) },
          supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
          accessTokenValidity: Duration.minutes(machine.accessTokenMinutes),
          preventUserExistenceErrors: true,
        })
      : undefined;

    // ── domains
    this.domain = this.userPool.addDomain('CognitoDomain', {
      cognitoDomain: { domainPrefix: section.domainPrefix ?? `authwatch-${config.envName}` },
    });
    this.customDomain = section.customDomain
      ? this.userPool.addDomain('CustomDomain', {
          customDomain: {
            domainName: section.customDomain.domainName,
            certificate: Certificate.fromCertificateArn(
              this,
              'CustomDomainCertificate',
              section.customDomain.certificateArn,
            ),
          },
        })
      : undefined;

    // ── identity pool, then groups (whose roles trust it)
    this.identityPool = section.identityPool.enabled ? this.createIdentityPool(section) : undefined;
    const groups: Record<string, UserPoolGroup> = {};
    const groupRoles: Record<string, Role> = {};
    section.groups.forEach((group, index) => {
      let role: Role | undefined;
      if (group.iamRole && this.identityPool) {
        role = this.identityRole(`GroupRole${index}`, `Authwatch group ${group.name}`);
        groupRoles[group.name] = role;
      }
      groups[group.name] = new UserPoolGroup(this, `Group${index}`, {
        userPool: this.userPool,
        groupName: group.name,
        ...(group.description ? { description: group.description } : {}),
        ...(group.precedence !== undefined ? { precedence: group.precedence } : {}),
        ...(role ? { role } : {}),
      });
    });
    this.groups = groups;
    this.groupRoles = groupRoles;
  }

  /**
   * Attaches a trigger to this pool (pre token generation, custom challenge...). For
   * pre token generation V2/V3 give `UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG`
   * and the LambdaVersion.
   */
  addTrigger(operation: UserPoolOperation, fn: LambdaFunction, version?: LambdaVersion): void {
    this.userPool.addTrigger(operation, fn, version);
  }

  /** A role identity-pool users assume (web identity), with session tags for ABAC. */
  private identityRole(id: string, description: string): Role {
    const pool = this.identityPool;
    if (pool === undefined) throw new Error('identityRole needs the identity pool');
    const conditions = {
      StringEquals: { [`${COGNITO_IDENTITY}:aud`]: pool.identityPoolId },
      'ForAnyValue:StringLike': { [`${COGNITO_IDENTITY}:amr`]: 'authenticated' },
    };
    const role = new Role(this, id, {
      description,
      assumedBy: new FederatedPrincipal(
        COGNITO_IDENTITY,
        conditions,
        'sts:AssumeRoleWithWebIdentity',
      ),
    });
    role.assumeRolePolicy?.addStatements(
      new PolicyStatement({
        actions: ['sts:TagSession'],
        principals: [new FederatedPrincipal(COGNITO_IDENTITY)],
        conditions,
      }),
    );
    return role;
  }

  private createIdentityPool(section: UserPoolSection): IdentityPool {
    const pool = new IdentityPool(this, 'IdentityPool', {
      allowUnauthenticatedIdentities: section.identityPool.allowGuests,
      authenticationProviders: {
        userPools: [
          new UserPoolAuthenticationProvider({
            userPool: this.userPool,
            userPoolClient: this.webClient,
          }),
        ],
      },
      roleMappings: [
        {
          mappingKey: 'userPool',
          providerUrl: IdentityPoolProviderUrl.userPool(this.userPool, this.webClient),
          // The role comes from the ID token's cognito:preferred_role (the user's group
          // with the lowest precedence); a user without one gets the authenticated role.
          useToken: true,
          resolveAmbiguousRoles: true,
        },
      ],
    });
    // Principal tags from claims (ABAC): the roles must allow sts:TagSession.
    new CfnIdentityPoolPrincipalTag(this, 'PrincipalTags', {
      identityPoolId: pool.identityPoolId,
      identityProviderName: this.userPool.userPoolProviderName,
      principalTags: section.identityPool.principalTags,
      useDefaults: false,
    });
    for (const [role, amr] of [
      [pool.authenticatedRole, 'authenticated'],
      [pool.unauthenticatedRole, 'unauthenticated'],
    ] as const) {
      if (role instanceof Role) {
        role.assumeRolePolicy?.addStatements(
          new PolicyStatement({
            actions: ['sts:TagSession'],
            principals: [new FederatedPrincipal(COGNITO_IDENTITY)],
            conditions: {
              StringEquals: { [`${COGNITO_IDENTITY}:aud`]: pool.identityPoolId },
              'ForAnyValue:StringLike': { [`${COGNITO_IDENTITY}:amr`]: amr },
            },
          }),
        );
      }
    }
    if (section.identityPool.allowGuests) {
      Validations.of(pool).acknowledge({
        id: 'AwsSolutions-COG7',
        reason: 'Guest identities are turned on in the config (identityPool.allowGuests)',
      });
    }
    return pool;
  }
}
