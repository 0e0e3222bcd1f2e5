/**
 * Mail for triggers: templates rendered in our own code (SES's SendTemplatedEmail is
 * not used: the local SES emulator never answers it, and rendering here keeps the
 * template testable), sent with SES SendEmail within the invocation's deadline.
 */
import type { SESClient, SendEmailCommandOutput } from '@aws-sdk/client-ses';
import { sendWithSignal, signalForDeadline } from './aws.js';
import { type Deferred, lazy, resolveDeferred } from './lazy.js';
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

/** The SDK's SES package, imported on the first mail and kept. */
const sesSdk = lazy(() => import('@aws-sdk/client-ses'));

/**
 * Sends one rendered mail with SES SendEmail, aborted at `deadline` (epoch ms).
 * Returns the SES message id. Throws on failure: the caller decides whether that
 * fails the request (never for a notice; always reported).
 *
 * The SDK's SES package is imported here, not at module scope, so a Lambda that only
 * sometimes mails (or mails after its answer, with a {@link Deferred} client) does not
 * load it at cold start; where the client was built at cold start the import is already
 * done and costs nothing.
 */
export async function sendMail(
  ses: Deferred<SESClient>,
  mail: OutgoingMail,
  deadline: number,
): Promise<string> {
  const [{ SendEmailCommand }, client] = await Promise.all([sesSdk(), resolveDeferred(ses)]);
  const result = await sendWithSignal<SendEmailCommandOutput>(
    client,
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
