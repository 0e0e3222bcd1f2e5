/**
 * Detections in the local stack: the project's detect handler (packages/detections
 * `src/handler.ts`, the very file the CDK app deploys) run on a short timer with
 * DETECT_ENGINE=duckdb over `.local/audit`, its findings going through the local
 * Firehose (so into `.local/audit`) and the live feed (`/auth/detections`, shown in the
 * live view), its alerts to an SNS `Publish` this module answers, delivered to the
 * config's `detections.alertEmails` through the local SES (the local mailbox), and its
 * responses to the local Cognito.
 *
 * Nothing of it loads at start: the handler is bundled and imported on the first tick
 * (after `firstRunDelayMs`), and DuckDB's native module on the handler's first query.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AUDIT_ENV } from '@authwatch/audit/config';
import { DETECT_ENV, DETECTIONS_CHANNEL } from '@authwatch/detections/config';
import type { AuthwatchConfig } from '@authwatch/infra/config';
import {
  DEFAULT_DETECTION_RULES_FILE,
  detectionsSectionOf,
} from '../../../infra/config/sections/detections.js';
import { localPoolBaseline } from './cloudtrail/baseline.js';
import { sesMailer } from './mailer.js';
import { entryPath, REPO_ROOT } from './paths.js';
import {
  LOCAL_AUDIT_STREAM,
  LOCAL_CREDENTIALS,
  type LocalEndpoints,
} from './triggers/environment.js';
import { HandlerRunner } from './triggers/runner.js';

/** The local alert topic (SNS ARNs need an account: the local one is all zeros). */
export function localAlertTopicArn(region: string): string {
  return `arn:aws:sns:${region}:000000000000:authwatch-local-detections`;
}

/** Sender of the alert mails. */
export const LOCAL_ALERT_FROM = 'Authwatch detections <no-reply@example.com>';

export interface SnsEmulator {
  url: string;
  /** Messages published so far (tests, the demo). */
  published: { subject: string; message: string; to: string[] }[];
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // SNS's own limit is 256 KiB per message; a bigger body is refused whole.
      if (size > 300_000) request.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function queryError(code: string, message: string, status: number) {
  return {
    status,
    body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

/**
 * Answers SNS `Publish` (query protocol, as the SDK sends it) for one topic, and mails
 * each message to the topic's subscribed addresses through the local SES, as SNS's
 * email protocol does (subject, then the message as the text body).
 */
export async function startSnsEmulator(options: {
  topicArn: string;
  subscribers: readonly string[];
  sesUrl: string;
  port?: number;
}): Promise<SnsEmulator> {
  const mailer = sesMailer(options.sesUrl, LOCAL_ALERT_FROM);
  const published: SnsEmulator['published'] = [];
  const answer = async (body: string) => {
    const form = new URLSearchParams(body);
    if (form.get('Action') !== 'Publish') {
      return queryError(
        'InvalidAction',
        `${form.get('Action') ?? 'no action'} is not answered locally`,
        400,
      );
    }
    if (form.get('TopicArn') !== options.topicArn)
      return queryError('NotFound', 'Topic does not exist', 404);
    const message = form.get('Message');
    if (!message) return queryError('InvalidParameter', 'Invalid parameter: Message', 400);
    const subject = form.get('Subject') ?? 'AWS Notification Message';
    published.push({ subject, message, to: [...options.subscribers] });
    for (const to of options.subscribers) await mailer.send(to, subject, message);
    const id = randomUUID();
    return {
      status: 200,
      body: `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  };
  const server: Server = createServer((request, response) => {
    readBody(request)
      .then(answer)
      .catch((error: Error) => queryError('InternalError', error.message, 500))
      .then(({ status, body }) => {
        response.writeHead(status, { 'content-type': 'text/xml' }).end(body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    published,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface LocalDetectionsOptions {
  config: AuthwatchConfig;
  stateDir: string;
  auditDir: string;
  endpoints: LocalEndpoints;
  userPoolId: string;
  bundleDir: string;
  /** Between runs, ms (default 3,000). */
  intervalMs?: number;
  /** Before the first run, ms (default: one interval; the stack starts without it). */
  firstRunDelayMs?: number;
  /** Puts the audit events answered so far on disk before a run. */
  flush: () => Promise<void>;
  /** Where a failed run is reported. */
  report?: (line: string) => void;
}

export interface LocalDetections {
  sns: SnsEmulator;
  /** Runs the detections now (waits for a run in progress) and returns its summary. */
  runNow(): Promise<unknown>;
  stop(): Promise<void>;
}

/** The detect handler's environment in the local stack (as infra sets it, engine DuckDB). */
export function localDetectEnvironment(
  options: Pick<
    LocalDetectionsOptions,
    'config' | 'stateDir' | 'auditDir' | 'endpoints' | 'userPoolId'
  > & {
    snsUrl: string;
    intervalMs: number;
  },
): Record<string, string> {
  const { config } = options;
  const section = detectionsSectionOf(config.detections);
  return {
    POWERTOOLS_SERVICE_NAME: 'detect',
    POWERTOOLS_LOG_LEVEL: config.logLevel,
    POWERTOOLS_LOGGER_SAMPLE_RATE: String(config.logSampleRate),
    POWERTOOLS_METRICS_NAMESPACE: 'Authwatch',
    POWERTOOLS_TRACE_ENABLED: 'false',
    AWS_REGION: config.region,
    AWS_DEFAULT_REGION: config.region,
    ...LOCAL_CREDENTIALS,
    AWS_ENDPOINT_URL_FIREHOSE: options.endpoints.firehose,
    AWS_ENDPOINT_URL_SNS: options.snsUrl,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: options.endpoints.cognito,
    [AUDIT_ENV.streamName]: LOCAL_AUDIT_STREAM,
    [AUDIT_ENV.liveFeedEndpoint]: `${options.endpoints.liveFeed}/event`,
    [AUDIT_ENV.liveFeedChannel]: DETECTIONS_CHANNEL,
    [AUDIT_ENV.includeEmail]: String(config.audit?.includeEmail ?? false),
    [DETECT_ENV.engine]: 'duckdb',
    [DETECT_ENV.auditDir]: options.auditDir,
    [DETECT_ENV.stateFile]: join(options.stateDir, 'detections', 'findings.json'),
    [DETECT_ENV.rulesFile]: join(REPO_ROOT, section.rulesFile ?? DEFAULT_DETECTION_RULES_FILE),
    // A run every few seconds; the local Firehose is flushed before each, so a minute
    // covers any delay, and after a restart the watermark catches up at most an hour.
    [DETECT_ENV.lookbackSeconds]: String(Math.max(60, Math.ceil(options.intervalMs / 1000) * 4)),
    [DETECT_ENV.maxCatchUpSeconds]: '3600',
    [DETECT_ENV.alertTopicArn]: localAlertTopicArn(config.region),
    // No local EventBridge bus.
    [DETECT_ENV.eventBus]: 'none',
    [DETECT_ENV.responses]: String(section.responses),
    [DETECT_ENV.userPoolId]: options.userPoolId,
    // The pool as the stack set it up: the drift check compares the live pool with it.
    DETECT_POOL_BASELINE: JSON.stringify(localPoolBaseline(config)),
    TZ: 'UTC',
  };
}

/** Starts the SNS endpoint and the timer (the handler loads on the first run). */
export async function startLocalDetections(
  options: LocalDetectionsOptions,
): Promise<LocalDetections> {
  const section = detectionsSectionOf(options.config.detections);
  const intervalMs = options.intervalMs ?? 3_000;
  const sns = await startSnsEmulator({
    topicArn: localAlertTopicArn(options.config.region),
    subscribers: section.alertEmails,
    sesUrl: options.endpoints.ses,
  });
  const runner = new HandlerRunner({
    handlers: [
      {
        key: 'detect',
        entry: entryPath('detections'),
        env: localDetectEnvironment({ ...options, snsUrl: sns.url, intervalMs }),
        timeoutMs: 120_000,
      },
    ],
    region: options.config.region,
    bundleDir: options.bundleDir,
    logs: 'file',
    logDir: join(options.stateDir, 'logs'),
  });
  let running: Promise<unknown> | undefined;
  const run = (): Promise<unknown> => {
    running ??= (async () => {
      try {
        await options.flush();
        return await runner.invoke('detect', { scheduledTime: new Date().toISOString() });
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      run()
        .catch((error: Error) => options.report?.(`! detections run failed: ${error.message}`))
        .finally(() => {
          if (timer !== undefined) schedule(intervalMs);
        });
    }, delay);
    timer.unref();
  };
  if (section.enabled) schedule(options.firstRunDelayMs ?? intervalMs);
  return {
    sns,
    async runNow() {
      await running?.catch(() => undefined);
      return run();
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => undefined);
      await Promise.allSettled([runner.stop(), sns.stop()]);
    },
  };
}
