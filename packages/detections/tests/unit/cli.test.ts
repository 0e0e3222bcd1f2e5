import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, parseTime } from '../../src/cli.js';
import { HOUR, normalDay, passwordFailure, T0, writeAuditObjects } from '../support/events.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: {
      out: (line: string) => out.push(line),
      err: (line: string) => err.push(line),
      now: () => T0 + HOUR,
    },
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'detect-cli-'));
  await writeAuditObjects(dir, [
    ...normalDay({ users: 30 }),
    ...Array.from({ length: 11 }, (_, i) =>
      passwordFailure('cli-victim@example.com', '198.18.20.1', T0 + i * 30_000),
    ),
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('authwatch-detect', () => {
  it('validates the default rules and their SQL against the Trino grammar', async () => {
    const { out, io: cli } = io();
    expect(await main(['validate'], cli)).toBe(0);
    expect(out.join('\n')).toMatch(/23 rules, 23 enabled, SQL valid for Athena \(Trino\)/);
    // Every default rule names its classes, so none reads every source.
    expect(out.filter((line) => line.startsWith('note:'))).toEqual([]);
  });

  it('notes a rule that names no class (it would scan every source in Athena)', async () => {
    const file = join(dir, 'classless.yaml');
    await writeFile(
      file,
      [
        'rules:',
        '  - id: any-failure-burst',
        '    title: Failures of any kind',
        '    description: Many failures of any class for one user.',
        '    severity: low',
        '    mitre: [T1110]',
        '    filter: { status_id: 2 }',
        '    correlation: { type: event_count, group-by: [user.uid], timespan: 10m, condition: { gte: 50 } }',
        '',
      ].join('\n'),
    );
    const { out, io: cli } = io();
    expect(await main(['validate', file], cli)).toBe(0);
    expect(out.join('\n')).toContain(
      'note: rule any-failure-burst names no class_uid in its filter, so Athena scans every source for it',
    );
  });

  it('lists every problem of a bad rules file and exits 1', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'rules:\n  - id: x1\n    title: t\n');
    const { err, io: cli } = io();
    expect(await main(['validate', file], cli)).toBe(1);
    expect(err.join('\n')).toMatch(/rule x1 description: .*\n.*rule x1 severity/);
  });

  it('backtests the rules over a folder, printing a table and progress', async () => {
    const { out, err, io: cli } = io();
    expect(await main(['run', '--dir', dir, '--from=-2h'], cli)).toBe(0);
    expect(out.join('\n')).toMatch(
      /HIGH\s+password-brute-force-user\s+sub-cli-victim@example\.com\s+2026-11-23T10:00:00Z/,
    );
    expect(err.filter((line) => /^\[\d+\/23\] /.test(line))).toHaveLength(23);
  });

  it('prints OCSF findings as JSON lines, and explains one with the events behind it', async () => {
    const { out, io: cli } = io();
    expect(await main(['run', '--dir', dir, '--from=-2h', '--json'], cli)).toBe(0);
    const findings = out.map((line) => JSON.parse(line));
    const finding = findings.find(
      (f) => f.finding_info.analytic.uid === 'password-brute-force-user',
    );
    expect(finding).toMatchObject({ class_uid: 2004, user: { uid: 'sub-cli-victim@example.com' } });
    const explained = io();
    expect(
      await main(
        ['explain', finding.finding_info.uid, '--dir', dir, '--from=-2h', '--json'],
        explained.io,
      ),
    ).toBe(0);
    const report = JSON.parse(explained.out[0] ?? '{}');
    expect(report.rows).toHaveLength(11);
    expect(report.rows[0]).toMatchObject({
      user_uid: 'sub-cli-victim@example.com',
      source_ip: '198.18.20.1',
    });
  });

  it('refuses a bad time or a missing folder with exit 2 and the reason', async () => {
    const bad = io();
    expect(await main(['run', '--dir', dir, '--from', 'yesterday'], bad.io)).toBe(2);
    expect(bad.err[0]).toContain('"yesterday" is not a time');
    const missing = io();
    expect(await main(['run', '--dir', join(dir, 'nope')], missing.io)).toBe(2);
    expect(missing.err[0]).toContain('no such folder');
  });

  it('reads times as ISO 8601, epoch ms, now and relative spans', () => {
    expect(parseTime('2026-11-23T10:00:00Z', 0)).toBe(T0);
    expect(parseTime(String(T0), 0)).toBe(T0);
    expect(parseTime('now', T0)).toBe(T0);
    expect(parseTime('-90m', T0)).toBe(T0 - 90 * 60_000);
  });
});

describe('authwatch-detect over a folder of exported objects without the Security Lake layout', () => {
  it('reads every NDJSON file in it', async () => {
    const flat = await mkdtemp(join(tmpdir(), 'detect-flat-'));
    try {
      const lines = Array.from({ length: 11 }, (_, i) =>
        JSON.stringify(passwordFailure('flat@example.com', '198.18.21.1', T0 + i * 30_000)),
      );
      await writeFile(join(flat, 'export.ndjson'), `${lines.join('\n')}\n`);
      const { out, io: cli } = io();
      expect(await main(['run', '--dir', flat, '--from=-2h'], cli)).toBe(0);
      expect(out.join('\n')).toMatch(/password-brute-force-user\s+sub-flat@example\.com/);
    } finally {
      await rm(flat, { recursive: true, force: true });
    }
  });
});
