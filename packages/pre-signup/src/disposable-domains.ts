/**
 * The bundled list of disposable (throw-away) email domains, matched with their
 * subdomains: `disposable-domains.json` beside this file, a snapshot of well-known
 * providers, not a complete list. To update it, replace the JSON array (lower-case
 * domains, sorted) with a maintained public list, e.g.
 * github.com/disposable-email-domains/disposable-email-domains
 * (`disposable_email_blocklist.conf`), and redeploy. Between releases an admin adds
 * domains without a code change through PRE_SIGNUP_EXTRA_DISPOSABLE_DOMAINS.
 */
import domains from './disposable-domains.json' with { type: 'json' };

export const DISPOSABLE_DOMAINS: readonly string[] = domains;
