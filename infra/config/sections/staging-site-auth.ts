/**
 * The stagingSiteAuth section: Cognito sign-in in front of a site on an existing
 * Application Load Balancer (an HTTPS listener rule with the authenticate-cognito
 * action, then forward to the site's target group). Off unless the section is set with
 * `enabled: true`. Plain data (no aws-cdk-lib): the construct `StagingSiteAuth` reads it.
 */
import * as z from 'zod';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const LISTENER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+$/;
const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[\w-]+\/[0-9a-f]+$/;

export const StagingSiteAuthSectionSchema = z
  .object({
    /** Deploy the listener rule and its app client (off by default). */
    enabled: z.boolean().default(false),
    /** The site's host name; the ALB callback is `https://<siteDomain>/oauth2/idpresponse`. */
    siteDomain: z.string().regex(HOSTNAME, 'must be a host name like staging.example.com'),
    /** The ALB's existing HTTPS listener (authenticate-cognito works on HTTPS listeners only). */
    listenerArn: z.string().regex(LISTENER_ARN, 'must be an ALB listener ARN'),
    /** The security group of the load balancer (its egress to Cognito's endpoints is allowed). */
    loadBalancerSecurityGroupId: z
      .string()
      .regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id'),
    /** The site's target group, where authenticated requests are forwarded. */
    targetGroupArn: z.string().regex(TARGET_GROUP_ARN, 'must be an ALB target group ARN'),
    /** The rule's priority on the listener (1 to 50,000, unique on the listener). */
    priority: z.number().int().min(1).max(50_000),
    /** Path patterns the rule covers (default every path of the site's host). */
    pathPatterns: z.array(z.string().min(1).max(128)).max(5).default(['/*']),
    /** OAuth scopes the load balancer asks for (`openid` is always needed). */
    scopes: z
      .array(z.string().min(1))
      .default(['openid', 'email'])
      .refine((scopes) => scopes.includes('openid'), 'must include openid'),
    /** Name of the load balancer's session cookie. */
    sessionCookieName: z
      .string()
      .regex(/^[\w!#$%&'*+.^`|~-]+$/, 'must be a cookie name')
      .default('AWSELBAuthSessionCookie'),
    /** Session lifetime, seconds (the load balancer allows 1 to 604,800: seven days). */
    sessionTimeoutSeconds: z.number().int().min(1).max(604_800).default(28_800),
    /** What to do with an unauthenticated request: sign in, let it through, or refuse it (401). */
    onUnauthenticatedRequest: z.enum(['authenticate', 'allow', 'deny']).default('authenticate'),
  })
  .strict();

export type StagingSiteAuthSection = z.output<typeof StagingSiteAuthSectionSchema>;
