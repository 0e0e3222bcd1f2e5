/**
 * The Glue columns' Hive types (`struct<a:int,b:array<string>>`) in the other engines'
 * spellings: Presto/Trino (Athena views) and DuckDB (the local view's empty skeleton).
 */

export type HiveType =
  | { kind: 'primitive'; name: string }
  | { kind: 'array'; element: HiveType }
  | { kind: 'struct'; fields: { name: string; type: HiveType }[] };

const PRIMITIVES = new Set(['int', 'bigint', 'string', 'boolean', 'double', 'float']);

/** Parses a Hive type of the audit columns; a type outside that set throws naming it. */
export function parseHiveType(text: string): HiveType {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`Hive type ${JSON.stringify(text)}: ${why} at ${at}`);
  };
  const word = (): string => {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at));
    if (!match) return fail('a name was expected');
    at += match[0].length;
    return match[0];
  };
  const expect = (char: string) => {
    if (text[at] !== char) fail(`'${char}' was expected`);
    at += 1;
  };
  const type = (): HiveType => {
    const name = word().toLowerCase();
    if (name === 'array') {
      expect('<');
      const element = type();
      expect('>');
      return { kind: 'array', element };
    }
    if (name === 'struct') {
      expect('<');
      const fields: { name: string; type: HiveType }[] = [];
      for (;;) {
        const field = word();
        expect(':');
        fields.push({ name: field, type: type() });
        if (text[at] === ',') {
          at += 1;
          continue;
        }
        expect('>');
        return { kind: 'struct', fields };
      }
    }
    if (!PRIMITIVES.has(name)) fail(`unsupported type ${name}`);
    return { kind: 'primitive', name };
  };
  const parsed = type();
  if (at !== text.length) fail('unexpected text');
  return parsed;
}

const PRESTO: Record<string, string> = {
  int: 'integer',
  bigint: 'bigint',
  string: 'varchar',
  boolean: 'boolean',
  double: 'double',
  float: 'real',
};

/** The Presto/Trino spelling (`row(a integer, b array(varchar))`), as Athena views store it. */
export function prestoType(type: HiveType): string {
  if (type.kind === 'array') return `array(${prestoType(type.element)})`;
  if (type.kind === 'struct') {
    return `row(${type.fields.map((f) => `${f.name} ${prestoType(f.type)}`).join(', ')})`;
  }
  return PRESTO[type.name] as string;
}

const DUCKDB: Record<string, string> = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  double: 'DOUBLE',
  float: 'FLOAT',
};

/** The DuckDB spelling (`STRUCT("a" INTEGER, "b" VARCHAR[])`). */
export function duckdbType(type: HiveType): string {
  if (type.kind === 'array') return `${duckdbType(type.element)}[]`;
  if (type.kind === 'struct') {
    return `STRUCT(${type.fields.map((f) => `"${f.name}" ${duckdbType(f.type)}`).join(', ')})`;
  }
  return DUCKDB[type.name] as string;
}
