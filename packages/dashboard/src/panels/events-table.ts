/**
 * The sign-in activity table: the newest events of the range from the API, with the
 * live feed's events put on top as they arrive. Rows arriving fast (hundreds a second)
 * are drawn once per animation frame, in one fragment, and the table keeps at most
 * MAX_ROWS rows. A row opens the whole event (Enter or a click).
 */
import type { EventRow } from '../api.js';
import { byId, h, replace } from '../dom.js';
import { formatTime } from '../format.js';
import { rowMatches } from '../live/rows.js';
import type { Store } from '../store.js';

export const MAX_ROWS = 300;
/**
 * New rows are drawn at most this often: at hundreds of events a second, drawing every
 * frame would spend the frame budget on the table's layout and paint; five times a
 * second keeps the page smooth and a single event still shows at once.
 */
export const DRAW_EVERY_MS = 200;

export interface EventsTableDeps {
  store: Store;
  open(title: string, value: unknown): void;
  /** The whole event of a history row (live rows carry theirs). */
  fetchEvent(row: EventRow): Promise<unknown>;
  loadMore(): void;
  /** Epoch ms (tests). */
  now?: () => number;
}

function cells(row: EventRow): HTMLTableRowElement {
  const outcome =
    row.outcome === 'success' ? 'Success' : row.outcome === 'failure' ? 'Failure' : '—';
  const place = row.ip ? `${row.ip}${row.country ? ` (${row.country})` : ''}` : '—';
  const tr = h(
    'tr',
    { tabindex: 0, 'data-uid': row.uid ?? '', class: row.outcome ?? '' },
    h(
      'td',
      {},
      h('time', { datetime: new Date(row.time).toISOString() }, formatTime(row.time, true)),
    ),
    h('td', {}, h('span', { class: `badge ${row.outcome ?? ''}` }, outcome)),
    h('td', {}, row.eventCode ?? row.typeName ?? '—'),
    h('td', {}, row.user ?? '—'),
    h('td', {}, place),
    h('td', { class: 'mono' }, row.client ?? '—'),
    h('td', {}, row.reason ?? (row.outcome === 'failure' ? (row.statusDetail ?? '') : '')),
  );
  return tr;
}

export function mountEventsTable(deps: EventsTableDeps): { add(rows: EventRow[]): void } {
  const { store } = deps;
  const body = byId<HTMLTableSectionElement>('events-body');
  const more = byId<HTMLButtonElement>('events-more');
  const count = byId('events-count');
  const byRow = new WeakMap<HTMLTableRowElement, EventRow>();
  const shown = new Set<string>();
  let pending: EventRow[] = [];
  let scheduled = false;
  let lastDraw = 0;

  const open = (tr: HTMLTableRowElement) => {
    const row = byRow.get(tr);
    if (!row) return;
    const title = `${row.eventCode ?? row.typeName ?? 'Event'} at ${formatTime(row.time, true)}`;
    if (row.raw !== undefined) {
      deps.open(title, row.raw);
      return;
    }
    tr.setAttribute('aria-busy', 'true');
    deps
      .fetchEvent(row)
      .then((event) => deps.open(title, event))
      .catch((error: Error) =>
        deps.open(`${title} (the whole event could not be loaded: ${error.message})`, row),
      )
      .finally(() => tr.removeAttribute('aria-busy'));
  };
  body.addEventListener('click', (event) => {
    const tr = (event.target as Element).closest('tr');
    if (tr) open(tr);
  });
  body.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const tr = (event.target as Element).closest('tr');
    if (tr) {
      event.preventDefault();
      open(tr);
    }
  });
  more.addEventListener('click', () => deps.loadMore());

  const rowElement = (row: EventRow) => {
    const tr = cells(row);
    byRow.set(tr, row);
    if (row.uid) shown.add(row.uid);
    return tr;
  };

  const updateCount = () => {
    count.textContent = `${body.rows.length} events shown`;
  };

  /** Everything again: the API's page with the matching live rows on top. */
  const renderAll = () => {
    const { events, live, filters } = store.get();
    const now = deps.now?.() ?? Date.now();
    shown.clear();
    const rows: EventRow[] = [];
    const seen = new Set<string>();
    const matching = live.filter((row) => rowMatches(row, filters, now));
    for (const row of [...matching, ...(events.data?.rows ?? [])]) {
      if (row.uid && seen.has(row.uid)) continue;
      if (row.uid) seen.add(row.uid);
      rows.push(row);
    }
    rows.sort((a, b) => b.time - a.time);
    const fragment = document.createDocumentFragment();
    for (const row of rows.slice(0, Math.max(MAX_ROWS, events.data?.rows.length ?? 0))) {
      fragment.appendChild(rowElement(row));
    }
    body.replaceChildren(fragment);
    if (rows.length === 0) {
      body.appendChild(
        h(
          'tr',
          {},
          h(
            'td',
            { colspan: 7, class: 'empty' },
            events.loading ? 'Loading…' : 'No events match the filters.',
          ),
        ),
      );
    }
    more.hidden = !events.data?.nextCursor;
    updateCount();
  };

  const flush = () => {
    scheduled = false;
    const started = performance.now();
    lastDraw = started;
    const rows = pending.filter((row) => !row.uid || !shown.has(row.uid));
    pending = [];
    if (rows.length === 0) return;
    const empty = body.querySelector('td.empty');
    if (empty) empty.closest('tr')?.remove();
    const fragment = document.createDocumentFragment();
    for (const row of rows.sort((a, b) => b.time - a.time)) fragment.appendChild(rowElement(row));
    body.insertBefore(fragment, body.firstChild);
    while (body.rows.length > MAX_ROWS) {
      const last = body.rows[body.rows.length - 1];
      const row = last ? byRow.get(last) : undefined;
      if (row?.uid) shown.delete(row.uid);
      last?.remove();
    }
    updateCount();
    // The benchmark reads these: the script time of each frame's new rows.
    performance.measure('authwatch:live-rows', { start: started });
  };

  store.on('events', ({ loading, error }) => {
    body.closest('section')?.setAttribute('aria-busy', String(loading));
    if (error) {
      replace(
        body,
        h(
          'tr',
          {},
          h('td', { colspan: 7, class: 'message error' }, `Events unavailable: ${error}`),
        ),
      );
      return;
    }
    if (!loading) renderAll();
  });

  return {
    /** Live rows that pass the filters: drawn on an animation frame, at most every DRAW_EVERY_MS. */
    add(rows) {
      pending.push(...rows);
      if (scheduled) return;
      scheduled = true;
      const wait = Math.max(0, lastDraw + DRAW_EVERY_MS - performance.now());
      setTimeout(() => requestAnimationFrame(flush), wait);
    },
  };
}
