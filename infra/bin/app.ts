/**
 * The CDK app: one AuthwatchStack per environment in infra/config, each validated at
 * synth, with cdk-nag's AwsSolutions checks on every synth.
 *
 *   npx cdk synth                    # every environment
 *   npx cdk synth -c env=dev         # one environment
 *   npx cdk deploy Authwatch-dev
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { listEnvironments, loadConfig } from '../config/index.js';
import { AuthwatchStack, stackNameFor } from '../lib/index.js';

const app = new App();
const only = app.node.tryGetContext('env') as string | undefined;
const envNames = only ? only.split(',').map((name) => name.trim()) : listEnvironments();

for (const envName of envNames) {
  const config = loadConfig(envName);
  new AuthwatchStack(app, stackNameFor(config), { config });
}

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
