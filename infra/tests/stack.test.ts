import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { AuthwatchStack, CONFIG_CONTEXT_KEY, nagFindings, stackNameFor } from '../lib/index.js';

describe('AuthwatchStack', () => {
  let app: App;
  let stack: AuthwatchStack;
  let template: Template;

  beforeAll(() => {
    app = new App();
    stack = new AuthwatchStack(app, stackNameFor({ envName: 'dev' }), {
      config: loadConfig('dev'),
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    template = Template.fromStack(stack);
  });

  it('is named after its environment and deploys to the configured region', () => {
    expect(stack.stackName).toBe('Authwatch-dev');
    expect(stack.region).toBe('eu-west-1');
  });

  it('makes its config visible to the constructs inside it', () => {
    expect(stack.node.tryGetContext(CONFIG_CONTEXT_KEY)).toMatchObject({ envName: 'dev' });
  });

  it('synthesises a template described with its environment', () => {
    expect(template.toJSON()).toMatchObject({ Description: expect.stringContaining('(dev)') });
  });

  it('tags every resource with the configured tags', () => {
    const config = loadConfig('dev');
    expect(stack.tags.tagValues()).toMatchObject(config.tags);
  });

  it('passes the AwsSolutions checks with every acknowledgement reasoned', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('registers cdk-nag as a validation plugin of the app', () => {
    expect(app._validationPlugins.map((plugin) => plugin.name)).toContain('AwsSolutions');
  });

  it('alarms on audit fallback lines of every function that audits, by its service name', () => {
    // Prepare
    type Fn = { Properties: { Environment?: { Variables?: Record<string, unknown> } } };
    type Alarm = {
      Properties: {
        MetricName?: string;
        Namespace?: string;
        Dimensions?: { Name: string; Value: unknown }[];
      };
    };
    const auditing = Object.values(
      template.findResources('AWS::Lambda::Function') as Record<string, Fn>,
    )
      .map((fn) => fn.Properties.Environment?.Variables ?? {})
      .filter((variables) => variables.AUDIT_STREAM_NAME !== undefined)
      .map((variables) => variables.POWERTOOLS_SERVICE_NAME);

    // Act
    const alarmed = Object.values(
      template.findResources('AWS::CloudWatch::Alarm') as Record<string, Alarm>,
    )
      .filter(
        (alarm) =>
          alarm.Properties.MetricName === 'AuditFallback' &&
          alarm.Properties.Namespace === 'Authwatch',
      )
      .map((alarm) => alarm.Properties.Dimensions?.find((d) => d.Name === 'service')?.Value);

    // Assess
    expect(auditing.length).toBeGreaterThanOrEqual(5);
    expect([...alarmed].sort()).toEqual([...auditing].sort());
  });
});
