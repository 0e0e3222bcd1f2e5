/**
 * Where DuckDB's SQL differs from Athena's (Trino), DuckDB gets a macro with Trino's
 * name and meaning, so the rules compile to ONE SQL text. The whole shim:
 *
 * | Trino | DuckDB macro body | why |
 * | --- | --- | --- |
 * | `sequence(a, b)` | `generate_series(a, b)` | DuckDB names the inclusive integer range differently |
 * | `slice(list, start, n)` | `list_slice(list, start, start + n - 1)` | DuckDB's slice takes an end index, Trino's a length |
 * | `json_format(json)` | `CAST(json AS VARCHAR)` | JSON text of a JSON value |
 * | `great_circle_distance(lat1, lon1, lat2, lon2)` | haversine, radius 6371.01 km | no geo function in DuckDB's core (Trino uses the same radius) |
 *
 * Everything else the compiler writes (`CAST(x AS JSON)`, `array_agg(DISTINCT ..)
 * FILTER (WHERE ..)`, `array_sort`, `max_by(x, t, n)`, `split_part`, `lag`, `%`,
 * `CROSS JOIN UNNEST(..) AS w (k)`, `ARRAY[..]`) means the same in both.
 */
export const DUCKDB_MACROS: readonly string[] = [
  'CREATE OR REPLACE MACRO sequence(a, b) AS generate_series(a, b)',
  'CREATE OR REPLACE MACRO slice(l, s, n) AS list_slice(l, s, s + n - 1)',
  'CREATE OR REPLACE MACRO json_format(j) AS CAST(j AS VARCHAR)',
  `CREATE OR REPLACE MACRO great_circle_distance(lat1, lon1, lat2, lon2) AS
    6371.01 * 2 * asin(sqrt(pow(sin(radians(lat2 - lat1) / 2), 2)
      + cos(radians(lat1)) * cos(radians(lat2)) * pow(sin(radians(lon2 - lon1) / 2), 2)))`,
];
