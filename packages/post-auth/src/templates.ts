/**
 * The default new-device mail. Every part may be replaced through the environment
 * (POST_AUTH_MAIL_SUBJECT, POST_AUTH_MAIL_TEXT, POST_AUTH_MAIL_HTML); placeholders are
 * `{{name}}` and must be among {@link MAIL_PLACEHOLDERS}, checked at cold start.
 */
import type { MailTemplate } from '@authwatch/kit/templates';

/** The values a template may use. */
export const MAIL_PLACEHOLDERS = {
  /** The application's name (POST_AUTH_APP_NAME). */
  appName: 'the application name',
  /** The user's given name, else name, else "there". */
  name: 'the user’s given name',
  /** When the sign-in happened, UTC, e.g. `2026-11-23 21:42 UTC`. */
  time: 'the sign-in time (UTC)',
  /** The client's IP address when the app sent it in clientMetadata, else "unknown". */
  sourceIp: 'the client IP address, or "unknown"',
  /** Where to get help (POST_AUTH_SUPPORT_URL); usable only when that is set. */
  supportUrl: 'the support URL',
} as const;
export type MailPlaceholder = keyof typeof MAIL_PLACEHOLDERS;

export const DEFAULT_NEW_DEVICE_MAIL: MailTemplate = {
  subject: 'New sign-in to your {{appName}} account',
  text: [
    'Hello {{name}},',
    '',
    'Your {{appName}} account was just signed in to from a device we have not seen before.',
    '',
    'When: {{time}}',
    'IP address: {{sourceIp}}',
    '',
    'If this was you, there is nothing to do.',
    'If it was not, change your password now and sign out of all devices.',
    '',
  ].join('\n'),
  html: [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    '<p>Hello {{name}},</p>',
    '<p>Your {{appName}} account was just signed in to from a device we have not seen before.</p>',
    '<table>',
    '<tr><td>When</td><td>{{time}}</td></tr>',
    '<tr><td>IP address</td><td>{{sourceIp}}</td></tr>',
    '</table>',
    '<p>If this was you, there is nothing to do.<br>',
    'If it was not, <strong>change your password now</strong> and sign out of all devices.</p>',
    '</body></html>',
    '',
  ].join('\n'),
};
