import { App, Validations } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { AuthwatchStack, nagFindings, stackNameFor } from '../lib/index.js';

describe('DashboardSite in the Authwatch stack', () => {
  let stack: AuthwatchStack;
  let template: Template;

  beforeAll(() => {
    const app = new App();
    stack = new AuthwatchStack(app, stackNameFor({ envName: 'dev' }), {
      config: loadConfig('dev'),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    template = Template.fromStack(stack);
  });

  it('keeps the page on a private, TLS-only bucket with access logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: {
        DestinationBucketName: Match.anyValue(),
        LogFilePrefix: 'page-bucket/',
      },
    });
    const pageBucket = stack.getLogicalId(stack.dashboard.bucket.node.defaultChild as never);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: pageBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
          }),
        ]),
      },
    });
  });

  it('serves it through CloudFront with origin access control, HTTPS only, and logs', () => {
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
      }),
    });
  });

  it('sends a strict Content-Security-Policy and the other security headers', () => {
    const csp = new Capture();
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: csp, Override: true },
          StrictTransportSecurity: Match.objectLike({ AccessControlMaxAgeSec: 31_536_000 }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        }),
      }),
    });
    const policy = csp.asString();
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain('https://cognito-idp.eu-west-1.amazonaws.com');
    expect(policy).toContain('wss://*.appsync-realtime-api.eu-west-1.amazonaws.com');
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).not.toContain('unsafe-eval');
  });

  it("deploys the page with a config.json of the stack's pool, client, API and live feed", () => {
    const deployment = template.findResources('Custom::CDKBucketDeployment');
    const [resource] = Object.values(deployment) as {
      Properties: {
        SourceMarkersConfig?: unknown;
        SourceMarkers?: unknown[];
        SourceObjectKeys: unknown[];
      };
    }[];
    expect(resource?.Properties.SourceObjectKeys).toHaveLength(2);
    const markers = JSON.stringify(stack.resolve(resource?.Properties.SourceMarkers));
    expect(markers).toContain('UserPool');
    expect(markers).toContain('WebClient');
    expect(markers).toContain('LiveFeed');
    expect(markers).toContain('IdentityPool');
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DistributionPaths: ['/*'],
      Prune: true,
    });
  });

  it('lets the page call the API from its origin (CORS)', () => {
    const origins = new Capture();
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: origins }),
    });
    expect(JSON.stringify(origins.asArray())).toContain('DomainName');
  });

  it("gives the protected API the history settings and only the audit workgroup's queries", () => {
    const fn = stack.getLogicalId(stack.tokenApi.apiFunction.node.defaultChild as never);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SECURITY_GROUP: 'security',
          HISTORY_ENGINE: 'athena',
          HISTORY_ATHENA_WORKGROUP: Match.anyValue(),
          HISTORY_ATHENA_DATABASE: 'authwatch_audit_dev',
        }),
      },
    });
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies)
      .filter(
        (policy) =>
          JSON.stringify(policy).includes(`"${fn}ServiceRole`) ||
          JSON.stringify((policy as { Properties: { Roles: unknown } }).Properties.Roles).includes(
            'ProtectedApi',
          ),
      )
      .flatMap(
        (policy) =>
          (
            policy as {
              Properties: {
                PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] };
              };
            }
          ).Properties.PolicyDocument.Statement,
      );
    const athena = statements.find((statement) =>
      JSON.stringify(statement.Action).includes('athena:StartQueryExecution'),
    );
    expect(athena).toBeDefined();
    expect(JSON.stringify(athena?.Resource)).toContain('workgroup/');
    expect(JSON.stringify(athena?.Resource)).not.toBe('"*"');
  });

  it('outputs the page URL and passes the AwsSolutions checks', () => {
    template.hasOutput('*', { Description: 'The security page' });
    expect(nagFindings(stack.dashboard)).toEqual([]);
    expect(nagFindings(stack)).toEqual([]);
  });
});
