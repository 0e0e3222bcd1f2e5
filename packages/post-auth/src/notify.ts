/**
 * Sends the new-device mail as a side effect that cannot fail the sign-in: bounded by
 * the invocation's deadline, and on any failure logged (address masked), counted as
 * the `NewDeviceMailFailed` metric and written as a fallback record an operator can
 * act on. Never throws.
 */
import {
  type Deferred,
  logger as kitLogger,
  metrics as kitMetrics,
  maskEmail,
  maskText,
} from '@authwatch/kit';
import { type OutgoingMail, sendMail } from '@authwatch/kit/mail';
import type { SESClient } from '@aws-sdk/client-ses';

/** Metric names. */
export const POST_AUTH_METRICS = {
  mailSent: 'NewDeviceMailSent',
  mailFailed: 'NewDeviceMailFailed',
} as const;

/** The marker of a fallback log line for a mail that was not sent. */
export const MAIL_FALLBACK_MARKER = 'authwatch.mail.fallback';

/** The part of the Powertools Logger the mail step uses. */
export interface MailLogger {
  info(message: string, data?: object): void;
  warn(message: string, data?: object): void;
  error(message: string, data?: object): void;
}

type LogData = Exclude<Parameters<typeof kitLogger.info>[1], string | Error>;

/** The kit's logger (which masks and redacts) behind {@link MailLogger}. */
const KIT_LOGGER: MailLogger = {
  info: (message, data) => kitLogger.info(message, (data ?? {}) as LogData),
  warn: (message, data) => kitLogger.warn(message, (data ?? {}) as LogData),
  error: (message, data) => kitLogger.error(message, (data ?? {}) as LogData),
};

export interface NotifyDeps {
  /** The SES client, or how to build it on the first mail (the Lambda's, after the answer). */
  ses: Deferred<SESClient>;
  metrics?: { addMetric(name: string, unit: 'Count', value: number): unknown };
  logger?: MailLogger;
  now?: () => number;
}

/** Facts of the sign-in the fallback record repeats (no address, no content). */
export interface MailFacts {
  userPoolId: string;
  userSub?: string;
  clientId: string;
}

export class DeadlineError extends Error {
  constructor() {
    super('deadline reached before SES answered');
    this.name = 'DeadlineError';
  }
}

/** Rejects with a {@link DeadlineError} at `deadline` unless `work` settles first. */
export function beforeDeadline<T>(
  work: Promise<T>,
  deadline: number,
  now = Date.now(),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineError()), Math.max(0, deadline - now));
    timer.unref?.();
  });
  return Promise.race([work, expiry]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return maskText(text).slice(0, 300);
}

/** Sends `mail` by `deadline`; returns whether SES accepted it. Never throws. */
export async function sendNewDeviceMail(
  mail: OutgoingMail,
  facts: MailFacts,
  deadline: number,
  deps: NotifyDeps,
): Promise<boolean> {
  const metrics = deps.metrics ?? kitMetrics;
  const log: MailLogger = deps.logger ?? KIT_LOGGER;
  const now = deps.now ?? Date.now;
  try {
    // sendMail aborts the request at the deadline; the race also bounds a client that
    // ignores the signal.
    const messageId = await beforeDeadline(sendMail(deps.ses, mail, deadline), deadline, now());
    log.info('new-device mail sent', { to: maskEmail(mail.to), messageId });
    safely(() => metrics.addMetric(POST_AUTH_METRICS.mailSent, 'Count', 1));
    return true;
  } catch (error) {
    const reason = describe(error);
    safely(() => metrics.addMetric(POST_AUTH_METRICS.mailFailed, 'Count', 1));
    safely(() =>
      log.error('new-device mail not sent', {
        [MAIL_FALLBACK_MARKER]: {
          kind: 'new-device-mail',
          time: new Date(now()).toISOString(),
          userPoolId: facts.userPoolId,
          userSub: facts.userSub,
          clientId: facts.clientId,
          to: maskEmail(mail.to),
          reason,
        },
      }),
    );
    return false;
  }
}

function safely(action: () => unknown): void {
  try {
    action();
  } catch {
    // Reporting a failure must not become a failure of the sign-in.
  }
}
