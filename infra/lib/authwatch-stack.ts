/**
 * The Authwatch stack of one environment. It composes one construct per concern, each
 * in its own file; this file only wires them together.
 */
import { Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AuthwatchConfig } from '../config/index.js';
import { wireAdminChanges } from './admin-changes.js';
import { AuditStream } from './audit-stream.js';
import { CustomAuth } from './custom-auth.js';
import { DashboardSite } from './dashboard-site.js';
import { Detections } from './detections.js';
import { SignInWatch } from './sign-in-watch.js';
import { stagingSiteAuthFromConfig } from './staging-site-auth.js';
import { TokenApi } from './token-api.js';
import { CONFIG_CONTEXT_KEY } from './traced-function.js';
import { UserImportRole } from './user-import-role.js';
import { AuthwatchUserPool } from './user-pool.js';

export interface AuthwatchStackProps extends StackProps {
  /** The validated config of this environment (`loadConfig(envName)`). */
  config: AuthwatchConfig;
}

/** The stack name of an environment, e.g. `Authwatch-dev`. */
export function stackNameFor(config: Pick<AuthwatchConfig, 'envName'>): string {
  return `Authwatch-${config.envName}`;
}

export class AuthwatchStack extends Stack {
  readonly config: AuthwatchConfig;
  /** The audit stream; triggers call `audit.grantEmit(fn)`. */
  readonly audit: AuditStream;
  /** The user pool, its clients and triggers; other concerns wire their triggers to it. */
  readonly userPool: AuthwatchUserPool;
  /** The email-OTP custom challenge triggers, when the config has its section. */
  readonly customAuth: CustomAuth | undefined;
  /** The pre token generation trigger (claims rules) and the protected HTTP API. */
  readonly tokenApi: TokenApi;
  /** Every sign-in attempt: the pre authentication trigger and Cognito's CloudTrail records. */
  readonly signInWatch: SignInWatch;
  /** The scheduled detections (rules on Athena, findings, alerts, responses). */
  readonly detections: Detections | undefined;
  /** The security page behind CloudFront. */
  readonly dashboard: DashboardSite;

  constructor(scope: Construct, id: string, props: AuthwatchStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: `Authwatch (${config.envName}): Cognito triggers, audit stream and token API`,
      env: { account: config.account, region: config.region },
      ...stackProps,
    });
    this.config = config;
    // Every construct below finds the config with configOf(this) (TracedFunction does).
    this.node.setContext(CONFIG_CONTEXT_KEY, config);
    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);

    // ── Concerns: one construct each, in its own file under lib/. Add ONE line per
    // construct below (in this order, as they depend on one another), e.g.
    //   const audit = new AuditStream(this, 'Audit', { config });
    //   const userPool = new UserPool(this, 'UserPool', { config, audit });
    //   new CustomAuth(this, 'CustomAuth', { config, audit, userPool });
    //   new TokenApi(this, 'TokenApi', { config, userPool });
    const audit = new AuditStream(this, 'Audit', { config });
    this.audit = audit;
    this.userPool = new AuthwatchUserPool(this, 'UserPool', { config, audit });
    // Members of the security group watch the live feed with their identity-pool role.
    const watchers = this.userPool.groupRoles[audit.settings.subscriberGroup];
    if (watchers) audit.grantSubscribe(watchers);
    this.customAuth = config.customChallenge
      ? new CustomAuth(this, 'CustomAuth', {
          config,
          audit,
          userPool: this.userPool.userPool,
          ...(this.userPool.mailIdentityArn
            ? { sesIdentityArn: this.userPool.mailIdentityArn }
            : {}),
          ...(this.userPool.configurationSet
            ? { configurationSetName: this.userPool.configurationSet.configurationSetName }
            : {}),
        })
      : undefined;
    const { webClient, machineClient } = this.userPool;
    this.tokenApi = new TokenApi(this, 'TokenApi', {
      config,
      audit,
      userPool: this.userPool.userPool,
      clients: machineClient ? [webClient, machineClient] : [webClient],
      machineClient: machineClient !== undefined,
    });
    this.signInWatch = new SignInWatch(this, 'SignInWatch', {
      config,
      audit,
      userPool: this.userPool.userPool,
      clients: {
        web: webClient.userPoolClientId,
        ...(machineClient ? { machine: machineClient.userPoolClientId } : {}),
      },
      accessLogsBucket: audit.accessLogsBucket,
    });
    this.detections =
      config.detections?.enabled === false
        ? undefined
        : new Detections(this, 'Detections', { config, audit, userPool: this.userPool.userPool });
    new UserImportRole(this, 'UserImport', { userPool: this.userPool.userPool });
    stagingSiteAuthFromConfig(this, config, this.userPool.userPool, this.userPool.domain);
    this.dashboard = DashboardSite.forStack(this, 'Dashboard', config);
    wireAdminChanges(this, {
      config,
      userPool: this.userPool,
      customAuth: this.customAuth,
      tokenApi: this.tokenApi,
      signInWatch: this.signInWatch,
      detections: this.detections,
    });
    // ── end of concerns
  }
}
