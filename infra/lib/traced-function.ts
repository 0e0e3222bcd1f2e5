/**
 * `TracedFunction`: the one way Authwatch deploys a Lambda. A NodejsFunction on the
 * latest Node.js runtime, ARM64, X-Ray active, with its own log group (retention and
 * removal policy from the typed config), source maps, and the Powertools environment
 * from the config merged with the caller's variables.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type ICommandHooks, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { BaseConfig } from '../config/index.js';
import { BUNDLING, ensureLocalEsbuild, LOCKFILE, NODE_MAJOR, REPO_ROOT } from './bundling.js';
import { powertoolsEnvironment } from './environment.js';

export { powertoolsEnvironment };

/** Context key under which a stack makes its config visible to every construct in it. */
export const CONFIG_CONTEXT_KEY = 'authwatch:config';

/** The Lambda runtime matching {@link NODE_MAJOR}. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
if (LAMBDA_RUNTIME.name !== `nodejs${NODE_MAJOR}.x`) {
  throw new Error(`LAMBDA_RUNTIME ${LAMBDA_RUNTIME.name} does not match NODE_MAJOR ${NODE_MAJOR}`);
}

/** Cognito waits 5 s for a trigger; a Lambda that runs longer only burns money. */
export const COGNITO_TRIGGER_TIMEOUT = Duration.seconds(5);

/** Default memory: 256 MB is enough for a trigger and keeps cold starts short on ARM64. */
export const DEFAULT_MEMORY_MB = 256;

export interface TracedFunctionProps {
  /** Absolute path of the entry file; use `handlerEntry('<pkg>')`. */
  entry: string;
  /** Exported handler name (default `handler`). */
  handler?: string;
  /** POWERTOOLS_SERVICE_NAME: the name the logs, traces and metrics carry. */
  serviceName: string;
  /** The handler's own variables (names from its package's exported env constants). */
  environment?: Record<string, string>;
  /** The typed config; by default the one the enclosing AuthwatchStack set. */
  config?: BaseConfig;
  /** Memory in MB (default {@link DEFAULT_MEMORY_MB}). */
  memorySize?: number;
  /** Timeout (default 5 s, Cognito's trigger limit). */
  timeout?: Duration;
  /** Reserved concurrency; unset leaves the function in the account's pool. */
  reservedConcurrentExecutions?: number;
  /** Function description shown in the console. */
  description?: string;
  /**
   * Shell commands run around bundling, e.g. to copy a data file next to the bundle:
   * `afterBundling: (_in, out) => [\`cp ${rulesFile} ${out}/claims-rules.yaml\`]`.
   * The JavaScript bundle itself is always built with the shared options.
   */
  commandHooks?: ICommandHooks;
}

/** The typed config visible at `scope`, from the enclosing stack's context. */
export function configOf(scope: Construct): BaseConfig {
  const config = scope.node.tryGetContext(CONFIG_CONTEXT_KEY) as BaseConfig | undefined;
  if (config === undefined) {
    throw new Error(
      `No Authwatch config at ${scope.node.path}: build it inside an AuthwatchStack or pass props.config`,
    );
  }
  return config;
}

export class TracedFunction extends NodejsFunction {
  /** The function's own log group (also `this.logGroup`, typed as ILogGroup there). */
  readonly functionLogGroup: LogGroup;
  /** POWERTOOLS_SERVICE_NAME: the `service` dimension of the function's metrics. */
  readonly serviceName: string;

  constructor(scope: Construct, id: string, props: TracedFunctionProps) {
    const config = props.config ?? configOf(scope);
    ensureLocalEsbuild();
    // The log group is created first so the function writes only to it, with the
    // retention and removal policy of its environment.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: config.logRetentionDays as RetentionDays,
      removalPolicy:
        config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Our own role instead of the AWSLambdaBasicExecutionRole managed policy: the
    // function may write only to its own log group.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
    });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    super(scope, id, {
      role,
      entry: props.entry,
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? COGNITO_TRIGGER_TIMEOUT,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logGroup,
      projectRoot: REPO_ROOT,
      depsLockFilePath: LOCKFILE,
      environment: { ...powertoolsEnvironment(config, props.serviceName), ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLING.target,
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourceMap,
        sourcesContent: BUNDLING.sourcesContent,
        mainFields: [...BUNDLING.mainFields],
        externalModules: [...BUNDLING.externalModules],
        banner: BUNDLING.banner,
        forceDockerBundling: false,
        commandHooks: props.commandHooks,
      },
    });
    this.serviceName = props.serviceName;
    this.functionLogGroup = logGroup;
    // X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level
    // permissions, so Tracing.ACTIVE can only grant them on "*".
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions',
    });
  }
}
