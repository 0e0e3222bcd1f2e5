/**
 * Cognito's own mails (confirmation codes, temporary passwords) sent to the SES
 * emulator with SES v1 `SendEmail` (query protocol), as Cognito sends through SES.
 */
import type { Mailer } from './cognito/index.js';

export function sesMailer(sesUrl: string, from = 'no-reply@verificationemail.com'): Mailer {
  return {
    async send(to, subject, text) {
      const body = new URLSearchParams({
        Action: 'SendEmail',
        Version: '2010-12-01',
        Source: from,
        'Destination.ToAddresses.member.1': to,
        'Message.Subject.Data': subject,
        'Message.Body.Text.Data': text,
      });
      const response = await fetch(`${sesUrl}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          // The emulator requires an AWS authorization header and does not check it.
          authorization: 'AWS4-HMAC-SHA256 Credential=local/ses',
        },
        body,
        signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) throw new Error(`SES emulator answered ${response.status}`);
    },
  };
}
