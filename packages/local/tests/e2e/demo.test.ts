/**
 * `pnpm demo` as a new user meets it when no stack is running: the tour starts its own
 * stack, whose live view prints every audit event. The tour's and the live view's lines
 * are captured together, so the test reads them in the order a terminal shows them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo.js';
import { readMailbox } from '../../src/ses.js';
import { startTestStack } from './helpers.js';

let stack: Awaited<ReturnType<typeof startTestStack>>;
const lines: string[] = [];
/** Keeps what a terminal would show, one entry per line. */
const capture = (text: string) => lines.push(...text.split('\n'));

beforeAll(async () => {
  stack = await startTestStack({ quiet: false, print: capture });
  await runDemo({
    outputs: stack.outputs,
    print: capture,
    settle: () => stack.settle(),
  });
}, 60_000);

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
  it('walks through the seven steps in order', () => {
    const headings = lines.filter((line) => /^── \d\. /.test(line));
    expect(headings.map((line) => line.slice(3, 4))).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  it('shows the burst of wrong codes found, alerted and answered with a lock', () => {
    const step = lineOf('── 7. ');
    expect(lines[lineOf('finding after', step)]).toMatch(
      /^ {3}finding after \d+\.\d s: HIGH OTP brute force on one user \(Detection Finding [0-9a-f-]{36}\)$/,
    );
    expect(lines[lineOf('alert mail to security@example.com', step)]).toContain(
      '[Authwatch HIGH] NEW: OTP brute force on one user',
    );
    expect(lines[lineOf('response:', step)]).toMatch(/^ {3}response: (FAILED )?detection response/);
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

  it('counts the audit records of the tour in the Firehose layout', () => {
    const summary = lines[lineOf(' records in ')] as string;
    expect(summary).toMatch(/^ {3}\d+ records in \d+ objects under /);
    expect(lines.some((line) => line.includes('were not written yet'))).toBe(false);
    for (const kind of ['PreSignUp_SignUp', 'TokenGeneration_Authentication']) {
      expect(lines[lineOf(kind, lineOf('── 6. '))]).toMatch(new RegExp(`^ +\\d+ {2}${kind}$`));
    }
  });

  it('prints no code in full and no token', async () => {
    const codes = (await readMailbox(stack.outputs.sesEndpoint))
      .flatMap((mail) => `${mail.body.text ?? ''} ${mail.body.html ?? ''}`.match(/\b\d{6}\b/g))
      .filter((code): code is string => code !== null && code !== undefined);
    expect(codes.length).toBeGreaterThanOrEqual(2);
    const output = lines.join('\n');
    for (const code of codes) expect(output).not.toContain(code);
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });
});
