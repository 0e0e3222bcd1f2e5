import { challengeFailed, logonSucceeded } from '@authwatch/audit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findingOfEvent, rowMatches, rowOfEvent } from '../../src/live/rows.js';
import { filtersOfFinding } from '../../src/panels/findings.js';
import { demoFinding } from '../support/demo-data.js';

const NOW = Date.UTC(2026, 11, 6, 12);
const ctx = {
  userPoolId: 'eu-west-1_AbC123',
  region: 'eu-west-1',
  triggerSource: 'VerifyAuthChallengeResponse_Authentication',
  clientId: 'webclient123',
  userName: 'alice@example.com',
  userSub: '11111111-2222-3333-4444-555555555555',
  sourceIp: '198.51.100.7',
  now: NOW - 60_000,
};

describe('the events behind a finding', () => {
  it('leave out a group value the audit redacted', () => {
    const finding = findingOfEvent({
      ...demoFinding(NOW, 5),
      unmapped: { group: { 'user.name': '[REDACTED]' } },
    })!;

    expect(filtersOfFinding(finding)).toEqual({
      range: 'custom',
      from: NOW - 26 * 60_000,
      to: NOW - 4 * 60_000,
    });
  });
});

describe('live events as table rows', () => {
  it('reads a failed challenge as a failure row with user, IP, client and reason', () => {
    const event = challengeFailed(ctx, { mode: 'email-otp', attempt: 2, maxAttempts: 3 });

    expect(rowOfEvent(event)).toMatchObject({
      time: NOW - 60_000,
      outcome: 'failure',
      eventCode: 'VerifyAuthChallengeResponse_Authentication',
      user: 'alice@example.com',
      ip: '198.51.100.7',
      client: 'webclient123',
      reason: 'Challenge failed',
      raw: event,
    });
  });

  it('keeps a row only when it passes every filter', () => {
    const row = rowOfEvent(
      logonSucceeded(
        { ...ctx, triggerSource: 'PostAuthentication_Authentication' },
        { newDevice: false },
      ),
    )!;

    expect(rowMatches(row, { range: '15m' }, NOW)).toBe(true);
    expect(rowMatches(row, { range: '15m', outcome: 'failure' }, NOW)).toBe(false);
    expect(rowMatches(row, { range: '1h', ip: '198.51.100.7', client: 'webclient123' }, NOW)).toBe(
      true,
    );
    expect(rowMatches(row, { range: '1h', user: 'bob@example.com' }, NOW)).toBe(false);
    expect(rowMatches(row, { range: 'custom', from: NOW - 30_000, to: NOW }, NOW)).toBe(false);
    expect(rowMatches(row, { range: '1h', type: 'PostAuthentication_Authentication' }, NOW)).toBe(
      true,
    );
  });

  it('ignores anything on the feed that is not an OCSF event object', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const row = rowOfEvent(value);
        if (row) expect(typeof row.time).toBe('number');
        const finding = findingOfEvent(value);
        if (finding) expect(typeof finding.time).toBe('number');
      }),
    );
  });

  it('reads a Detection Finding and turns it into the filters of its events', () => {
    const finding = findingOfEvent(demoFinding(NOW, 5))!;

    expect(finding).toMatchObject({
      uid: 'brute-force-ip:203.0.113.250',
      ruleName: 'Brute force from one IP',
      severityId: 4,
      group: { 'src_endpoint.ip': '203.0.113.250' },
    });
    expect(filtersOfFinding(finding)).toEqual({
      range: 'custom',
      from: NOW - 26 * 60_000,
      to: NOW - 4 * 60_000,
      ip: '203.0.113.250',
    });
  });
});
