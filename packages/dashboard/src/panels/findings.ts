/** Open and recent findings: severity, rule, title, group, evidence, and the events behind them. */
import type { Finding } from '../api.js';
import { byId, h, replace } from '../dom.js';
import type { Filters } from '../filters.js';
import { formatTime, SEVERITY_NAMES, summarize } from '../format.js';
import type { Store } from '../store.js';

const STATUS_NAMES: Record<number, string> = {
  1: 'New',
  2: 'In progress',
  3: 'Suppressed',
  4: 'Resolved',
};

/** The filters that show a finding's events: its window, and its user or IP when it is grouped by one. */
export function filtersOfFinding(finding: Finding): Filters {
  const from = (finding.firstSeen ?? finding.time) - 60_000;
  const to = (finding.lastSeen ?? finding.time) + 60_000;
  const filters: Filters = { range: 'custom', from, to };
  // The detections group by OCSF field names (`user.name`, `src_endpoint.ip`).
  const group = finding.group as Record<string, unknown> | null;
  if (group && typeof group === 'object') {
    const user = group['user.name'] ?? group['user.uid'] ?? group.user;
    const ip = group['src_endpoint.ip'] ?? group.ip;
    // A value the audit redacted (`[REDACTED]`) names nobody: the window alone is shown.
    const usable = (value: unknown): value is string =>
      typeof value === 'string' && !value.startsWith('[REDACTED');
    if (usable(user)) filters.user = user;
    if (usable(ip)) filters.ip = ip;
  }
  return filters;
}

export function mountFindings(
  store: Store,
  apply: (filters: Filters) => void,
  open: (title: string, value: unknown) => void,
): void {
  const body = byId<HTMLTableSectionElement>('findings-body');
  store.on('findings', ({ data, loading, error }) => {
    body.closest('section')?.setAttribute('aria-busy', String(loading));
    if (error) {
      replace(
        body,
        h(
          'tr',
          {},
          h('td', { colspan: 7, class: 'message error' }, `Findings unavailable: ${error}`),
        ),
      );
      return;
    }
    if (!data) return;
    if (data.length === 0) {
      replace(
        body,
        h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No findings in this range.')),
      );
      return;
    }
    replace(
      body,
      ...data.map((finding) => {
        const severity = SEVERITY_NAMES[finding.severityId] ?? String(finding.severityId);
        return h(
          'tr',
          { class: `severity-${finding.severityId}` },
          h('td', {}, h('span', { class: `badge sev-${finding.severityId}` }, severity)),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                onclick: () => open(finding.title ?? 'Finding', finding),
              },
              finding.ruleName ?? finding.ruleId ?? '—',
            ),
            finding.title ? h('div', { class: 'sub' }, finding.title) : null,
          ),
          h('td', {}, STATUS_NAMES[finding.statusId] ?? '—'),
          h('td', {}, summarize(finding.group)),
          h('td', {}, summarize(finding.evidence)),
          h('td', {}, formatTime(finding.lastSeen ?? finding.time, true)),
          h(
            'td',
            {},
            h(
              'button',
              { type: 'button', class: 'link', onclick: () => apply(filtersOfFinding(finding)) },
              'Show events',
            ),
          ),
        );
      }),
    );
  });
}
