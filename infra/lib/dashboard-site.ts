/**
 * `DashboardSite`: the security page (packages/dashboard) on a private S3 bucket behind
 * CloudFront.
 *
 * - The bucket blocks every public access, enforces TLS, logs its access; only the
 *   distribution reads it, through origin access control (OAC, SigV4-signed requests).
 * - The distribution is HTTPS only (HTTP redirects), logs every request, and sends the
 *   page's security headers (the list in packages/dashboard/server/headers.ts, shared
 *   with the local server): a strict Content-Security-Policy, HSTS, no framing, no
 *   sniffing, no referrer.
 * - The page is built with esbuild while the app synthesises and deployed with a
 *   `config.json` written from this stack's outputs (pool, web client, identity pool,
 *   API, live feed, security group).
 * - The protected API accepts the distribution's origin (CORS), so the page may call it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnApi, HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { EventApi } from 'aws-cdk-lib/aws-appsync';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { contentSecurityPolicy, writePageSync } from '../../packages/dashboard/server/index.js';
import type { AuthwatchConfig } from '../config/index.js';
import { auditDatabaseName } from './audit-stream.js';
import { grantHistory, type HistoryAccessProps } from './history-access.js';

export interface DashboardSiteProps {
  config: AuthwatchConfig;
  userPool: IUserPool;
  /** The page signs in with the web client (SRP and the email-code custom flow). */
  webClient: IUserPoolClient;
  /** The identity pool whose security-group role may subscribe to the live feed. */
  identityPoolId?: string;
  /** The protected API: its URL goes in config.json and its CORS accepts the page. */
  httpApi: HttpApi;
  apiUrl: string;
  /** Origins the API already accepts (the config's `api.cors.allowOrigins`). */
  apiAllowOrigins: readonly string[];
  /** The live feed's Event API. */
  eventApi: EventApi;
  /** The group whose members may use the page (`audit.subscriberGroup`). */
  securityGroup: string;
  /** A folder with the built page instead of building it now (tests). */
  pageDir?: string;
}

/** The live feed's channels, as the audit stream publishes them. */
export const DASHBOARD_CHANNELS = { signIn: '/auth/sign-in', detections: '/auth/detections' };

/** What `forStack` reads of the Authwatch stack. */
interface StackParts {
  userPool: {
    userPool: IUserPool;
    webClient: IUserPoolClient;
    identityPool?: { identityPoolId: string } | undefined;
  };
  tokenApi: {
    apiFunction: LambdaFunction;
    httpApi: HttpApi;
    stage: { url: string };
    api: { cors: { allowOrigins: readonly string[] } };
  };
  audit: HistoryAccessProps['audit'] & { eventApi: EventApi };
}

export class DashboardSite extends Construct {
  /** The page of an Authwatch stack, wired to its pool, API and live feed. */
  static forStack(
    scope: Construct & StackParts,
    id: string,
    config: AuthwatchConfig,
  ): DashboardSite {
    const { userPool, tokenApi, audit } = scope;
    // The page's history routes run on Athena over the audit table.
    grantHistory(tokenApi.apiFunction, {
      audit,
      databaseName: auditDatabaseName(config.envName),
    });
    return new DashboardSite(scope, id, {
      config,
      userPool: userPool.userPool,
      webClient: userPool.webClient,
      ...(userPool.identityPool ? { identityPoolId: userPool.identityPool.identityPoolId } : {}),
      httpApi: tokenApi.httpApi,
      apiUrl: tokenApi.stage.url,
      apiAllowOrigins: tokenApi.api.cors.allowOrigins,
      eventApi: audit.eventApi,
      securityGroup: audit.settings.subscriberGroup,
    });
  }

  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeaders: cloudfront.ResponseHeadersPolicy;
  readonly deployment: deploy.BucketDeployment;
  /** `https://<distribution domain>`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    const { config } = props;
    const region = Stack.of(this).region;
    const removalPolicy =
      config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // CloudFront's standard logs need ACLs on their bucket (object writer ownership).
    this.logBucket = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "This is the page's log bucket (CloudFront and S3 access logs); logging it into itself would loop",
    });

    this.bucket = new s3.Bucket(this, 'Page', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'page-bucket/',
      removalPolicy,
    });

    // The CSP names every origin the page calls. The API and the live feed are named by
    // their region's service domains: naming this API's own host would make the
    // distribution depend on the API while the API's CORS depends on the distribution.
    const csp = contentSecurityPolicy({
      connect: [
        `https://cognito-idp.${region}.amazonaws.com`,
        `https://cognito-identity.${region}.amazonaws.com`,
        `https://*.execute-api.${region}.amazonaws.com`,
        `wss://*.appsync-realtime-api.${region}.amazonaws.com`,
      ],
    });
    this.responseHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Authwatch security page: strict CSP, HSTS, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=()',
            override: true,
          },
        ],
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Authwatch security page (${config.envName})`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeaders,
        compress: true,
      },
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    for (const [rule, reason] of [
      [
        'AwsSolutions-CFR1',
        'The security team may work from anywhere; sign-in with the user pool guards the page and its data',
      ],
      [
        'AwsSolutions-CFR2',
        'A static page of public code; its data comes from the API and live feed, which check the caller token',
      ],
      [
        'AwsSolutions-CFR4',
        'The default *.cloudfront.net certificate allows older TLS to viewers; a custom domain with a certificate enforces TLSv1.2_2021 (minimumProtocolVersion is set)',
      ],
    ] as const) {
      Validations.of(this.distribution).acknowledge({ id: rule, reason });
    }
    this.url = `https://${this.distribution.distributionDomainName}`;

    // The API accepts calls from the page's origin too.
    const api = props.httpApi.node.defaultChild as CfnApi;
    api.addPropertyOverride('CorsConfiguration.AllowOrigins', [
      ...props.apiAllowOrigins.filter((origin) => origin !== '*'),
      this.url,
    ]);

    const pageConfig = {
      region,
      userPoolId: props.userPool.userPoolId,
      clientId: props.webClient.userPoolClientId,
      cognitoEndpoint: `https://cognito-idp.${region}.amazonaws.com/`,
      apiUrl: props.apiUrl,
      liveFeed: {
        httpHost: props.eventApi.httpDns,
        realtimeUrl: `wss://${props.eventApi.realtimeDns}/event/realtime`,
        channels: DASHBOARD_CHANNELS,
        // The security group's identity-pool role subscribes (SigV4): the feed cannot
        // trust this pool's tokens directly (see AuditStream.allowSubscribers).
        ...(props.identityPoolId
          ? { auth: 'iam', identityPoolId: props.identityPoolId }
          : { auth: 'cognito' }),
      },
      securityGroup: props.securityGroup,
      signIn: ['password', 'email-code'],
    };
    const pageDir = props.pageDir ?? mkdtempSync(join(tmpdir(), 'authwatch-page-'));
    if (!props.pageDir) writePageSync(pageDir);
    this.deployment = new deploy.BucketDeployment(this, 'Deploy', {
      sources: [deploy.Source.asset(pageDir), deploy.Source.jsonData('config.json', pageConfig)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // Small files: always revalidated, so a deploy is seen at the next load.
      cacheControl: [deploy.CacheControl.noCache()],
      prune: true,
      memoryLimit: 256,
    });
    // BucketDeployment's handler is one function per stack (CDK's singleton), outside this
    // construct: its findings are acknowledged on it, each with its reason.
    const stack = Stack.of(this);
    const handler = stack.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    const pageBucketId = stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const copies =
      'BucketDeployment copies the page from the CDK asset bucket into this page bucket';
    for (const [rule, reason] of [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's BucketDeployment handler writes its logs with the basic execution role",
      ],
      ['AwsSolutions-IAM5[Action::s3:GetObject*]', copies],
      ['AwsSolutions-IAM5[Action::s3:GetBucket*]', copies],
      ['AwsSolutions-IAM5[Action::s3:List*]', copies],
      ['AwsSolutions-IAM5[Action::s3:DeleteObject*]', `${copies}, pruning old files`],
      ['AwsSolutions-IAM5[Action::s3:Abort*]', copies],
      [
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${stack.region}/*]`,
        "The CDK bootstrap asset bucket's objects, read-only: the page's asset is one of them",
      ],
      [`AwsSolutions-IAM5[Resource::<${pageBucketId}.Arn>/*]`, 'Every file of the page bucket'],
      [
        'AwsSolutions-IAM5[Resource::*]',
        'cloudfront:CreateInvalidation and GetInvalidation support no resource-level permissions',
      ],
      ['AwsSolutions-L1', "CDK's BucketDeployment handler runtime is chosen by aws-cdk-lib"],
    ] as const) {
      Validations.of(handler ?? this.deployment).acknowledge({ id: rule, reason });
    }

    new CfnOutput(this, 'DashboardUrl', { value: this.url, description: 'The security page' });
  }
}
