/**
 * The DuckDB engine's incremental mode (the local stack's detect loop): objects stay in a
 * table across refreshes, only new or changed objects are parsed, objects that left the
 * folder or the day range leave the table, and the rules find the same as over a view.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect.js';
import { loadRulesFile } from '../../src/load.js';
import { DEFAULT_RULES_FILE } from '../../src/paths.js';
import { DuckDbEngine, listAuditFiles } from '../../src/query/duckdb.js';
import { MemoryFindingStore } from '../../src/store.js';
import { HOUR, normalDay, passwordFailure, T0, writeAuditObjects } from '../support/events.js';

const rules = loadRulesFile(DEFAULT_RULES_FILE).compiled;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detect-incremental-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function count(engine: DuckDbEngine): Promise<number> {
  return Number((await engine.query('SELECT count(*) AS n FROM authwatch_events', [])).rows[0]?.n);
}

describe('the incremental DuckDB engine', () => {
  it('parses each object once, adds new ones, reloads a changed one and drops a removed one', async () => {
    await writeAuditObjects(dir, normalDay({ users: 20 }), 50);
    const engine = new DuckDbEngine({ dir, incremental: true });
    await engine.refresh();
    const first = await count(engine);
    expect(first).toBeGreaterThan(0);

    // An object of the same size is not parsed again: a value changed in place (which a
    // parse would see) is still the old one in the table.
    const [one] = (await listAuditFiles(dir)).ndjson;
    if (!one) throw new Error('no object');
    const text = await readFile(one, 'utf8');
    const failures = 'SELECT count(*) AS n FROM authwatch_events WHERE status_id = 2';
    const before = Number((await engine.query(failures, [])).rows[0]?.n);
    await writeFile(one, text.replace('"status_id":1', '"status_id":2'));
    const fresh = new DuckDbEngine({ dir });
    expect(Number((await fresh.query(failures, [])).rows[0]?.n)).toBe(before + 1);
    await fresh.close();
    await engine.refresh();
    expect(Number((await engine.query(failures, [])).rows[0]?.n)).toBe(before);
    expect(await count(engine)).toBe(first);
    await writeFile(one, text);

    // A new object is added; a grown object is read again whole (no duplicates).
    await writeAuditObjects(dir, [passwordFailure('late@example.com', '198.18.40.1', T0)], 50);
    await appendFile(one, `${text.split('\n')[0]}\n`);
    await engine.refresh();
    expect(await count(engine)).toBe(first + 2);

    // A removed object leaves the table.
    await rm(one);
    await engine.refresh();
    const linesOfOne = text.split('\n').filter((line) => line.trim() !== '').length + 1;
    expect(await count(engine)).toBe(first + 2 - linesOfOne);
    await engine.close();
  });

  it('keeps only the objects of the refreshed day range', async () => {
    await writeAuditObjects(dir, [
      passwordFailure('old@example.com', '198.18.40.2', T0 - 48 * HOUR),
      passwordFailure('new@example.com', '198.18.40.3', T0),
    ]);
    const engine = new DuckDbEngine({ dir, incremental: true });
    await engine.refresh();
    expect(await count(engine)).toBe(2);
    const day = new Date(T0).toISOString().slice(0, 10).replaceAll('-', '');
    await engine.refresh({ from: day, to: day });
    expect(await count(engine)).toBe(1);
    await engine.close();
  });

  it('finds an attack that lands between two runs, as the view does', async () => {
    await writeAuditObjects(dir, normalDay({ users: 30 }));
    const engine = new DuckDbEngine({ dir, incremental: true });
    const store = new MemoryFindingStore();
    const range = { from: T0 - HOUR, to: T0 + HOUR };
    const run = async () => {
      await engine.refresh();
      return detect({ engine, rules, range, store, now: () => range.to });
    };
    expect((await run()).changes).toEqual([]);
    await writeAuditObjects(
      dir,
      Array.from({ length: 11 }, (_, i) =>
        passwordFailure('hammered@example.com', '198.18.41.1', T0 + i * 20_000),
      ),
    );
    const second = await run();
    await engine.close();
    const view = new DuckDbEngine({ dir });
    const plain = await detect({
      engine: view,
      rules,
      range,
      store: new MemoryFindingStore(),
      now: () => range.to,
    });
    await view.close();
    const ids = (changes: typeof plain.changes) =>
      changes.map((c) => `${c.rule.id} ${JSON.stringify(c.state.group)}`).sort();
    expect(ids(second.changes)).toContain(
      'password-brute-force-user {"user.uid":"sub-hammered@example.com"}',
    );
    expect(ids(second.changes)).toEqual(ids(plain.changes));
  });
});
