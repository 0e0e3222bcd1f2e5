/** Channel paths and subscription patterns of AppSync Events. */

const SEGMENT = /^[A-Za-z0-9-]{1,50}$/;

/** A publish channel: `/namespace/segment...`, 1 to 5 segments, no wildcard. */
export function isChannel(value: unknown): value is string {
  if (typeof value !== 'string' || !value.startsWith('/')) return false;
  const segments = value.slice(1).split('/');
  return segments.length >= 1 && segments.length <= 5 && segments.every((s) => SEGMENT.test(s));
}

/** A subscription pattern: a channel, or a channel prefix ending in `/*`. */
export function isChannelPattern(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (value.endsWith('/*')) {
    const prefix = value.slice(0, -2);
    return isChannel(prefix);
  }
  return isChannel(value);
}

/**
 * Whether `channel` is matched by `pattern`: equal, or `pattern` is `/a/*` and
 * `channel` is below `/a` (`/a/b`, `/a/b/c`).
 */
export function channelMatches(pattern: string, channel: string): boolean {
  if (pattern === channel) return true;
  if (!pattern.endsWith('/*')) return false;
  const prefix = pattern.slice(0, -1); // keeps the trailing slash
  return channel.startsWith(prefix) && channel.length > prefix.length;
}
