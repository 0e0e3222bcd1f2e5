/**
 * Mail templates: `{{name}}` placeholders checked at cold start and rendered in our own
 * code. No SDK here, so config modules can check templates without loading a client.
 */
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
 * @example renderTemplate('Signed in from {{city}}', { city: 'Lisbon' }) // 'Signed in from Lisbon'
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
