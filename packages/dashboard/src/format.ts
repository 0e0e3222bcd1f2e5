/** How values read on the page. */

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const numberFormat = new Intl.NumberFormat();

export const formatTime = (ms: number, withDate = false) =>
  (withDate ? dateTimeFormat : timeFormat).format(new Date(ms));
export const formatNumber = (n: number) => numberFormat.format(n);
export const formatPercent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

export const SEVERITY_NAMES: Record<number, string> = {
  0: 'Unknown',
  1: 'Informational',
  2: 'Low',
  3: 'Medium',
  4: 'High',
  5: 'Critical',
  6: 'Fatal',
};

/** A short text of a JSON value (a finding's group or evidence). */
export function summarize(value: unknown, max = 120): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string'
      ? value
      : Array.isArray(value)
        ? value.map((item) => summarize(item, max)).join('; ')
        : typeof value === 'object'
          ? Object.entries(value as Record<string, unknown>)
              .map(
                ([key, inner]) =>
                  `${key}: ${typeof inner === 'object' ? summarize(inner, max) : String(inner)}`,
              )
              .join(', ')
          : String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
