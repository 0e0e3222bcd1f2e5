import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffClaims, runCli } from '../../src/cli.js';
import { DEFAULT_RULES_FILE, PACKAGE_DIR } from '../../src/index.js';
import { FIXED_NOW } from '../helpers.js';

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => FIXED_NOW,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function rulesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-')), 'rules.yaml');
  writeFileSync(file, text);
  return file;
}

const BAD = rulesFile(
  [
    'rules:',
    '  - name: one',
    '    then: { idToken: { claims: { sub: x } }, accessToken: { scopesToAdd: ["a b"] } }',
    '  - then: { accessToken: { claims: { aud: my-api } } }',
  ].join('\n'),
);

describe('authwatch-claims validate', () => {
  it('accepts the default rules', async () => {
    const result = await cli('validate', DEFAULT_RULES_FILE, '--version', '3');

    expect(result.code).toBe(0);
    expect(result.out).toContain('6 rule(s) valid for V3_0');
  });

  it('validates for V3_0 by default, as the stack wires the trigger: the repository’s rules have no warning', async () => {
    const result = await cli('validate', DEFAULT_RULES_FILE);

    expect(result.code).toBe(0);
    expect(result.out).toContain('valid for V3_0');
    expect(result.err).toBe('');
  });

  it('prints warnings but still succeeds, numbering rules from 1', async () => {
    const result = await cli('validate', DEFAULT_RULES_FILE, '--version', '2');

    expect(result.code).toBe(0);
    expect(result.err).toContain('warning: rule 6 (machine-clients)');
  });

  it('lists every error and exits 1', async () => {
    const result = await cli('validate', BAD);

    expect(result.code).toBe(1);
    expect(result.err).toContain('3 problem(s)');
    expect(result.err).toContain('rule 1 (one) then.idToken.claims.sub');
    expect(result.err).toContain('rule 1 (one) then.accessToken.scopesToAdd.0');
    expect(result.err).toContain('rule 2 then.accessToken.claims.aud');
  });

  it('says a V2 feature needs V2_0 when validated for V1_0', async () => {
    const result = await cli('validate', DEFAULT_RULES_FILE, '--version', '1');

    expect(result.code).toBe(1);
    expect(result.err).toContain('needs V2_0');
  });

  it('exits 2 on bad usage', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('frobnicate', 'x')).code).toBe(2);
    expect((await cli('validate')).code).toBe(2);
    expect((await cli('validate', DEFAULT_RULES_FILE, '--version', '7')).code).toBe(2);
    expect((await cli('validate', DEFAULT_RULES_FILE, '--bogus')).code).toBe(2);
  });
});

describe('authwatch-claims preview', () => {
  it('prints both tokens with a diff against the untouched tokens', async () => {
    const result = await cli('preview', DEFAULT_RULES_FILE, '--user', 'v2/authentication');

    expect(result.code).toBe(0);
    expect(result.out).toContain('matched: tenant-claim, group-roles, users-read, admins-admin');
    expect(result.out).toContain('+ tenant: "tenant-42"');
    expect(result.out).toContain('- custom:tenant_id');
    expect(result.out).toMatch(/~ scope: ".*" -> ".*api\/read api\/admin"/);
  });

  it('previews a user given as JSON with client, scopes and groups', async () => {
    const result = await cli(
      'preview',
      DEFAULT_RULES_FILE,
      '--user',
      '{"attributes":{"email":"a@example.com","custom:tenant_id":"t-1"},"groups":["users"]}',
      '--client',
      'webclient',
      '--scopes',
      'openid,api/admin',
      '--json',
    );

    const json = JSON.parse(result.out);
    expect(json.tokens.id).toMatchObject({
      tenant: 't-1',
      aud: 'webclient',
      'cognito:groups': ['users'],
    });
    expect(json.tokens.access.scope).toBe('openid api/read');
    expect(json.diff.access).toContain('+ groups: ["users"]');
  });

  it('previews a machine token with --source and --version 3', async () => {
    const result = await cli(
      'preview',
      DEFAULT_RULES_FILE,
      '--user',
      '{}',
      '--source',
      'TokenGeneration_ClientCredentials',
      '--scopes',
      'api/read,api/admin',
      '--json',
    );

    const json = JSON.parse(result.out);
    expect(json.matched).toEqual(['machine-clients']);
    expect(json.tokens.id).toBeUndefined();
    expect(json.tokens.access).toMatchObject({
      token_kind: 'machine',
      scope: 'api/read',
      aud: 'previewclient0000000000000',
    });
  });

  it('previews a V1_0 fixture with the ID token only changed', async () => {
    const file = rulesFile('rules:\n  - then: { claims: { tenant: "${custom:tenant_id}" } }\n');

    const result = await cli('preview', file, '--user', 'v1/authentication', '--json');

    const json = JSON.parse(result.out);
    expect(json.response.claimsOverrideDetails.claimsToAddOrOverride).toEqual({
      tenant: 'tenant-42',
    });
    expect(json.diff.access).toEqual([]);
  });

  it('exits 2 for a user that is neither JSON nor a fixture', async () => {
    expect((await cli('preview', DEFAULT_RULES_FILE, '--user', 'nobody')).code).toBe(2);
    expect((await cli('preview', DEFAULT_RULES_FILE, '--user', '{bad json')).code).toBe(2);
    expect((await cli('preview', DEFAULT_RULES_FILE)).code).toBe(2);
  });

  it('exits 1 when the rules are invalid', async () => {
    expect((await cli('preview', BAD, '--user', 'v2/authentication')).code).toBe(1);
  });
});

describe('authwatch-claims explain', () => {
  it('shows which rule matched, why others did not, and which rule set each claim', async () => {
    const result = await cli(
      'explain',
      DEFAULT_RULES_FILE,
      '--user',
      'v2/authentication',
      '--groups',
      'users',
    );

    expect(result.code).toBe(0);
    expect(result.out).toContain('✓ tenant-claim: matched');
    expect(result.out).toContain('✗ admins-admin: no match (groups include any of admins)');
    expect(result.out).toContain('tenant = "tenant-42"  <- tenant-claim');
    expect(result.out).toContain('custom:tenant_id suppressed  <- tenant-claim');
    expect(result.out).toContain('+ api/read  <- users-read');
    expect(result.out).toContain('changed by group-roles');
  });

  it('says when a suppression dropped an override, and when stop ended evaluation', async () => {
    const file = rulesFile(
      [
        'rules:',
        '  - { name: set, then: { claims: { nick: x } } }',
        '  - { name: hide, stop: true, then: { suppress: [nick] } }',
        '  - { name: later, then: {} }',
      ].join('\n'),
    );

    const result = await cli('explain', file, '--user', 'v2/authentication');

    expect(result.out).toContain(
      'nick suppressed  <- hide (override by set dropped: suppression wins)',
    );
    expect(result.out).toContain('later: not evaluated (hide stops evaluation)');
  });
});

describe('authwatch-claims as a process', () => {
  const bin = join(PACKAGE_DIR, 'bin', 'claims.js');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('exits 0 for valid rules and 1 for invalid ones', () => {
    const good = run('validate', DEFAULT_RULES_FILE, '--version', '3');
    const bad = run('validate', BAD);

    expect(good.status).toBe(0);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('then.idToken.claims.sub');
  }, 60_000);

  it('prints the schema', () => {
    const result = run('schema');

    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).title).toBe('Authwatch claims rules');
  }, 60_000);
});

describe('claim diff', () => {
  it('lists added, changed and removed claims', () => {
    expect(diffClaims({ a: 1, b: 'x', c: [1] }, { a: 1, b: 'y', d: true })).toEqual([
      '~ b: "x" -> "y"',
      '+ d: true',
      '- c',
    ]);
  });
});

describe('authwatch-claims as a new user meets it', () => {
  it('exits 2 naming a missing rules file, as documented', async () => {
    const result = await cli('validate', '/nonexistent/rules.yaml');

    expect(result.code).toBe(2);
    expect(result.err).toBe('error: cannot read /nonexistent/rules.yaml: no such file');
  });

  it('gives the line and column of a YAML syntax error', async () => {
    const file = rulesFile(['rules:', '  - name: one', '    then: { idToken: [ }'].join('\n'));

    const result = await cli('validate', file);

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/\(syntax\): .+ \(line 3, column \d+\)/);
  });

  it('writes valid JSON Schema with --out, and prints only the schema on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-schema-'));
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['schema', '--out', 'rules.schema.json'], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      cwd: dir,
    });

    expect(code).toBe(0);
    expect(out).toEqual([]);
    const written = JSON.parse(readFileSync(join(dir, 'rules.schema.json'), 'utf8'));
    expect(written).toHaveProperty('$schema');
    const printed = await cli('schema');
    expect(JSON.parse(printed.out)).toEqual(written);
  });

  it('prints only JSON from the documented `pnpm --silent claims schema` at the root', () => {
    const result = spawnSync('pnpm', ['--silent', 'claims', 'schema'], {
      cwd: join(PACKAGE_DIR, '..', '..'),
      encoding: 'utf8',
      timeout: 120_000,
    });

    expect(result.status).toBe(0);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });
});
