/**
 * Email domains: parsing an address's domain and matching it against domain lists,
 * where a listed domain also covers every subdomain (`example.com` matches
 * `mail.example.com`, not `badexample.com`). Matching walks the address's domain
 * suffixes through a Set, so it costs one lookup per label whatever the list size.
 */

// A DNS name of letters, digits and dashes (punycode `xn--` included), 1-63 per label.
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Normalises a configured domain: trimmed, lower case, without a leading `*.` or `.`
 * or a trailing dot. Returns undefined when what is left is not a domain name.
 *
 * @example normalizeDomain('*.Example.COM.') // 'example.com'
 */
export function normalizeDomain(raw: string): string | undefined {
  let domain = raw.trim().toLowerCase();
  if (domain.startsWith('*.')) domain = domain.slice(2);
  else if (domain.startsWith('.')) domain = domain.slice(1);
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (domain.length === 0 || domain.length > 253) return undefined;
  const labels = domain.split('.');
  if (!labels.every((label) => LABEL.test(label))) return undefined;
  return domain;
}

/**
 * The lower-cased domain of an email address (after its last `@`), or undefined when
 * the address has no local part or no valid domain. Only the domain is checked:
 * Cognito has validated the address's syntax before the trigger runs.
 *
 * @example emailDomain('User@Mail.Example.com') // 'mail.example.com'
 */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at <= 0) return undefined;
  const domain = email.slice(at + 1);
  // A domain with a trailing dot or a wildcard is not an address domain.
  if (domain.endsWith('.') || domain.startsWith('*') || domain.startsWith('.')) return undefined;
  return normalizeDomain(domain);
}

/** A set of domains, each covering its subdomains. */
export class DomainSet {
  readonly #domains: Set<string>;

  constructor(domains: Iterable<string>) {
    this.#domains = new Set(domains);
  }

  get size(): number {
    return this.#domains.size;
  }

  /**
   * The listed domain that covers `domain` (itself or its nearest listed parent), or
   * undefined. `domain` must already be normalised (see {@link emailDomain}).
   */
  match(domain: string): string | undefined {
    let candidate = domain;
    for (;;) {
      if (this.#domains.has(candidate)) return candidate;
      const dot = candidate.indexOf('.');
      if (dot < 0) return undefined;
      candidate = candidate.slice(dot + 1);
    }
  }

  has(domain: string): boolean {
    return this.match(domain) !== undefined;
  }
}
