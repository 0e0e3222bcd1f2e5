/**
 * The sign-in activity table: the newest events of the range from the API, with the
 * live feed's events put on top as they arrive. Only the rows in view (and a few
 * around them) are in the DOM: rows have one fixed height, spacer rows stand for the
 * others, so a draw lays out and paints a few dozen rows whatever the list holds. At
 * hundreds of events a second a draw laying out every kept row cost the frames their
 * budget. New rows are drawn on an animation frame, at most every DRAW_EVERY_MS; a
 * reader scrolled down keeps their rows where they are. A row opens the whole event
 * (Enter, Space or a click).
 */
import type { EventRow } from '../api.js';
import { byId, h, replace } from '../dom.js';
import { formatTime } from '../format.js';
import { rowMatches } from '../live/rows.js';
import type { Store } from '../store.js';

/** Live rows kept in the list (the API's page may hold more). */
export const MAX_ROWS = 300;
/**
 * New rows are drawn at most this often: five times a second keeps the page smooth at
 * hundreds of events a second, and a single event still shows at once.
 */
export const DRAW_EVERY_MS = 200;
/** Rows drawn above and below the ones in view. */
const OVERSCAN = 8;
const COLUMNS = 7;

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
  const event = row.eventCode ?? row.typeName ?? '—';
  const reason = row.reason ?? (row.outcome === 'failure' ? (row.statusDetail ?? '') : '');
  // Cells are one line, cut with an ellipsis: the whole value is in the title (and the drill-down).
  const tr = h(
    'tr',
    { tabindex: 0, 'data-uid': row.uid ?? '', class: row.outcome ?? '' },
    h(
      'td',
      {},
      h('time', { datetime: new Date(row.time).toISOString() }, formatTime(row.time, true)),
    ),
    h('td', {}, h('span', { class: `badge ${row.outcome ?? ''}` }, outcome)),
    h('td', { title: event }, event),
    h('td', { title: row.user ?? undefined }, row.user ?? '—'),
    h('td', {}, place),
    h('td', { class: 'mono', title: row.client ?? undefined }, row.client ?? '—'),
    h('td', { title: reason || undefined }, reason),
  );
  return tr;
}

export function mountEventsTable(deps: EventsTableDeps): { add(rows: EventRow[]): void } {
  const { store } = deps;
  const body = byId<HTMLTableSectionElement>('events-body');
  const table = byId<HTMLTableElement>('events');
  const scroller = body.closest('.scroll') as HTMLElement;
  const more = byId<HTMLButtonElement>('events-more');
  const count = byId('events-count');
  const byRow = new WeakMap<HTMLTableRowElement, EventRow>();
  const elements = new WeakMap<EventRow, HTMLTableRowElement>();
  /** Every row of the list, newest first. */
  let rows: EventRow[] = [];
  const shown = new Set<string>();
  let limit = MAX_ROWS;
  let rowHeight = 0;
  let pending: EventRow[] = [];
  let scheduled = false;
  let windowScheduled = false;
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
    let tr = elements.get(row);
    if (!tr) {
      tr = cells(row);
      byRow.set(tr, row);
      elements.set(row, tr);
    }
    return tr;
  };

  const spacer = (height: number) => {
    const td = h('td', { colspan: COLUMNS });
    td.style.height = `${height}px`;
    return h('tr', { class: 'spacer', 'aria-hidden': 'true' }, td);
  };

  /** Draws the rows in view; reads the scroll position first, then writes (no layout thrash). */
  const drawWindow = () => {
    windowScheduled = false;
    if (rows.length === 0) return;
    const height = rowHeight || 32;
    const top = scroller.scrollTop;
    const inView = Math.ceil((scroller.clientHeight || 600) / height);
    const first = Math.max(0, Math.floor(top / height) - OVERSCAN);
    const last = Math.min(rows.length, first + inView + 2 * OVERSCAN);
    const fragment = document.createDocumentFragment();
    if (first > 0) fragment.appendChild(spacer(first * height));
    for (let index = first; index < last; index += 1) {
      const row = rows[index] as EventRow;
      const tr = rowElement(row);
      tr.setAttribute('aria-rowindex', String(index + 2));
      fragment.appendChild(tr);
    }
    if (last < rows.length) fragment.appendChild(spacer((rows.length - last) * height));
    // A focused row drawn again keeps the focus (moving it in the DOM would drop it), so
    // Enter still opens it and Tab goes on to the next row.
    const focused = document.activeElement;
    body.replaceChildren(fragment);
    if (
      focused instanceof HTMLElement &&
      focused !== document.activeElement &&
      body.contains(focused)
    ) {
      focused.focus({ preventScroll: true });
    }
    table.setAttribute('aria-rowcount', String(rows.length + 1));
    if (!rowHeight) {
      // Rows have one height (one line each); measured once, on the first real row.
      const measured = body.querySelector('tr:not(.spacer)')?.getBoundingClientRect().height;
      if (measured) rowHeight = measured;
    }
  };
  scroller.addEventListener('scroll', () => {
    if (windowScheduled) return;
    windowScheduled = true;
    requestAnimationFrame(drawWindow);
  });

  const updateCount = () => {
    count.textContent = `${rows.length} events shown`;
  };

  /** Everything again: the API's page with the matching live rows on top. */
  const renderAll = () => {
    const { events, live, filters } = store.get();
    const now = deps.now?.() ?? Date.now();
    shown.clear();
    const all: EventRow[] = [];
    const matching = live.filter((row) => rowMatches(row, filters, now));
    for (const row of [...matching, ...(events.data?.rows ?? [])]) {
      if (row.uid && shown.has(row.uid)) continue;
      if (row.uid) shown.add(row.uid);
      all.push(row);
    }
    all.sort((a, b) => b.time - a.time);
    limit = Math.max(MAX_ROWS, events.data?.rows.length ?? 0);
    rows = all.slice(0, limit);
    more.hidden = !events.data?.nextCursor;
    updateCount();
    if (rows.length === 0) {
      table.removeAttribute('aria-rowcount');
      replace(
        body,
        h(
          'tr',
          {},
          h(
            'td',
            { colspan: COLUMNS, class: 'empty' },
            events.loading ? 'Loading…' : 'No events match the filters.',
          ),
        ),
      );
      return;
    }
    drawWindow();
  };

  const flush = () => {
    scheduled = false;
    const started = performance.now();
    lastDraw = started;
    const added = pending.filter((row) => !row.uid || !shown.has(row.uid));
    pending = [];
    if (added.length === 0) return;
    for (const row of added) if (row.uid) shown.add(row.uid);
    added.sort((a, b) => b.time - a.time);
    const merged =
      rows.length > 0 && (added.at(-1)?.time ?? 0) < (rows[0]?.time ?? 0)
        ? [...added, ...rows].sort((a, b) => b.time - a.time)
        : [...added, ...rows];
    for (const row of merged.splice(limit)) if (row.uid) shown.delete(row.uid);
    rows = merged;
    // A reader scrolled down keeps the rows they read where they are.
    if (scroller.scrollTop > 0) scroller.scrollTop += added.length * (rowHeight || 32);
    drawWindow();
    updateCount();
    // The benchmark reads these: the script time of each draw of new rows.
    performance.measure('authwatch:live-rows', { start: started });
  };

  store.on('events', ({ loading, error }) => {
    body.closest('section')?.setAttribute('aria-busy', String(loading));
    if (error) {
      rows = [];
      replace(
        body,
        h(
          'tr',
          {},
          h('td', { colspan: COLUMNS, class: 'message error' }, `Events unavailable: ${error}`),
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
