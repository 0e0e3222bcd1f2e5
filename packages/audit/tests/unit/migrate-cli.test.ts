import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateMain as main } from '../../src/cli/index.js';

let dir: string;
const out: string[] = [];
const err: string[] = [];
const io = {
  stdout: (text: string) => out.push(text),
  stderr: (text: string) => err.push(text),
  env: {},
};
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'authwatch-migrate-'));
  out.length = 0;
  err.length = 0;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (classUid: number, time: number) =>
  `${JSON.stringify({ class_uid: classUid, time, metadata: { uid: `${classUid}-${time}` } })}\n`;

describe('authwatch-audit-migrate', () => {
  it('moves the old objects and prints what went where', async () => {
    const old = join(
      dir,
      'ext/authwatch/region=us-east-1/accountId=000000000000/eventDay=20261206',
    );
    await mkdir(old, { recursive: true });
    const day = Date.UTC(2026, 11, 6, 8);
    await writeFile(join(old, 'o-1'), record(3002, day) + record(3001, day - 86_400_000));

    const code = await main([dir], io);

    expect(code).toBe(0);
    expect(out.join('')).toContain('1 → authwatch-account-change/20261205');
    expect(err.join('')).toBe(
      'moved 1 objects into 2 (authwatch-account-change 1, authwatch-authentication 1)\n',
    );
    expect(await readdir(join(dir, 'ext'))).toEqual([
      'authwatch-account-change',
      'authwatch-authentication',
    ]);
  });

  it('exits 1 and names where it kept the records it could not place', async () => {
    const old = join(
      dir,
      'ext/authwatch/region=us-east-1/accountId=000000000000/eventDay=20261206',
    );
    await mkdir(old, { recursive: true });
    await writeFile(join(old, 'o-1'), record(4001, Date.UTC(2026, 11, 6)));

    const code = await main([dir, '--quiet'], io);

    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('')).toMatch(
      /1 records not placed, kept in .*errors\/authwatch\/migration-failed\/o-1/,
    );
  });

  it('refuses an object outside the old layout and bad usage', async () => {
    await mkdir(join(dir, 'ext/authwatch/stray'), { recursive: true });
    await writeFile(join(dir, 'ext/authwatch/stray/o'), record(3002, 1));

    expect(await main([dir], io)).toBe(2);
    expect(err.join('')).toContain(
      'is not under ext/authwatch/region=<region>/accountId=<account>/',
    );
    expect(await main([], io)).toBe(2);
    expect(await main(['--colour'], io)).toBe(2);
  });
});
