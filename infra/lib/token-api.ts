/**
 * `TokenApi`: the claims policy and the API that enforces it.
 *
 * - The pre token generation trigger, its rules file LOADED AND VALIDATED AT SYNTH with
 *   the package's own loader (a bad file throws, so `pnpm synth` fails), shipped in a
 *   Lambda layer (`/opt/claims-rules/...`, read once at cold start through
 *   CLAIMS_RULES_FILE), wired to the user pool as LambdaVersion V2_0, or V3_0 when a
 *   machine client exists so client-credentials tokens are customised too.
 * - An HTTP API whose JWT authorizer trusts the pool's issuer for the web and machine
 *   clients, with one route per entry of the protected API's route table and that
 *   route's scopes as authorizationScopes; access logs, stage throttling, CORS from config.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { AUDIT_ENV } from '@authwatch/audit';
import {
  COMPILED_RULES_FILE_NAME,
  formatProblem,
  type LoadedRules,
  loadRulesFile,
  PRE_TOKEN_ENV,
  precompileRules,
  type TriggerVersion,
} from '@authwatch/pre-token-generation';
import { ROUTES } from '@authwatch/protected-api';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  type IUserPoolClient,
  LambdaVersion,
  type UserPool,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import {
  Architecture,
  Code,
  type Function as LambdaFunction,
  LayerVersion,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AuthwatchConfig } from '../config/index.js';
import { type ApiSection, apiSectionOf } from '../config/sections/api.js';
import {
  type ClaimsSection,
  claimsEnvironment,
  claimsSectionOf,
  claimsTriggerVersion,
} from '../config/sections/claims.js';
import { REPO_ROOT } from './bundling.js';
import { handlerEntry } from './entries.js';
import { LAMBDA_RUNTIME, TracedFunction } from './traced-function.js';

/** What TokenApi needs of the audit construct: its grant. */
export interface TokenApiAuditGrant {
  grantEmit(fn: LambdaFunction): void;
}

export interface TokenApiProps {
  /** The environment's config (its `claims` and `api` sections; defaults when unset). */
  config: AuthwatchConfig;
  /** The user pool: the trigger is added to it, its issuer is the authorizer's. */
  userPool: UserPool;
  /** App clients whose tokens the API accepts (the JWT audience): the web and machine clients. */
  clients: IUserPoolClient[];
  /** A client-credentials client exists: the trigger runs as V3_0 (unless the section says otherwise). */
  machineClient?: boolean;
  /** The audit stream; without it the trigger runs with auditing off (AUDIT_ENABLED=false). */
  audit?: TokenApiAuditGrant;
  /** An absolute rules file instead of the section's (tests). */
  rulesFile?: string;
}

/** POWERTOOLS_SERVICE_NAME of the two functions. */
export const PRE_TOKEN_SERVICE = 'pre-token-generation';
export const PROTECTED_API_SERVICE = 'protected-api';

/** Where the rules layer puts the file in the function (layers unpack under /opt). */
export const RULES_LAYER_DIR = '/opt/claims-rules';

/** The rules file's absolute path: the override, else the section's (relative to the repository). */
export function rulesFileOf(section: ClaimsSection, override?: string): string {
  const file = override ?? section.rulesFile;
  return isAbsolute(file) ? file : resolve(REPO_ROOT, file);
}

/**
 * Loads and validates the rules at synth. Throws the loader's RulesError, which lists
 * every problem with its rule and field, so the synth (and `pnpm synth`) fails.
 */
export function validateClaimsRules(file: string, version: TriggerVersion): LoadedRules {
  return loadRulesFile(file, { triggerVersion: version, source: file });
}

/** Every IAM role ARN the rules write (iamRoles, preferredRole, roleMapping). */
export function rolesOf(rules: LoadedRules): string[] {
  return rules.file.rules.flatMap((rule) => [
    ...(rule.then.iamRoles ?? []),
    ...(typeof rule.then.preferredRole === 'string' ? [rule.then.preferredRole] : []),
    ...Object.values(rule.then.roleMapping ?? {}),
  ]);
}

/** The access log line: request facts and the caller's subject, never a header or token. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  sub: '$context.authorizer.claims.sub',
  clientId: '$context.authorizer.claims.client_id',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
});

export class TokenApi extends Construct {
  readonly claims: ClaimsSection;
  readonly api: ApiSection;
  /** The validated rules, as loaded at synth. */
  readonly rules: LoadedRules;
  readonly triggerVersion: TriggerVersion;
  readonly rulesLayer: LayerVersion;
  readonly preTokenFunction: TracedFunction;
  readonly apiFunction: TracedFunction;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;
  readonly authorizer: HttpJwtAuthorizer;

  constructor(scope: Construct, id: string, props: TokenApiProps) {
    super(scope, id);
    const { config } = props;
    this.claims = claimsSectionOf(config.claims);
    this.api = apiSectionOf(config.api);
    this.triggerVersion = claimsTriggerVersion(this.claims, props.machineClient ?? false);

    // ── The rules: validated now, so a bad file fails the synth, not a sign-in.
    const rulesFile = rulesFileOf(this.claims, props.rulesFile);
    this.rules = validateClaimsRules(rulesFile, this.triggerVersion);
    for (const warning of this.rules.warnings) {
      Annotations.of(this).addWarningV2('authwatch:claims-rules', formatProblem(warning));
    }
    const account = Stack.of(this).account;
    if (!Token.isUnresolved(account)) {
      const foreign = rolesOf(this.rules).filter((arn) => arn.split(':')[4] !== account);
      if (foreign.length > 0) {
        Annotations.of(this).addWarningV2(
          'authwatch:claims-roles',
          `the claims rules map groups to IAM roles outside account ${account} (${[...new Set(foreign)].join(', ')}): the identity pool cannot assume them; use the roles of this deployment`,
        );
      }
    }
    const fileName = `rules${extname(rulesFile).toLowerCase()}`;
    const staging = mkdtempSync(join(tmpdir(), 'authwatch-claims-'));
    mkdirSync(join(staging, 'claims-rules'));
    writeFileSync(join(staging, 'claims-rules', fileName), readFileSync(rulesFile));
    // The rules as validated above, read by the trigger instead of the file: its cold
    // start then neither parses YAML nor validates (see precompiled.ts).
    writeFileSync(
      join(staging, 'claims-rules', COMPILED_RULES_FILE_NAME),
      precompileRules(this.rules),
    );
    this.rulesLayer = new LayerVersion(this, 'ClaimsRules', {
      code: Code.fromAsset(staging),
      compatibleRuntimes: [LAMBDA_RUNTIME],
      compatibleArchitectures: [Architecture.ARM_64],
      description: `Authwatch claims rules (${this.rules.file.rules.length} rules, validated for ${this.triggerVersion})`,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // ── The trigger.
    this.preTokenFunction = new TracedFunction(this, 'PreTokenGeneration', {
      entry: handlerEntry('pre-token-generation'),
      serviceName: PRE_TOKEN_SERVICE,
      description: 'Pre token generation: claims and scopes from the rules file',
      memorySize: this.claims.memorySize,
      environment: {
        [PRE_TOKEN_ENV.rulesFile]: `${RULES_LAYER_DIR}/${fileName}`,
        [PRE_TOKEN_ENV.compiledRulesFile]: `${RULES_LAYER_DIR}/${COMPILED_RULES_FILE_NAME}`,
        ...claimsEnvironment(this.claims, this.triggerVersion),
        ...(props.audit ? {} : { [AUDIT_ENV.enabled]: 'false' }),
      },
    });
    this.preTokenFunction.addLayers(this.rulesLayer);
    props.audit?.grantEmit(this.preTokenFunction);
    props.userPool.addTrigger(
      UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.preTokenFunction,
      LambdaVersion[this.triggerVersion],
    );

    // ── The API.
    this.apiFunction = new TracedFunction(this, 'ProtectedApi', {
      entry: handlerEntry('protected-api'),
      serviceName: PROTECTED_API_SERVICE,
      description: 'The API behind the JWT authorizer',
      memorySize: this.api.memorySize,
      timeout: Duration.seconds(10),
    });
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as RetentionDays,
      removalPolicy:
        config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const { cors, throttling } = this.api;
    const methods = [...new Set(ROUTES.map((route) => route.method))];
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `authwatch-${config.envName}`,
      description: `Authwatch protected API (${config.envName})`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: cors.allowOrigins,
        allowHeaders: cors.allowHeaders,
        allowMethods: [...methods.map((method) => CorsHttpMethod[method]), CorsHttpMethod.OPTIONS],
        allowCredentials: cors.allowCredentials,
        maxAge: Duration.seconds(cors.maxAgeSeconds),
      },
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: throttling.rateLimit, burstLimit: throttling.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    this.authorizer = new HttpJwtAuthorizer('CognitoJwt', props.userPool.userPoolProviderUrl, {
      authorizerName: 'cognito-user-pool',
      identitySource: ['$request.header.Authorization'],
      jwtAudience: props.clients.map((client) => client.userPoolClientId),
    });
    const integration = new HttpLambdaIntegration('ProtectedApiIntegration', this.apiFunction);
    for (const route of ROUTES) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: this.authorizer,
        authorizationScopes: route.scopes.length > 0 ? [...route.scopes] : undefined,
      });
    }
    new CfnOutput(this, 'ApiUrl', { value: this.stage.url, description: 'The protected API' });
  }
}
