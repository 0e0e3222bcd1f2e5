import type { AuthwatchConfigInput } from './schema.js';

/**
 * Production (an example to adapt): stateful resources survive stack deletion, logs
 * are kept for a year, and one invocation in a hundred logs at DEBUG. Set `account`
 * to pin the stack to one AWS account.
 */
export const prod = {
  envName: 'prod',
  region: 'eu-west-1',
  removalPolicy: 'retain',
  logRetentionDays: 365,
  logLevel: 'INFO',
  logSampleRate: 0.01,
  tags: { project: 'authwatch', environment: 'prod' },
  audit: { glacierAfterDays: 90, bufferIntervalSeconds: 300 },
  customChallenge: {
    mode: 'password-then-otp',
    mailFrom: 'Sign-in <no-reply@example.com>',
    authSessionValidityMinutes: 5,
  },
  userPool: {
    domainPrefix: 'authwatch-prod-example',
    webClient: {
      callbackUrls: ['https://app.example.com/callback'],
      logoutUrls: ['https://app.example.com/'],
    },
  },
  mail: { from: 'Security <no-reply@example.com>', configurationSet: 'authwatch-prod' },
} satisfies AuthwatchConfigInput;
