/**
 * `pnpm demo` as a new user meets it when no stack is running: the tour starts its own
 * stack, whose live view prints every audit event. The tour's and the live view's lines
 * are captured together, so the test reads them in the order a terminal shows them.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMain, runDemo } from '../../src/demo.js';
import { readMailbox } from '../../src/ses.js';
import { startTestStack } from './helpers.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
const lines: string[] = [];
/** Keeps what a terminal would show, one entry per line. */
const capture = (text: string) => lines.push(...text.split('\n'));
/** The lines of a second tour on the same stack. */
const second: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ quiet: false, print: capture });
  await runDemo({
    outputs: stack.outputs,
    print: capture,
    settle: () => stack.settle(),
  });
  await runDemo({ outputs: stack.outputs, print: (text) => second.push(...text.split('\n')) });
}, 120_000);

afterAll(async () => {
  await stack?.cleanup();
});

/** The index of the first line containing `text` (fails the test when there is none). */
function lineOf(text: string, from = 0): number {
  const index = lines.findIndex((line, i) => i >= from && line.includes(text));
  if (index < 0) throw new Error(`no line with "${text}" in:\n${lines.join('\n')}`);
  return index;
}

describe('pnpm demo on its own stack', () => {
  it('walks through the eight steps in order', () => {
    const headings = lines.filter((line) => /^── \d\. /.test(line));
    expect(headings.map((line) => line.slice(3, 4))).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
    ]);
  });

  it('shows the burst of wrong codes found, alerted and answered with a lock', () => {
    const step = lineOf('── 8. ');
    expect(lines[lineOf('finding after', step)]).toMatch(
      /^ {3}finding after \d+\.\d s: HIGH OTP brute force on one user \(Detection Finding [0-9a-f-]{36}\)$/,
    );
    expect(lines[lineOf('alert mail to security@example.com', step)]).toContain(
      '[Authwatch HIGH] NEW: OTP brute force on one user',
    );
    expect(lines[lineOf('response:', step)]).toMatch(/^ {3}response: (FAILED )?detection response/);
  });

  it('shows a wrong password refused and recorded from CloudTrail with its IP and country', () => {
    const wrong = lineOf('── 6. ');
    expect(lines[wrong + 1]).toBe(
      '   refused: NotAuthorizedException: Incorrect username or password.',
    );
    expect(lines[lineOf('recorded from cloudtrail', wrong)]).toMatch(
      /^ {3}recorded from cloudtrail: wrong user name or password, ip 81\.2\.69\.142 \(GB\), under .*ext\/authwatch-authentication\/$/,
    );
  });

  it('shows the sign-up the policy refuses with Cognito’s error', () => {
    expect(lines[lineOf('someone@mailinator.com') + 1]).toMatch(
      /^ {3}refused: UserLambdaValidationException: PreSignUp failed with error .+\.$/,
    );
  });

  it('shows each step’s audit events under that step, before the next heading', () => {
    const signInStep = lineOf('── 3. ');
    const tokensStep = lineOf('── 4. ');
    expect(lineOf('Challenge issued', signInStep)).toBeLessThan(tokensStep);
    expect(lineOf('Sign-in succeeded', signInStep)).toBeLessThan(tokensStep);
    expect(lineOf('Tokens issued', signInStep)).toBeLessThan(tokensStep);
    const refusedStep = lineOf('── 2. ');
    expect(lineOf('✗', refusedStep)).toBeLessThan(signInStep);
  });

  it('shows the customised claims and the protected API’s answers', () => {
    expect(lines[lineOf('ID token:') + 1]).toMatch(/^ {6}sub: "[0-9a-f-]{36}"$/);
    expect(lines.some((line) => /^ {6}scope: ".*api\/read.*"$/.test(line))).toBe(true);
    expect(lines.some((line) => /^ {6}tenant: "tenant-demo"$/.test(line))).toBe(true);
    expect(lines[lineOf('GET /me (any valid token)')]).toContain('→ 200');
    expect(lines[lineOf('GET /reports (needs api/read)')]).toContain('→ 200');
    expect(lines[lineOf('POST /admin/users (needs api/admin)')]).toContain('→ 403');
    expect(lines[lineOf('GET /me without a token')]).toContain('→ 401');
  });

  it('prints each API body whole', () => {
    for (const call of ['GET /me (any valid token)', 'GET /reports (needs api/read)']) {
      const body = (lines[lineOf(call)] as string).split('→ 200 ')[1] as string;
      expect(() => JSON.parse(body)).not.toThrow();
    }
  });

  it('counts only its own records on a stack that already holds an earlier tour’s', () => {
    const countOf = (output: string[], kind: string) => {
      const line = output.find((entry) => new RegExp(`^ +\\d+ {2}${kind}$`).test(entry));
      return Number(line?.trim().split(/\s+/)[0]);
    };
    for (const kind of ['PreSignUp_SignUp', 'TokenGeneration_Authentication']) {
      expect(countOf(lines, kind)).toBeGreaterThan(0);
      expect(countOf(second, kind)).toBe(countOf(lines, kind));
    }
  });

  it('suggests an AWS CLI line that carries a region and credentials', () => {
    const cli = lines[lineOf('aws cognito-idp')] as string;
    expect(cli).toContain('AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local');
    expect(cli).toContain(`--region ${stack.outputs.region}`);
    expect(cli).toContain(`--endpoint-url ${stack.outputs.endpoint}`);
  });

  it('counts the audit records of the tour in the Firehose layout', () => {
    const summary = lines[lineOf(' records of this tour in ')] as string;
    expect(summary).toMatch(/^ {3}\d+ records of this tour in \d+ objects under /);
    expect(lines.some((line) => line.includes('were not written yet'))).toBe(false);
    for (const kind of ['PreSignUp_SignUp', 'TokenGeneration_Authentication']) {
      expect(lines[lineOf(kind, lineOf('── 7. '))]).toMatch(new RegExp(`^ +\\d+ {2}${kind}$`));
    }
  });

  it('prints no code in full and no token', async () => {
    const codes = (await readMailbox(stack.outputs.sesEndpoint))
      .flatMap((mail) => `${mail.body.text ?? ''} ${mail.body.html ?? ''}`.match(/\b\d{6}\b/g))
      .filter((code): code is string => code !== null && code !== undefined);
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const output = lines.join('\n');
    // A code as a word of its own (not six digits inside a longer number or id).
    for (const code of codes) {
      expect(output).not.toMatch(new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`));
    }
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });
});

describe('pnpm demo without a running stack', () => {
  it('runs the tour on a stack in its own folder and leaves the shared outputs.json as it found it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'authwatch-demo-main-'));
    try {
      // What a stopped stack left behind: outputs pointing at an endpoint nothing serves.
      const shared = join(dir, 'outputs.json');
      const stale = JSON.stringify({ ...stack.outputs, endpoint: 'http://127.0.0.1:9' });
      await writeFile(shared, stale);
      const own = join(dir, 'demo');
      const printed: string[] = [];
      // A heading is printed as "\n── n. …": one call, two lines.
      await demoMain({
        outputsFile: shared,
        stateDir: own,
        print: (text) => printed.push(...text.split('\n')),
      });
      expect(printed[0]).toContain('No local stack running: starting one for the tour in');
      expect(printed.some((line) => /^── 7\. /m.test(line))).toBe(true);
      expect(await readFile(shared, 'utf8')).toBe(stale);
      expect(existsSync(join(own, 'outputs.json'))).toBe(true);
      // Stopped at the end: its lock is released.
      expect(existsSync(join(own, 'stack.lock'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
