/**
 * The ONE place the local stack decides what each handler's worker sees in
 * `process.env`: the same variables, from the same typed config (`@authwatch/infra/config`)
 * and the same exported name constants, that the CDK app sets on each Lambda, with the
 * AWS endpoints pointed at the local emulators and dummy credentials.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_ENV, DEFAULT_LIVE_FEED_CHANNEL } from '@authwatch/audit/config';
import { CLOUDTRAIL_ENV, packagedCountryDb } from '@authwatch/cloudtrail/config';
import { MANAGEMENT_ENV } from '@authwatch/cloudtrail/management-config';
import { CUSTOM_CHALLENGE_ENV } from '@authwatch/custom-challenge/config';
import type { AuthwatchConfig } from '@authwatch/infra/config';
import { PRE_TOKEN_ENV } from '@authwatch/pre-token-generation/config';
// The sections' own env builders, shared with the CDK app (not re-exported by
// @authwatch/infra/config, whose exports map names only its index).
import {
  claimsEnvironment,
  claimsSectionOf,
  claimsTriggerVersion,
} from '../../../../infra/config/sections/claims.js';
import {
  type ChallengeTrigger,
  customChallengeEnvironment,
} from '../../../../infra/config/sections/custom-challenge.js';
import { postAuthEnvironment } from '../../../../infra/config/sections/mail.js';
import {
  preAuthEnvironment,
  signInWatchSectionOf,
} from '../../../../infra/config/sections/sign-in-watch.js';
import {
  preSignUpEnvironment,
  userPoolSectionOf,
} from '../../../../infra/config/sections/user-pool.js';
import { localPoolBaseline } from '../cloudtrail/baseline.js';
import type { TriggerName } from '../cognito/state.js';
import { entryPath, REPO_ROOT } from '../paths.js';
import type { HandlerSpec } from './runner.js';

/** One deployable Lambda of the project: where its entry is and what it serves. */
export interface LambdaDefinition {
  /** Worker key and log file name. */
  key: string;
  /** Workspace package folder under packages/. */
  pkg: string;
  /** Entry file under the package's src/, without `.ts`. */
  file: string;
  /** The Cognito trigger it is wired to; none for the API handler. */
  trigger?: TriggerName;
  /** POWERTOOLS_SERVICE_NAME. */
  serviceName: string;
}

/** Every Lambda the CDK app deploys, with the entries it bundles. */
export const LAMBDAS: readonly LambdaDefinition[] = [
  {
    key: 'pre-signup',
    pkg: 'pre-signup',
    file: 'handler',
    trigger: 'PreSignUp',
    serviceName: 'pre-signup',
  },
  {
    key: 'post-auth',
    pkg: 'post-auth',
    file: 'handler',
    trigger: 'PostAuthentication',
    serviceName: 'post-auth',
  },
  {
    key: 'pre-token-generation',
    pkg: 'pre-token-generation',
    file: 'handler',
    trigger: 'PreTokenGeneration',
    serviceName: 'pre-token-generation',
  },
  {
    key: 'define-auth-challenge',
    pkg: 'custom-challenge',
    file: 'define-auth-challenge',
    trigger: 'DefineAuthChallenge',
    serviceName: 'custom-challenge',
  },
  {
    key: 'create-auth-challenge',
    pkg: 'custom-challenge',
    file: 'create-auth-challenge',
    trigger: 'CreateAuthChallenge',
    serviceName: 'custom-challenge',
  },
  {
    key: 'verify-auth-challenge',
    pkg: 'custom-challenge',
    file: 'verify-auth-challenge',
    trigger: 'VerifyAuthChallengeResponse',
    serviceName: 'custom-challenge',
  },
  { key: 'protected-api', pkg: 'protected-api', file: 'handler', serviceName: 'protected-api' },
  {
    key: 'pre-auth',
    pkg: 'pre-auth',
    file: 'handler',
    trigger: 'PreAuthentication',
    serviceName: 'pre-auth',
  },
  // Not a trigger: the consumer of the CloudTrail records the emulator writes.
  { key: 'cloudtrail', pkg: 'cloudtrail', file: 'handler', serviceName: 'cloudtrail' },
];

/** The local emulators' URLs the handlers' SDK clients are pointed at. */
export interface LocalEndpoints {
  cognito: string;
  firehose: string;
  ses: string;
  /** AppSync Events HTTP base URL (`http://127.0.0.1:<port>`). */
  liveFeed: string;
}

/** Values the local stack generates once and keeps in its state folder. */
export interface LocalSecrets {
  /** The custom-challenge code key, base64 (32 random bytes). */
  codeKey: string;
  /** The pre-auth HMAC key for entered user names, base64 (32 random bytes). */
  userHashKey: string;
}

/** The Firehose stream name the local audit sink accepts. */
export const LOCAL_AUDIT_STREAM = 'authwatch-audit-local';

/** Credentials the SDK clients sign with locally; no emulator checks them. */
export const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIALOCALAUTHWATCH00',
  AWS_SECRET_ACCESS_KEY: 'local-secret-not-checked',
} as const;

/** What every worker gets: Powertools settings from the config, region, endpoints, audit. */
function commonEnvironment(
  config: AuthwatchConfig,
  lambda: LambdaDefinition,
  endpoints: LocalEndpoints,
): Record<string, string> {
  return {
    // The Powertools variables infra's powertoolsEnvironment() sets, from the same config.
    POWERTOOLS_SERVICE_NAME: lambda.serviceName,
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    POWERTOOLS_LOGGER_SAMPLE_RATE: String(config.logSampleRate),
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'Authwatch',
    // No X-Ray daemon locally: tracing off rather than segments sent nowhere.
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    ...LOCAL_CREDENTIALS,
    AWS_ENDPOINT_URL_FIREHOSE: endpoints.firehose,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoints.cognito,
    [AUDIT_ENV.streamName]: LOCAL_AUDIT_STREAM,
    [AUDIT_ENV.liveFeedEndpoint]: `${endpoints.liveFeed}/event`,
    [AUDIT_ENV.liveFeedChannel]: DEFAULT_LIVE_FEED_CHANNEL,
    TZ: 'UTC',
  };
}

/** The sender used where the config has no mail section yet. */
export const LOCAL_MAIL_FROM = 'Authwatch <no-reply@example.com>';

const CHALLENGE_TRIGGERS: Record<string, ChallengeTrigger> = {
  'define-auth-challenge': 'define',
  'create-auth-challenge': 'create',
  'verify-auth-challenge': 'verify',
};

/**
 * The pre token generation trigger's event version: the claims section's, else V3_0
 * (the local pool always has a machine client), as infra decides it.
 */
export function preTokenVersion(config: AuthwatchConfig) {
  return claimsTriggerVersion(claimsSectionOf(config.claims), true);
}

/** The handler's own variables, as infra sets them from the config's sections. */
function ownEnvironment(
  config: AuthwatchConfig,
  lambda: LambdaDefinition,
  secrets: LocalSecrets,
): Record<string, string> {
  switch (lambda.key) {
    case 'pre-signup':
      return preSignUpEnvironment(userPoolSectionOf(config.userPool));
    case 'post-auth':
      return postAuthEnvironment(config.mail);
    case 'pre-token-generation': {
      const section = claimsSectionOf(config.claims);
      return {
        ...claimsEnvironment(section, preTokenVersion(config)),
        // Deployed, the rules file is bundled next to the handler; locally it is the
        // repository's file the section names.
        [PRE_TOKEN_ENV.rulesFile]: join(REPO_ROOT, section.rulesFile),
      };
    }
    case 'define-auth-challenge':
    case 'create-auth-challenge':
    case 'verify-auth-challenge': {
      const trigger = CHALLENGE_TRIGGERS[lambda.key] ?? 'define';
      const section = config.customChallenge;
      return {
        ...(section
          ? customChallengeEnvironment(section, trigger, config.mail)
          : { [CUSTOM_CHALLENGE_ENV.mailFrom]: LOCAL_MAIL_FROM }),
        // Deployed, the key is a Secrets Manager secret; locally it is generated once
        // and kept in the state folder.
        [CUSTOM_CHALLENGE_ENV.key]: secrets.codeKey,
      };
    }
    case 'cloudtrail': {
      // Deployed, the database is in a layer; locally the registry package's file.
      const files = packagedCountryDb();
      return {
        ...(files ? { [CLOUDTRAIL_ENV.geoipCountryDb]: files.database } : {}),
        // Its events already go out per SQS batch, and it answers only once they are sent:
        // the host's batch window would only hold each batch back.
        [AUDIT_ENV.batchWindowMs]: '0',
        // The local pool as the stack sets it up: what admin changes are compared with.
        [MANAGEMENT_ENV.baseline]: JSON.stringify(localPoolBaseline(config)),
        [MANAGEMENT_ENV.privilegedGroups]: signInWatchSectionOf(
          config.signInWatch,
        ).cloudTrail.privilegedGroups.join(','),
      };
    }
    case 'pre-auth':
      // Deployed, the key is a Secrets Manager secret; locally it is made once.
      return preAuthEnvironment(signInWatchSectionOf(config.signInWatch), secrets.userHashKey);
    default:
      return {};
  }
}

export interface HandlerSpecOptions {
  config: AuthwatchConfig;
  endpoints: LocalEndpoints;
  secrets: LocalSecrets;
  /** Extra variables per worker key (tests: a short code TTL, another mode). */
  overrides?: Record<string, Record<string, string>>;
  /** Only these keys (default: every Lambda whose entry exists). */
  only?: string[];
}

/** Whether a Lambda's entry file is present in this checkout. */
export function entryExists(lambda: LambdaDefinition): boolean {
  return existsSync(entryPath(lambda.pkg, lambda.file));
}

/** The worker specs of every Lambda whose entry exists in this checkout. */
export function handlerSpecs(options: HandlerSpecOptions): HandlerSpec[] {
  return LAMBDAS.filter((lambda) => entryExists(lambda))
    .filter((lambda) => options.only === undefined || options.only.includes(lambda.key))
    .map((lambda) => ({
      key: lambda.key,
      entry: entryPath(lambda.pkg, lambda.file),
      env: {
        ...commonEnvironment(options.config, lambda, options.endpoints),
        ...ownEnvironment(options.config, lambda, options.secrets),
        ...options.overrides?.[lambda.key],
      },
    }));
}
