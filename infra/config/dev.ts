import type { AuthwatchConfigInput } from './schema.js';

/** Development: everything is destroyed with the stack, verbose logs, short retention. */
export const dev = {
  envName: 'dev',
  region: 'eu-west-1',
  removalPolicy: 'destroy',
  logRetentionDays: 14,
  logLevel: 'DEBUG',
  // DEBUG already logs everything: sampling would only add Powertools' "Setting log
  // level to DEBUG due to sampling rate" line to every invocation.
  logSampleRate: 0,
  tags: { project: 'authwatch', environment: 'dev' },
  audit: { glacierAfterDays: 30, expireAfterDays: 90, bufferIntervalSeconds: 60 },
  customChallenge: {
    mailFrom: 'Authwatch sign-in <no-reply@example.com>',
    authSessionValidityMinutes: 5,
  },
  userPool: { domainPrefix: 'authwatch-dev-example' },
  mail: { from: 'Authwatch security <no-reply@example.com>' },
  detections: { alertEmails: ['security@example.com'], responses: true },
} satisfies AuthwatchConfigInput;
