/**
 * Admin changes: what admins and deploys did to the pool (CloudTrail's management
 * calls), newest first: time, operation and outcome, the actor (its ARN shortened, the
 * whole ARN on hover and in the drill-down, the access key id, the session issuer), the
 * target user or resource, the source IP and what changed. An actor filters the page by
 * itself; a row (click, Enter or Space) opens the whole OCSF event. Live changes from
 * the feed go on top.
 */
import type { AdminChange } from '../api.js';
import { byId, h, replace } from '../dom.js';
import type { Filters } from '../filters.js';
import { formatTime, SEVERITY_NAMES } from '../format.js';
import { shortPrincipal } from '../live/admin-rows.js';
import type { Store } from '../store.js';

const COLUMNS = 6;
/** Live changes put on top are kept up to this many rows (older ones are a page away). */
const MAX_LIVE_ROWS = 200;
/** At most this many names of changed members are listed in a row (the drill-down has all). */
const MAX_CHANGES = 6;

export interface AdminChangesDeps {
  store: Store;
  apply(filters: Filters): void;
  open(title: string, value: unknown): void;
  /** The whole event of a history row (live rows carry theirs). */
  fetchEvent(change: AdminChange): Promise<unknown>;
  loadMore(): void;
}

/** Flags the CloudTrail mapping set, as short words. */
function flagsOf(change: AdminChange): string[] {
  const flags: string[] = [];
  if (change.flags.triggerTampered) flags.push('trigger detached or replaced');
  if (change.flags.weakened) flags.push('security weakened');
  if (change.flags.privileged) flags.push('privileged group');
  if (change.flags.clientWidened) flags.push('client widened');
  return flags;
}

function targetOf(change: AdminChange): (Node | string)[] {
  const { target } = change;
  const parts: (Node | string)[] = [];
  if (target.userUid) parts.push(h('span', { class: 'mono' }, `user ${target.userUid}`));
  if (target.group) parts.push(h('div', {}, `group ${target.group}`));
  if (!target.userUid && !target.group && target.resourceType) {
    const name = target.resourceName ?? target.resourceUid;
    parts.push(`${target.resourceType}${name ? ` ${name}` : ''}`);
  }
  return parts.length > 0 ? parts : ['—'];
}

function changedOf(change: AdminChange): string {
  if (change.outcome === 'failure') return `failed: ${change.errorCode ?? 'error'}`;
  if (change.changes.length === 0) return '—';
  const shown = change.changes.slice(0, MAX_CHANGES).join(', ');
  const more = change.changes.length - MAX_CHANGES;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

export function mountAdminChanges(deps: AdminChangesDeps): { add(change: AdminChange): void } {
  const { store } = deps;
  const body = byId<HTMLTableSectionElement>('admin-body');
  const more = byId<HTMLButtonElement>('admin-more');
  const byRow = new WeakMap<HTMLTableRowElement, AdminChange>();

  const open = (tr: HTMLTableRowElement) => {
    const change = byRow.get(tr);
    if (!change) return;
    const title = `${change.operation ?? 'Admin change'} at ${formatTime(change.time, true)}`;
    if (change.raw !== undefined) {
      deps.open(title, change.raw);
      return;
    }
    tr.setAttribute('aria-busy', 'true');
    deps
      .fetchEvent(change)
      .then((event) => deps.open(title, event))
      .catch((error: Error) =>
        deps.open(`${title} (the whole event could not be loaded: ${error.message})`, change),
      )
      .finally(() => tr.removeAttribute('aria-busy'));
  };
  body.addEventListener('click', (event) => {
    const target = event.target as Element;
    if (target.closest('button')) return;
    const tr = target.closest('tr');
    if (tr) open(tr);
  });
  body.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    if ((event.target as Element).closest('button')) return;
    const tr = (event.target as Element).closest('tr');
    if (tr) {
      event.preventDefault();
      open(tr);
    }
  });
  more.addEventListener('click', () => deps.loadMore());

  const row = (change: AdminChange): HTMLTableRowElement => {
    const { actor } = change;
    const who = shortPrincipal(actor.arn, actor.name);
    const full = actor.arn ?? actor.name;
    const severity = change.severityId ?? 1;
    const flags = flagsOf(change);
    const tr = h(
      'tr',
      { tabindex: 0, 'data-uid': change.uid ?? '', class: change.outcome ?? '' },
      h(
        'td',
        {},
        h('time', { datetime: new Date(change.time).toISOString() }, formatTime(change.time, true)),
      ),
      h(
        'td',
        {},
        change.operation ?? change.typeName ?? '—',
        severity >= 3
          ? h(
              'div',
              {},
              h('span', { class: `badge sev-${severity}` }, SEVERITY_NAMES[severity] ?? ''),
              ` ${flags.join(', ')}`,
            )
          : flags.length > 0
            ? h('div', { class: 'sub' }, flags.join(', '))
            : null,
        change.outcome === 'failure'
          ? h('div', {}, h('span', { class: 'badge failure' }, 'Failure'))
          : null,
      ),
      h(
        'td',
        {},
        full
          ? h(
              'button',
              {
                type: 'button',
                class: 'link',
                title: `${full} (show only this actor's changes)`,
                'aria-label': `${who}: show only the changes of ${full}`,
                onclick: () => deps.apply({ ...store.get().filters, actor: full }),
              },
              who,
            )
          : '—',
        actor.accessKeyId
          ? h('div', { class: 'sub mono', title: 'access key id' }, actor.accessKeyId)
          : null,
        actor.sessionIssuer && actor.sessionIssuer !== actor.arn
          ? h(
              'div',
              { class: 'sub', title: actor.sessionIssuer },
              `via ${shortPrincipal(actor.sessionIssuer)}`,
            )
          : null,
        actor.invokedBy ? h('div', { class: 'sub' }, `by ${actor.invokedBy}`) : null,
      ),
      h('td', {}, ...targetOf(change)),
      h('td', {}, change.ip ? `${change.ip}${change.country ? ` (${change.country})` : ''}` : '—'),
      h('td', {}, changedOf(change)),
    );
    byRow.set(tr, change);
    return tr;
  };

  const empty = (text: string, error = false) =>
    h('tr', {}, h('td', { colspan: COLUMNS, class: error ? 'message error' : 'empty' }, text));

  store.on('adminChanges', ({ data, loading, error }) => {
    body.closest('section')?.setAttribute('aria-busy', String(loading));
    if (error) {
      replace(body, empty(`Admin changes unavailable: ${error}`, true));
      return;
    }
    if (loading) return;
    const rows = data?.rows ?? [];
    if (rows.length === 0) replace(body, empty('No admin changes match the filters.'));
    else replace(body, ...rows.map(row));
    more.hidden = !data?.nextCursor;
  });

  return {
    /** A live change that passes the filters, on top (once). */
    add(change) {
      const current = store.get().adminChanges.data;
      if (change.uid && current?.rows.some((r) => r.uid === change.uid)) return;
      const rows = [change, ...(current?.rows ?? [])].slice(0, MAX_LIVE_ROWS);
      store.set('adminChanges', {
        data: { rows, nextCursor: current?.nextCursor ?? null },
        loading: false,
      });
    },
  };
}
