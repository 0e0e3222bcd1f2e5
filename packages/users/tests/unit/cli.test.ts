import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKUP_FORMAT } from '../../src/backup-file.js';
import { main } from '../../src/cli.js';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t), tty: false });
  return { code, out: out.join(''), err: err.join('').trim() };
}

function temp(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'users-cli-')), name);
  writeFileSync(file, text);
  return file;
}

const NO_STACK = ['--outputs', '/nonexistent/outputs.json'];

describe('authwatch-users', () => {
  it('lists the commands in --help and says passwords are never exported', async () => {
    const { code, out } = await cli('--help');
    expect(code).toBe(0);
    for (const command of ['export', 'import', 'backup', 'restore']) expect(out).toContain(command);
    expect(out).toContain('Passwords are never exported');
    const exportHelp = await cli('export', '--help');
    expect(exportHelp.out).toContain('never a password');
  });

  it.each([
    [['frob'], "authwatch-users: unknown command 'frob'"],
    [
      ['export', '--format', 'xml'],
      "authwatch-users: option '--format <format>' argument 'xml' is invalid. Allowed choices are csv, json.",
    ],
    [
      ['--quota-share', '2', 'export'],
      "authwatch-users: option '--quota-share <fraction>' argument '2' is invalid. must be a number above 0 and at most 1",
    ],
    [
      ['--user-pool-id', 'not a pool', 'export'],
      'authwatch-users: --user-pool-id "not a pool" is not a user pool id (like eu-west-1_AbC123)',
    ],
    [
      [...NO_STACK, 'export'],
      'authwatch-users: no local stack: /nonexistent/outputs.json does not exist (run `pnpm start`, or pass --user-pool-id for a real pool)',
    ],
    [
      ['restore', '/nonexistent/b.json'],
      'authwatch-users: cannot read /nonexistent/b.json: no such file',
    ],
  ])('exits 2 with one line for %j', async (argv, line) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toBe(line);
  });

  it('refuses a backup of another version or shape before touching any pool', async () => {
    const wrongVersion = temp('b.json', JSON.stringify({ format: BACKUP_FORMAT, version: 7 }));
    expect(await cli(...NO_STACK, 'restore', wrongVersion)).toEqual({
      code: 2,
      out: '',
      err: `authwatch-users: ${wrongVersion} has version 7; this tool reads version 1`,
    });
    const wrongShape = temp(
      'c.json',
      JSON.stringify({ format: BACKUP_FORMAT, version: 1, users: 3 }),
    );
    const result = await cli(...NO_STACK, 'restore', wrongShape);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(new RegExp(`^authwatch-users: ${wrongShape}: [a-zA-Z.0-9]+: .+$`));
  });

  it('asks for the import role on a real pool', async () => {
    const file = temp('u.csv', 'cognito:username\n');
    const { code, err } = await cli('--user-pool-id', 'eu-west-1_Abc123', 'import', file);
    expect(code).toBe(2);
    expect(err).toBe(
      'authwatch-users: --role-arn is required for a real pool (the UserImportRoleArn output of the stack)',
    );
  });
});
