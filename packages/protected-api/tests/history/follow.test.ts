import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDuckDbEngine, HistoryConfigError, readHistoryConfig } from '../../src/index.js';
import { success, writeObject, wrongCode } from './fixtures.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'history-follow-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a DuckDB history engine that follows the audit folder', () => {
  it('loads the objects already there and each new one without waiting for a query', async () => {
    await writeObject(dir, 'a', [success(5), wrongCode(2)]);
    const engine = createDuckDbEngine({
      auditDir: dir,
      follow: true,
      followDelayMs: 0,
      // No whole listing during the test: the watch alone names the new object.
      pollMs: 3_600_000,
    });
    try {
      await vi.waitFor(() => expect(engine.loadedFiles()).toBe(1), { timeout: 30_000 });

      await writeObject(dir, 'b', [wrongCode(1)]);

      await vi.waitFor(() => expect(engine.loadedFiles()).toBe(2), { timeout: 30_000 });
      const [row] = await engine.query('SELECT count(*) AS n FROM authwatch_events', []);
      expect(row).toEqual({ n: 3 });
    } finally {
      await engine.close?.();
    }
  });

  it('loads nothing before its first query when it does not follow', async () => {
    await writeObject(dir, 'a', [success(5)]);
    const engine = createDuckDbEngine({ auditDir: dir });
    try {
      expect(engine.loadedFiles()).toBe(0);
      await engine.sync();
      expect(engine.loadedFiles()).toBe(1);
    } finally {
      await engine.close?.();
    }
  });
});

describe('HISTORY_FOLLOW', () => {
  it('is off unless set to true, and a value other than true or false is refused by name', () => {
    const base = { HISTORY_ENGINE: 'duckdb', HISTORY_AUDIT_DIR: dir };

    expect(readHistoryConfig(base)).toMatchObject({ engine: 'duckdb', follow: false });
    expect(readHistoryConfig({ ...base, HISTORY_FOLLOW: 'true' })).toMatchObject({ follow: true });
    expect(() => readHistoryConfig({ ...base, HISTORY_FOLLOW: 'yes' })).toThrow(
      new HistoryConfigError('HISTORY_FOLLOW', 'must be true or false'),
    );
  });
});
