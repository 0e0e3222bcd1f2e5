import { describe, expect, it } from 'vitest';
import { DETECT_ENV, loadDetectConfig } from '../../src/config.js';
import { scrubSecrets } from '../../src/scrub.js';

const athena = {
  [DETECT_ENV.athenaWorkGroup]: 'authwatch-audit-dev',
  [DETECT_ENV.athenaDatabase]: 'authwatch_audit_dev',
  [DETECT_ENV.stateTable]: 'authwatch-dev-findings',
};

describe('the detect configuration', () => {
  it('reads an Athena deployment with its defaults', () => {
    expect(loadDetectConfig(athena)).toEqual({
      engine: 'athena',
      lookbackSeconds: 1_320,
      maxCatchUpSeconds: 21_600,
      athena: {
        workGroup: 'authwatch-audit-dev',
        database: 'authwatch_audit_dev',
        timeoutMs: 120_000,
      },
      state: { table: 'authwatch-dev-findings' },
      responses: false,
    });
  });

  it.each([
    [{ ...athena, DETECT_ENGINE: 'spark' }, /DETECT_ENGINE.*must be one of athena, duckdb/],
    [{ ...athena, DETECT_ATHENA_WORKGROUP: '' }, /DETECT_ATHENA_WORKGROUP is required/],
    [{ ...athena, DETECT_LOOKBACK_SECONDS: '5' }, /DETECT_LOOKBACK_SECONDS must be at least 10/],
    [
      { ...athena, DETECT_ALERT_TOPIC_ARN: 'my-topic' },
      /DETECT_ALERT_TOPIC_ARN must be an SNS topic ARN/,
    ],
    [
      { ...athena, DETECT_RESPONSES: 'true' },
      /DETECT_USER_POOL_ID is required when DETECT_RESPONSES is true/,
    ],
    [
      { ...athena, DETECT_STATE_FILE: '/tmp/x' },
      /DETECT_STATE_FILE cannot be set with DETECT_STATE_TABLE/,
    ],
    [{ DETECT_ENGINE: 'duckdb', DETECT_STATE_FILE: '/tmp/x' }, /DETECT_AUDIT_DIR is required/],
  ])('refuses a bad variable, naming it (%#)', (env, message) => {
    expect(() => loadDetectConfig(env)).toThrow(message);
  });
});

describe('scrubbing evidence', () => {
  it('removes passwords, codes, tokens and JWTs that an upstream source forgot to redact', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';
    const text = `NotAuthorizedException password=hunter2 code: 123456 token ${jwt} key ${'A'.repeat(40)}`;
    const scrubbed = scrubSecrets(text);
    for (const secret of ['hunter2', '123456', jwt, 'A'.repeat(40)])
      expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('NotAuthorizedException');
  });
});

describe('scrubbing keeps what is not a secret', () => {
  it('keeps a UUID user name and an IP, and masks nothing in them', async () => {
    const { scrubEvidence } = await import('../../src/scrub.js');
    const uuid = '70e51195-d24b-42d1-8bed-f7513c1f0a9e';
    expect(scrubEvidence('user.name', uuid)).toBe(uuid);
    expect(scrubEvidence('src_endpoint.ip', '203.0.113.7')).toBe('203.0.113.7');
    expect(scrubEvidence('user.name', `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln`)).toBe(
      '[REDACTED]',
    );
  });
});
