/**
 * Built-in mail templates of the sign-in code, per locale (plain text and HTML). A
 * deployment overrides any part of them with CUSTOM_CHALLENGE_MAIL_TEMPLATES.
 */
import type { MailTemplate } from '@authwatch/kit/templates';

/** Templates by lower-case locale (`en`, `de`, `pt-br`). */
export type LocaleTemplates = Record<string, MailTemplate>;

/** The locale used when the client sends none or an unknown one. */
export const DEFAULT_LOCALE = 'en';

/** Every value a template may use: `{{code}}`, `{{minutes}}`, `{{destination}}`. */
export const TEMPLATE_PLACEHOLDERS = ['code', 'minutes', 'destination'] as const;
export type TemplateValues = Record<(typeof TEMPLATE_PLACEHOLDERS)[number], string>;

const html = (lang: string, intro: string, outro: string): string =>
  `<!doctype html><html lang="${lang}"><body style="font-family:sans-serif">` +
  `<p>${intro}</p>` +
  '<p style="font-size:28px;font-weight:bold;letter-spacing:4px">{{code}}</p>' +
  `<p>${outro}</p></body></html>`;

export const DEFAULT_TEMPLATES: LocaleTemplates = {
  en: {
    subject: 'Your sign-in code',
    text:
      'Your sign-in code is {{code}}.\n\n' +
      'It expires in {{minutes}} minutes. If you did not try to sign in, ignore this mail: ' +
      'nobody can sign in without the code.\n',
    html: html(
      'en',
      'Your sign-in code is:',
      'It expires in {{minutes}} minutes. If you did not try to sign in, ignore this mail: nobody can sign in without the code.',
    ),
  },
  de: {
    subject: 'Ihr Anmeldecode',
    text:
      'Ihr Anmeldecode lautet {{code}}.\n\n' +
      'Er ist {{minutes}} Minuten gültig. Wenn Sie sich nicht anmelden wollten, ignorieren ' +
      'Sie diese E-Mail: ohne den Code kann sich niemand anmelden.\n',
    html: html(
      'de',
      'Ihr Anmeldecode lautet:',
      'Er ist {{minutes}} Minuten gültig. Wenn Sie sich nicht anmelden wollten, ignorieren Sie diese E-Mail: ohne den Code kann sich niemand anmelden.',
    ),
  },
};

/**
 * The template for the client's locale: `de-AT` tries `de-at`, then `de`, then the
 * default. Anything that is not a plain locale tag falls back to the default.
 */
export function templateFor(
  templates: LocaleTemplates,
  requested: string | undefined,
  defaultLocale: string,
): { locale: string; template: MailTemplate } {
  const candidates: string[] = [];
  if (typeof requested === 'string' && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(requested)) {
    const tag = requested.toLowerCase().replace(/_/g, '-');
    candidates.push(tag);
    const language = tag.split('-')[0];
    if (language !== undefined && language !== tag) candidates.push(language);
  }
  candidates.push(defaultLocale);
  for (const locale of candidates) {
    const template = Object.hasOwn(templates, locale) ? templates[locale] : undefined;
    if (template !== undefined) return { locale, template };
  }
  const fallback = templates[DEFAULT_LOCALE];
  if (fallback === undefined) throw new Error(`no mail template for locale ${defaultLocale}`);
  return { locale: DEFAULT_LOCALE, template: fallback };
}
