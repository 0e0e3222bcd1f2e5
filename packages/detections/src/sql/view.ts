/** The view every query reads (the storage layout's union of sources; Athena view, DuckDB view). */
export const EVENTS_VIEW = 'authwatch_events';
