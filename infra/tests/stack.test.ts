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
});
