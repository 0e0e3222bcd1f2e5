import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import {
  AuthwatchStack,
  BUNDLE_FILE,
  BUNDLING,
  handlerEntry,
  LAMBDA_RUNTIME,
  nagFindings,
  TracedFunction,
} from '../lib/index.js';

const FIXTURE_ENTRY = join(import.meta.dirname, 'fixtures', 'handler.ts');

describe('TracedFunction', () => {
  let stack: Stack;
  let template: Template;

  beforeAll(() => {
    const app = new App();
    stack = new Stack(app, 'TracedFunctionTest', { env: { region: 'eu-west-1' } });
    new TracedFunction(stack, 'Trigger', {
      entry: FIXTURE_ENTRY,
      serviceName: 'fixture-trigger',
      environment: { FIXTURE_MODE: 'strict', POWERTOOLS_LOG_LEVEL: 'WARN' },
      config: loadConfig('prod'),
    });
    new TracedFunction(stack, 'Api', {
      entry: FIXTURE_ENTRY,
      serviceName: 'fixture-api',
      config: loadConfig('dev'),
      timeout: Duration.seconds(10),
      memorySize: 512,
      reservedConcurrentExecutions: 5,
    });
    template = Template.fromStack(stack);
  });

  it('runs on the latest Node.js runtime, ARM64, with X-Ray active tracing', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: LAMBDA_RUNTIME.name,
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
    });
    expect(LAMBDA_RUNTIME.name).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
  });

  it('defaults to Cognito’s 5-second limit and 256 MB', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'fixture-trigger' }) },
      Timeout: 5,
      MemorySize: 256,
    });
  });

  it('takes memory, timeout and reserved concurrency from its props', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'fixture-api' }) },
      Timeout: 10,
      MemorySize: 512,
      ReservedConcurrentExecutions: 5,
    });
  });

  it('sets the Powertools variables from the config, merged with the caller’s', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'fixture-trigger',
          POWERTOOLS_LOG_LEVEL: 'WARN',
          POWERTOOLS_LOGGER_SAMPLE_RATE: '0.01',
          POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
          POWERTOOLS_METRICS_NAMESPACE: 'Authwatch',
          NODE_OPTIONS: '--enable-source-maps',
          FIXTURE_MODE: 'strict',
        },
      },
    });
  });

  it('writes to its own log group with the environment’s retention and removal policy', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 14 },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^TriggerLogGroup') } },
    });
  });

  it('grants log writes on its own log group only, not through a managed policy', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TriggerLogGroup'), 'Arn'] },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('passes the AwsSolutions checks with every acknowledgement reasoned', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('needs a config: from props or from the enclosing AuthwatchStack', () => {
    const app = new App();
    const bare = new Stack(app, 'Bare');
    expect(
      () => new TracedFunction(bare, 'Orphan', { entry: FIXTURE_ENTRY, serviceName: 'orphan' }),
    ).toThrow(/No Authwatch config at Bare.*AuthwatchStack/);
  });
});

describe('handlerEntry', () => {
  it('resolves a package’s src/<file>.ts from the repo root', () => {
    expect(handlerEntry('kit', 'index')).toBe(
      join(import.meta.dirname, '..', '..', 'packages', 'kit', 'src', 'index.ts'),
    );
  });

  it('fails naming the missing entry', () => {
    expect(() => handlerEntry('no-such-package')).toThrow(
      'Lambda entry packages/no-such-package/src/handler.ts does not exist',
    );
  });

  it('refuses names that are not kebab-case', () => {
    expect(() => handlerEntry('../kit', 'index')).toThrow(/kebab-case/);
  });
});

describe('AuthwatchStack config lookup', () => {
  it('lets a TracedFunction inside it find the stack’s config', () => {
    const app = new App();
    const stack = new AuthwatchStack(app, 'Authwatch-dev', { config: loadConfig('dev') });
    new TracedFunction(stack, 'Inside', { entry: FIXTURE_ENTRY, serviceName: 'inside' });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'DEBUG' }) },
    });
  });
});

describe('TracedFunction command hooks', () => {
  it('runs the caller’s hooks around bundling, e.g. to ship a data file', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'HooksTest');
    const dataFile = join(import.meta.dirname, 'fixtures', 'handler.ts');
    // Act
    const fn = new TracedFunction(stack, 'WithData', {
      entry: FIXTURE_ENTRY,
      serviceName: 'with-data',
      config: loadConfig('dev'),
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        afterBundling: (_inputDir, outputDir) => [`cp ${dataFile} ${outputDir}/data.txt`],
      },
    });
    // Assess
    const assembly = app.synth();
    const [resource] = Object.values(
      Template.fromJSON(assembly.getStackByName('HooksTest').template).findResources(
        'AWS::Lambda::Function',
      ),
    );
    const key = String(resource?.Properties?.Code?.S3Key);
    expect(fn.runtime).toBe(LAMBDA_RUNTIME);
    expect(
      readdirSync(join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`)).sort(),
    ).toEqual(['data.txt', 'index.mjs', 'index.mjs.map']);
  });

  it('bundles with the shared options the benchmark uses: ESM, banner, minified, source map', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'BundleTest');
    new TracedFunction(stack, 'Bundled', {
      entry: FIXTURE_ENTRY,
      serviceName: 'bundled',
      config: loadConfig('dev'),
    });
    // Act
    const assembly = app.synth();
    const [resource] = Object.values(
      Template.fromJSON(assembly.getStackByName('BundleTest').template).findResources(
        'AWS::Lambda::Function',
      ),
    );
    const dir = join(
      assembly.directory,
      `asset.${String(resource?.Properties?.Code?.S3Key).replace(/\.zip$/, '')}`,
    );
    const code = readFileSync(join(dir, BUNDLE_FILE), 'utf8');
    // Assess
    expect(code.startsWith(BUNDLING.banner)).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*as handler\s*\}/);
    expect(code).toContain(`//# sourceMappingURL=${BUNDLE_FILE}.map`);
    expect(code.split('\n').length).toBeLessThanOrEqual(4);
  });
});
