/**
 * The page: reads config.json, signs in, then loads every panel for the filters in the
 * URL, follows the live feed, and refreshes the history of a sliding range every
 * REFRESH_MS. Each panel is its own module over the one store.
 */

import type { EventRow } from './api.js';
import { type Api, createApi, DIMENSIONS, type Dimension, isAbort } from './api.js';
import { createCognitoClient } from './auth/cognito.js';
import { createSession, type SessionUser } from './auth/session.js';
import { type PageConfig, parseConfig } from './config.js';
import { byId } from './dom.js';
import { type Filters, readFilters, writeFilters } from './filters.js';
import { adminChangeMatches, adminChangeOfEvent } from './live/admin-rows.js';
import { createEventsClient, type EventsClient, tokenAuth } from './live/appsync-events.js';
import { findingOfEvent, rowMatches, rowOfEvent } from './live/rows.js';
import { iamAuth, identityPoolCredentials } from './live/sigv4.js';
import { mountAdminChanges } from './panels/admin-changes.js';
import { mountCounters } from './panels/counters.js';
import { mountDrillDown } from './panels/drill-down.js';
import { mountEventsTable } from './panels/events-table.js';
import { mountFilters } from './panels/filters-form.js';
import { mountFindings } from './panels/findings.js';
import { mountSignIn } from './panels/sign-in.js';
import { mountTimeline } from './panels/timeline.js';
import { mountTops } from './panels/tops.js';
import { createStore, idle, type Loadable, type State } from './store.js';

/** How often a sliding range (last 15 min … 7 d) is queried again. */
export const REFRESH_MS = 15_000;
/** Live rows kept in memory. */
const MAX_LIVE = 1_000;

const LIVE_LABELS: Record<string, string> = {
  connecting: 'Live feed: connecting…',
  live: 'Live feed: connected',
  reconnecting: 'Live feed: reconnecting…',
  closed: 'Live feed: off',
};

async function loadConfig(): Promise<PageConfig> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json could not be loaded (${response.status})`);
  return parseConfig(await response.json());
}

export async function startPage(): Promise<void> {
  const fatal = byId('fatal');
  let config: PageConfig;
  try {
    config = await loadConfig();
  } catch (error) {
    fatal.textContent = `The page cannot start: ${(error as Error).message}`;
    fatal.hidden = false;
    return;
  }
  const read = readFilters(location.search);
  const tops = Object.fromEntries(DIMENSIONS.map((d) => [d, idle()])) as State['tops'];
  const store = createStore({
    filters: read.filters,
    summary: idle(),
    series: idle(),
    tops,
    events: idle(),
    findings: idle(),
    adminChanges: idle(),
    live: [],
    liveStatus: { status: 'closed' },
  });
  const cognito = createCognitoClient({
    endpoint: config.cognitoEndpoint,
    userPoolId: config.userPoolId,
    clientId: config.clientId,
  });
  const dashboard = byId('dashboard');
  const who = byId('who');
  const signOutButton = byId<HTMLButtonElement>('sign-out');
  const liveLine = byId('live-status');
  let live: EventsClient | undefined;
  let refresher: number | undefined;

  const session = createSession({
    cognito,
    onEnd: (reason) => {
      live?.close();
      live = undefined;
      if (refresher !== undefined) clearInterval(refresher);
      dashboard.hidden = true;
      signOutButton.hidden = true;
      who.textContent = '';
      store.set('live', []);
      if (reason !== 'refused') signIn.show(reason);
    },
  });
  const api: Api = createApi(config.apiUrl, () => session.accessToken());

  const load = async <T>(key: 'summary' | 'series' | 'findings', run: () => Promise<T>) => {
    const previous = store.get()[key] as Loadable<T>;
    store.set(key, { ...previous, loading: true } as never);
    try {
      store.set(key, { data: await run(), loading: false } as never);
    } catch (error) {
      if (isAbort(error)) return;
      store.set(key, { loading: false, error: (error as Error).message } as never);
    }
  };
  const loadTop = async (dimension: Dimension, filters: Filters) => {
    const set = (value: Loadable<State['tops'][Dimension]['data']>) =>
      store.set('tops', { ...store.get().tops, [dimension]: value } as State['tops']);
    set({ ...store.get().tops[dimension], loading: true });
    try {
      set({ data: (await api.top(filters, dimension)).items, loading: false });
    } catch (error) {
      if (!isAbort(error)) set({ loading: false, error: (error as Error).message });
    }
  };
  const loadEvents = async (filters: Filters, more = false) => {
    const current = store.get().events;
    store.set('events', { ...current, loading: true });
    try {
      const page = await api.events(
        filters,
        more ? (current.data?.nextCursor ?? undefined) : undefined,
      );
      const rows = more ? [...(current.data?.rows ?? []), ...page.events] : page.events;
      store.set('events', { data: { rows, nextCursor: page.nextCursor }, loading: false });
    } catch (error) {
      if (!isAbort(error)) store.set('events', { loading: false, error: (error as Error).message });
    }
  };
  const loadAdminChanges = async (filters: Filters, more = false) => {
    const current = store.get().adminChanges;
    store.set('adminChanges', { ...current, loading: true });
    try {
      const page = await api.adminChanges(
        filters,
        more ? (current.data?.nextCursor ?? undefined) : undefined,
      );
      const rows = more ? [...(current.data?.rows ?? []), ...page.changes] : page.changes;
      store.set('adminChanges', { data: { rows, nextCursor: page.nextCursor }, loading: false });
    } catch (error) {
      if (!isAbort(error)) {
        store.set('adminChanges', { loading: false, error: (error as Error).message });
      }
    }
  };
  const loadAll = () => {
    const { filters } = store.get();
    void load('summary', () => api.summary(filters));
    void load('series', () => api.series(filters));
    void load('findings', async () => (await api.findings(filters)).findings);
    for (const dimension of DIMENSIONS) void loadTop(dimension, filters);
    void loadEvents(filters);
    void loadAdminChanges(filters);
  };

  const apply = (filters: Filters, push = true) => {
    store.set('filters', filters);
    if (push) {
      const query = writeFilters(filters);
      history.pushState(null, '', query ? `?${query}` : location.pathname);
    }
    if (session.signedIn) loadAll();
  };
  addEventListener('popstate', () => apply(readFilters(location.search).filters, false));

  const open = mountDrillDown();
  mountFilters(store, apply);
  mountCounters(store);
  mountTimeline(store);
  mountTops(store, apply);
  mountFindings(store, apply, open);
  const adminChanges = mountAdminChanges({
    store,
    apply,
    open,
    loadMore: () => void loadAdminChanges(store.get().filters, true),
    fetchEvent: async (change) => {
      if (!change.uid) throw new Error('the change has no uid');
      return (await api.event(change.uid, change.time)).event;
    },
  });
  const table = mountEventsTable({
    store,
    open,
    loadMore: () => void loadEvents(store.get().filters, true),
    fetchEvent: async (row) => {
      if (!row.uid) throw new Error('the row has no uid');
      return (await api.event(row.uid, row.time)).event;
    },
  });
  store.on('liveStatus', ({ status, detail }) => {
    liveLine.textContent = LIVE_LABELS[status] ?? status;
    liveLine.dataset.status = status;
    liveLine.title = detail ?? '';
  });

  const onLiveEvent = (value: unknown) => {
    const finding = findingOfEvent(value);
    if (finding) {
      const current = store.get().findings.data ?? [];
      store.set('findings', {
        data: [finding, ...current.filter((f) => f.uid !== finding.uid)],
        loading: false,
      });
      return;
    }
    const change = adminChangeOfEvent(value);
    if (change && adminChangeMatches(change, store.get().filters, Date.now())) {
      adminChanges.add(change);
    }
    const row = rowOfEvent(value);
    if (!row) return;
    const state = store.get();
    const kept: EventRow[] = [row, ...state.live];
    if (kept.length > MAX_LIVE) kept.length = MAX_LIVE;
    state.live = kept;
    if (rowMatches(row, state.filters, Date.now())) table.add([row]);
  };

  const connectLive = () => {
    const { liveFeed } = config;
    const authHeaders =
      liveFeed.auth === 'iam' && liveFeed.identityPoolId
        ? iamAuth({
            host: liveFeed.httpHost,
            region: config.region,
            credentials: identityPoolCredentials({
              region: config.region,
              identityPoolId: liveFeed.identityPoolId,
              userPoolId: config.userPoolId,
              idToken: () => session.idToken(),
            }),
          })
        : tokenAuth(liveFeed.httpHost, () => session.accessToken());
    live = createEventsClient({
      realtimeUrl: liveFeed.realtimeUrl,
      authHeaders,
      onStatus: (status, detail) =>
        store.set('liveStatus', { status, ...(detail ? { detail } : {}) }),
    });
    live.subscribe(config.liveFeed.channels.signIn, onLiveEvent);
    live.subscribe(config.liveFeed.channels.detections, onLiveEvent);
  };

  const signIn = mountSignIn({
    config,
    cognito,
    session,
    onSignedIn: (user: SessionUser) => {
      performance.mark('authwatch:signed-in');
      signIn.hide();
      dashboard.hidden = false;
      signOutButton.hidden = false;
      who.textContent = `Signed in as ${user.email ?? user.username}`;
      connectLive();
      loadAll();
      refresher = window.setInterval(() => {
        if (store.get().filters.range !== 'custom') loadAll();
      }, REFRESH_MS);
      byId('dashboard-title').focus();
    },
  });
  signOutButton.addEventListener('click', () => session.end('You are signed out.', true));
  if (read.dropped.length > 0) {
    byId('filter-problems').textContent = `Ignored from the address: ${read.dropped
      .map((d) => `${d.name} ${d.problem}`)
      .join('; ')}`;
  }
  signIn.show();
}
