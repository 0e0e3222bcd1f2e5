/**
 * `StagingSiteAuth`: Cognito sign-in in front of a site on an existing Application Load
 * Balancer. An HTTPS listener rule for the site's host runs the `authenticate-cognito`
 * action (this pool, its domain, a dedicated app client with a secret and the load
 * balancer's callback `https://<site>/oauth2/idpresponse`, the scopes, the session
 * cookie and its lifetime, what to do with an unauthenticated request), then forwards
 * to the site's target group (Elastic Load Balancing User Guide, "Authenticate users
 * using an Application Load Balancer").
 */
import { CfnOutput, Duration } from 'aws-cdk-lib';
import {
  type IUserPool,
  type IUserPoolDomain,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import { SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationListener,
  ApplicationListenerRule,
  ApplicationTargetGroup,
  type IApplicationListener,
  type IApplicationTargetGroup,
  ListenerAction,
  ListenerCondition,
  UnauthenticatedAction,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AuthenticateCognitoAction } from 'aws-cdk-lib/aws-elasticloadbalancingv2-actions';
import { Construct } from 'constructs';
import type { AuthwatchConfig } from '../config/index.js';
import type { StagingSiteAuthSection } from '../config/sections/staging-site-auth.js';

export interface StagingSiteAuthProps {
  userPool: IUserPool;
  /** The pool's domain: the load balancer sends browsers to its hosted sign-in. */
  domain: IUserPoolDomain;
  /** The load balancer's HTTPS listener. */
  listener: IApplicationListener;
  /** Where authenticated requests go. */
  targetGroup: IApplicationTargetGroup;
  siteDomain: string;
  priority: number;
  pathPatterns?: string[];
  /** Default `openid email`. */
  scopes?: string[];
  sessionCookieName?: string;
  sessionTimeout?: Duration;
  onUnauthenticatedRequest?: 'authenticate' | 'allow' | 'deny';
}

const UNAUTHENTICATED: Record<string, UnauthenticatedAction> = {
  authenticate: UnauthenticatedAction.AUTHENTICATE,
  allow: UnauthenticatedAction.ALLOW,
  deny: UnauthenticatedAction.DENY,
};

/** `openid` → OAuthScope.OPENID; a resource-server scope (`api/read`) passes through. */
function oauthScope(name: string): OAuthScope {
  const standard: Record<string, OAuthScope> = {
    openid: OAuthScope.OPENID,
    email: OAuthScope.EMAIL,
    phone: OAuthScope.PHONE,
    profile: OAuthScope.PROFILE,
    'aws.cognito.signin.user.admin': OAuthScope.COGNITO_ADMIN,
  };
  return standard[name] ?? OAuthScope.custom(name);
}

export class StagingSiteAuth extends Construct {
  /** The load balancer's own app client (with a secret the load balancer keeps). */
  readonly client: UserPoolClient;
  readonly rule: ApplicationListenerRule;
  /** `https://<site>/oauth2/idpresponse`. */
  readonly callbackUrl: string;

  constructor(scope: Construct, id: string, props: StagingSiteAuthProps) {
    super(scope, id);
    const scopes = props.scopes ?? ['openid', 'email'];
    this.callbackUrl = `https://${props.siteDomain}/oauth2/idpresponse`;
    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: `staging-site-${props.siteDomain}`,
      // The load balancer exchanges the code at the token endpoint with this secret.
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: scopes.map(oauthScope),
        callbackUrls: [this.callbackUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
    this.rule = new ApplicationListenerRule(this, 'Rule', {
      listener: props.listener,
      priority: props.priority,
      conditions: [
        ListenerCondition.hostHeaders([props.siteDomain]),
        ListenerCondition.pathPatterns(props.pathPatterns ?? ['/*']),
      ],
      action: new AuthenticateCognitoAction({
        userPool: props.userPool,
        userPoolClient: this.client,
        userPoolDomain: props.domain,
        scope: scopes.join(' '),
        sessionCookieName: props.sessionCookieName ?? 'AWSELBAuthSessionCookie',
        sessionTimeout: props.sessionTimeout ?? Duration.hours(8),
        onUnauthenticatedRequest: UNAUTHENTICATED[props.onUnauthenticatedRequest ?? 'authenticate'],
        next: ListenerAction.forward([props.targetGroup]),
      }),
    });
    new CfnOutput(this, 'CallbackUrl', { value: this.callbackUrl });
  }
}

/**
 * The construct from the config's `stagingSiteAuth` section, on the listener and target
 * group it names; nothing when the section is absent or not enabled.
 */
export function stagingSiteAuthFromConfig(
  scope: Construct,
  config: Pick<AuthwatchConfig, 'stagingSiteAuth'>,
  userPool: IUserPool,
  domain: IUserPoolDomain,
): StagingSiteAuth | undefined {
  const section: StagingSiteAuthSection | undefined = config.stagingSiteAuth;
  if (!section?.enabled) return undefined;
  const listener = ApplicationListener.fromApplicationListenerAttributes(
    scope,
    'StagingSiteListener',
    {
      listenerArn: section.listenerArn,
      securityGroup: SecurityGroup.fromSecurityGroupId(
        scope,
        'StagingSiteLoadBalancerSecurityGroup',
        section.loadBalancerSecurityGroupId,
        // Not assumed open: the action's HTTPS egress to Cognito is added as its own rule.
        { allowAllOutbound: false },
      ),
    },
  );
  const targetGroup = ApplicationTargetGroup.fromTargetGroupAttributes(
    scope,
    'StagingSiteTargets',
    {
      targetGroupArn: section.targetGroupArn,
    },
  );
  return new StagingSiteAuth(scope, 'StagingSiteAuth', {
    userPool,
    domain,
    listener,
    targetGroup,
    siteDomain: section.siteDomain,
    priority: section.priority,
    pathPatterns: section.pathPatterns,
    scopes: section.scopes,
    sessionCookieName: section.sessionCookieName,
    sessionTimeout: Duration.seconds(section.sessionTimeoutSeconds),
    onUnauthenticatedRequest: section.onUnauthenticatedRequest,
  });
}
