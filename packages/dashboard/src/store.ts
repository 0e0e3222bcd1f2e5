/**
 * The page's one store: the filters and what each panel shows. Panels subscribe to the
 * keys they draw; `set` notifies only the listeners of the keys that changed.
 */
import type { AdminChange, Dimension, EventRow, Finding, Series, Summary, TopItem } from './api.js';
import type { Filters } from './filters.js';
import type { LiveStatus } from './live/appsync-events.js';

export interface Loadable<T> {
  data?: T;
  loading: boolean;
  error?: string;
}

export interface State {
  filters: Filters;
  summary: Loadable<Summary>;
  series: Loadable<Series>;
  tops: Record<Dimension, Loadable<TopItem[]>>;
  events: Loadable<{ rows: EventRow[]; nextCursor: string | null }>;
  findings: Loadable<Finding[]>;
  adminChanges: Loadable<{ rows: AdminChange[]; nextCursor: string | null }>;
  /** Events received over the live feed since sign-in, newest first. */
  live: EventRow[];
  liveStatus: { status: LiveStatus; detail?: string };
}

type Listener<K extends keyof State> = (value: State[K], state: State) => void;

export function createStore(initial: State) {
  const state = initial;
  const listeners = new Map<keyof State, Set<Listener<keyof State>>>();
  return {
    get: () => state,
    set<K extends keyof State>(key: K, value: State[K]): void {
      state[key] = value;
      for (const listener of listeners.get(key) ?? []) listener(value, state);
    },
    on<K extends keyof State>(key: K, listener: Listener<K>): () => void {
      const set = listeners.get(key) ?? new Set();
      set.add(listener as Listener<keyof State>);
      listeners.set(key, set);
      return () => set.delete(listener as Listener<keyof State>);
    },
  };
}

export type Store = ReturnType<typeof createStore>;

export const idle = <T>(): Loadable<T> => ({ loading: false });
