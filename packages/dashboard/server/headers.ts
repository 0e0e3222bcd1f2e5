/**
 * The page's security headers, the same locally and behind CloudFront (infra's response
 * headers policy is built from this list): a strict Content-Security-Policy (scripts,
 * styles and data only from the page's origin and the endpoints it calls), no framing,
 * no sniffing, no referrer.
 */

export interface CspSources {
  /** Origins the page calls: Cognito, the API, the live feed (`wss://…`). */
  connect: string[];
}

export function contentSecurityPolicy(sources: CspSources): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${sources.connect.join(' ')}`.trim(),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Every header but HSTS (which only means something over HTTPS; CloudFront adds it). */
export function securityHeaders(sources: CspSources): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(sources),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

/** The origin of a URL (`wss://host:port`), for connect-src. */
export function originOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
