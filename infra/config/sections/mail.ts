/**
 * The mail section: the SES identity Authwatch sends from (created by the stack), an
 * optional configuration set, and the post authentication trigger's new-device mail.
 * Plain data (no aws-cdk-lib); {@link postAuthEnvironment} turns it into the trigger's
 * variables for the CDK app and the local stack alike.
 */
import { POST_AUTH_ENV } from '@authwatch/post-auth/config';
import * as z from 'zod';

const SENDER =
  /^(?:[^<>\r\n]*<([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)>|([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+))$/;

/** The address inside a sender (`Name <a@b.c>` or `a@b.c`). */
export function mailSenderAddress(from: string): string | undefined {
  const match = SENDER.exec(from.trim());
  return match?.[1] ?? match?.[2];
}

export const MailSectionSchema = z
  .object({
    /** Sender of Authwatch's mail, `Security <no-reply@example.com>` or an address. */
    from: z.string().regex(SENDER, 'must be an address or "Name <address>"'),
    /**
     * The SES identity the stack creates and the ONE resource of ses:SendEmail grants:
     * a domain (DKIM records to publish) or an address. Default: the domain of `from`.
     */
    identity: z
      .string()
      .regex(/^([^\s@<>]+@)?[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain or an email address')
      .optional(),
    /** Create an SES configuration set with this name (delivery events, reputation metrics). */
    configurationSet: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an SES configuration set name')
      .optional(),
    /** The post authentication trigger's new-device mail. */
    newDevice: z
      .object({
        /** Send it at all. */
        enabled: z.boolean().default(true),
        /** `{{appName}}` in the templates. */
        appName: z.string().min(1).max(100).default('Authwatch'),
        /** `{{supportUrl}}` in the templates. */
        supportUrl: z.url({ protocol: /^https?$/ }).optional(),
        /** Template overrides; placeholders: appName, name, time, sourceIp, supportUrl. */
        subject: z.string().min(1).max(200).optional(),
        text: z.string().min(1).max(20_000).optional(),
        html: z.string().min(1).max(100_000).optional(),
        /** Longest the SES request may take, ms. */
        timeoutMs: z.number().int().min(50).max(4_000).default(1_500),
      })
      .strict()
      .default({ enabled: true, appName: 'Authwatch', timeoutMs: 1_500 }),
  })
  .strict()
  .refine(
    (section) => {
      const address = mailSenderAddress(section.from) ?? '';
      const identity = section.identity ?? address.split('@')[1] ?? '';
      return identity.includes('@')
        ? identity.toLowerCase() === address.toLowerCase()
        : address.toLowerCase().endsWith(`@${identity.toLowerCase()}`);
    },
    { message: 'from must be sent from identity (its address or domain)', path: ['identity'] },
  );

export type MailSection = z.output<typeof MailSectionSchema>;

/** The SES identity mail is sent from: `identity`, else the domain of `from`. */
export function mailIdentityOf(section: MailSection): string {
  if (section.identity) return section.identity;
  const domain = mailSenderAddress(section.from)?.split('@')[1];
  if (!domain) throw new Error('mail.from has no domain');
  return domain;
}

/**
 * The post authentication trigger's variables from the mail section; without one (or
 * with the new-device mail off) the mail is turned off.
 */
export function postAuthEnvironment(section: MailSection | undefined): Record<string, string> {
  if (section === undefined || !section.newDevice.enabled) {
    return { [POST_AUTH_ENV.newDeviceMail]: 'false' };
  }
  const mail = section.newDevice;
  const env: Record<string, string> = {
    [POST_AUTH_ENV.newDeviceMail]: 'true',
    [POST_AUTH_ENV.mailFrom]: section.from,
    [POST_AUTH_ENV.appName]: mail.appName,
    [POST_AUTH_ENV.mailTimeoutMs]: String(mail.timeoutMs),
  };
  if (section.configurationSet) env[POST_AUTH_ENV.configurationSet] = section.configurationSet;
  if (mail.supportUrl) env[POST_AUTH_ENV.supportUrl] = mail.supportUrl;
  if (mail.subject) env[POST_AUTH_ENV.mailSubject] = mail.subject;
  if (mail.text) env[POST_AUTH_ENV.mailText] = mail.text;
  if (mail.html) env[POST_AUTH_ENV.mailHtml] = mail.html;
  return env;
}
