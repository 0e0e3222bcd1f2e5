/** The filters form: range, outcome, user, IP, app client, event type, admin actor, severity. */
import { byId, h, replace } from '../dom.js';
import {
  DEFAULT_FILTERS,
  type Filters,
  filterProblem,
  OUTCOMES,
  RANGE_PRESETS,
  SEVERITIES,
  TEXT_FILTERS,
} from '../filters.js';
import type { Store } from '../store.js';

const RANGE_LABELS: Record<string, string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  custom: 'Custom',
};
const TEXT_LABELS: Record<(typeof TEXT_FILTERS)[number], string> = {
  user: 'User',
  ip: 'IP address',
  client: 'App client',
  type: 'Event type',
  actor: 'Admin actor',
};

/** `datetime-local` value of epoch ms in the page's time zone, and back. */
const toLocal = (ms: number) => {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
};
const fromLocal = (value: string) => (value ? new Date(value).getTime() : Number.NaN);

export function mountFilters(store: Store, apply: (filters: Filters) => void): void {
  const form = byId<HTMLFormElement>('filters');
  const problems = h('p', { id: 'filter-problems', role: 'alert', class: 'message' });
  const select = (id: string, options: [string, string][], value: string | undefined) =>
    h(
      'select',
      { id, name: id.replace('filter-', '') },
      ...options.map(([optionValue, label]) =>
        h('option', { value: optionValue, selected: optionValue === (value ?? '') }, label),
      ),
    );

  const render = (filters: Filters) => {
    const range = select(
      'filter-range',
      [...RANGE_PRESETS, 'custom'].map((r) => [r, RANGE_LABELS[r] ?? r]),
      filters.range,
    );
    const from = h('input', {
      id: 'filter-from',
      type: 'datetime-local',
      value: filters.from !== undefined ? toLocal(filters.from) : '',
    });
    const to = h('input', {
      id: 'filter-to',
      type: 'datetime-local',
      value: filters.to !== undefined ? toLocal(filters.to) : '',
    });
    const custom = h(
      'div',
      { class: 'custom-range', hidden: filters.range !== 'custom' },
      h('label', { for: 'filter-from' }, 'From'),
      from,
      h('label', { for: 'filter-to' }, 'To'),
      to,
    );
    range.addEventListener('change', () => {
      custom.hidden = range.value !== 'custom';
      if (range.value === 'custom' && !from.value) {
        const now = Date.now();
        from.value = toLocal(now - 3_600_000);
        to.value = toLocal(now);
      }
    });
    const outcome = select(
      'filter-outcome',
      [
        ['', 'Any outcome'],
        ...OUTCOMES.map((o): [string, string] => [o, o === 'success' ? 'Success' : 'Failure']),
      ],
      filters.outcome,
    );
    const severity = select(
      'filter-severity',
      [
        ['', 'Any severity'],
        ...SEVERITIES.map((s): [string, string] => [s, s[0]!.toUpperCase() + s.slice(1)]),
      ],
      filters.severity,
    );
    const texts = TEXT_FILTERS.map((name) =>
      h('input', {
        id: `filter-${name}`,
        name,
        type: 'search',
        value: filters[name] ?? '',
        autocomplete: 'off',
      }),
    );
    replace(
      form,
      h('div', { class: 'field' }, h('label', { for: 'filter-range' }, 'Time range'), range),
      custom,
      h('div', { class: 'field' }, h('label', { for: 'filter-outcome' }, 'Outcome'), outcome),
      ...TEXT_FILTERS.map((name, index) =>
        h(
          'div',
          { class: 'field' },
          h('label', { for: `filter-${name}` }, TEXT_LABELS[name]),
          texts[index]!,
        ),
      ),
      h('div', { class: 'field' }, h('label', { for: 'filter-severity' }, 'Severity'), severity),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit' }, 'Apply filters'),
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => apply({ ...DEFAULT_FILTERS }) },
          'Clear',
        ),
      ),
      problems,
    );
    form.onsubmit = (event) => {
      event.preventDefault();
      const next: Filters = { range: range.value as Filters['range'] };
      const found: string[] = [];
      if (next.range === 'custom') {
        const fromMs = fromLocal(from.value);
        const toMs = fromLocal(to.value);
        if (!(fromMs < toMs)) found.push('the custom range needs a start before its end');
        else Object.assign(next, { from: fromMs, to: toMs });
      }
      if (outcome.value) next.outcome = outcome.value as Filters['outcome'];
      if (severity.value) next.severity = severity.value as Filters['severity'];
      TEXT_FILTERS.forEach((name, index) => {
        const value = texts[index]!.value.trim();
        const problem = filterProblem(name, value);
        if (problem) found.push(problem);
        else if (value) next[name] = value;
      });
      problems.textContent = found.join('; ');
      if (found.length === 0) apply(next);
    };
  };
  render(store.get().filters);
  store.on('filters', render);
}
