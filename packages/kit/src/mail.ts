/**
 * Mail for triggers: templates rendered in our own code (SES's SendTemplatedEmail is
 * not used: the local SES emulator never answers it, and rendering here keeps the
 * template testable), sent with SES SendEmail within the invocation's deadline.
 */
import { type SESClient, SendEmailCommand, type SendEmailCommandOutput } from '@aws-sdk/client-ses';
import { sendWithSignal, signalForDeadline } from './aws.js';
import type { MailTemplate } from './templates.js';

export {
  escapeHtml,
  type MailTemplate,
  renderMail,
  renderTemplate,
  templatePlaceholders,
} from './templates.js';

export interface OutgoingMail extends MailTemplate {
  from: string;
  to: string;
  /** SES configuration set for delivery events, when configured. */
  configurationSet?: string;
}

/**
 * Sends one rendered mail with SES SendEmail, aborted at `deadline` (epoch ms).
 * Returns the SES message id. Throws on failure: the caller decides whether that
 * fails the request (never for a notice; always reported).
 */
export async function sendMail(
  ses: SESClient,
  mail: OutgoingMail,
  deadline: number,
): Promise<string> {
  const result = await sendWithSignal<SendEmailCommandOutput>(
    ses,
    new SendEmailCommand({
      Source: mail.from,
      Destination: { ToAddresses: [mail.to] },
      Message: {
        Subject: { Data: mail.subject, Charset: 'UTF-8' },
        Body: {
          Text: { Data: mail.text, Charset: 'UTF-8' },
          Html: { Data: mail.html, Charset: 'UTF-8' },
        },
      },
      ...(mail.configurationSet ? { ConfigurationSetName: mail.configurationSet } : {}),
    }),
    signalForDeadline(deadline),
  );
  return result.MessageId ?? '';
}
