/**
 * The history routes' SQL texts live in the detections package's query module
 * (`@authwatch/detections/history`), with the detection rules' SQL: one module, two
 * engines (Athena, DuckDB).
 */
export * from '@authwatch/detections/history';
