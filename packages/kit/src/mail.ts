/**
 * Mail for triggers: templates rendered in our own code (SES's SendTemplatedEmail is
 * not used: the local SES emulator never answers it, and rendering here keeps the
 * template testable), sent with SES SendEmail within the invocation's deadline.
 */
import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { signalForDeadline } from './aws.js';

/** A mail template: subject, plain text and HTML, each with `{{name}}` placeholders. */
export interface MailTemplate {
  subject: string;
  text: string;
  html: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.:-]+)\s*\}\}/g;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** Placeholders a template uses, so config can be checked at cold start. */
export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

/**
 * Fills `{{name}}` placeholders. Values are HTML-escaped when `html` is true; a
 * placeholder without a value is an error (a mail with a hole is worse than none).
 *
 * @example renderTemplate('Hello {{name}}', { name: 'Jane' }) // 'Hello Jane'
 */
export function renderTemplate(
  template: string,
  values: Record<string, string>,
  html = false,
): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    // Own keys only: {{constructor}} must not render Object.prototype's.
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw new Error(`mail template placeholder {{${name}}} has no value`);
    return html ? escapeHtml(value) : value;
  });
}

/** Renders all three parts of a template. */
export function renderMail(template: MailTemplate, values: Record<string, string>): MailTemplate {
  return {
    subject: renderTemplate(template.subject, values).replace(/[\r\n]+/g, ' '),
    text: renderTemplate(template.text, values),
    html: renderTemplate(template.html, values, true),
  };
}

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
  const result = await ses.send(
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
    { abortSignal: signalForDeadline(deadline) },
  );
  return result.MessageId ?? '';
}
