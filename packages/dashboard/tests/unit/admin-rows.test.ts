import { type GeoIp, mapManagementRecord } from '@authwatch/cloudtrail';
import { getTestEvent } from '@authwatch/testing';
import { describe, expect, it } from 'vitest';
import { adminChangeParams, apiParams, readFilters, writeFilters } from '../../src/filters.js';
import {
  adminChangeMatches,
  adminChangeOfEvent,
  shortPrincipal,
} from '../../src/live/admin-rows.js';

const AT = Date.UTC(2026, 10, 23, 21, 45);
const NO_GEO: GeoIp = { lookup: () => ({}) };

/** The OCSF event the CloudTrail handler makes of one of the testing package's records. */
function adminEvent(fixture: string) {
  const record = getTestEvent<{ detail: Record<string, unknown> }>(
    `cloudtrail/management/${fixture}`,
  ).detail;
  const mapped = mapManagementRecord(record, { clientIds: [] }, NO_GEO);
  if (mapped.kind !== 'event') throw new Error(`${fixture} was not mapped`);
  return mapped.event;
}

describe('an IAM principal shortened for reading', () => {
  it('gives a user its name, an assumed role its role and session, the root its account', () => {
    expect(shortPrincipal('arn:aws:iam::123456789012:user/ops/alice')).toBe('alice');
    expect(shortPrincipal('arn:aws:sts::123456789012:assumed-role/pool-admin/ops-session')).toBe(
      'pool-admin/ops-session',
    );
    expect(shortPrincipal('arn:aws:iam::123456789012:root')).toBe('root (123456789012)');
    expect(shortPrincipal('arn:aws:iam::123456789012:role/service-role/deployer')).toBe('deployer');
    expect(shortPrincipal(null, 'pool-admin')).toBe('pool-admin');
    expect(shortPrincipal(null)).toBe('unknown principal');
  });

  it('cuts an ARN of another form to its end', () => {
    const arn = `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${'x'.repeat(60)}`;

    expect(shortPrincipal(arn)).toBe(`…${arn.slice(-39)}`);
  });
});

describe('an admin change from the live feed', () => {
  it('reads the actor, the target, the source IP and what changed of a group grant', () => {
    const change = adminChangeOfEvent(adminEvent('admin-add-user-to-group'));

    expect(change).toMatchObject({
      time: AT,
      operation: 'AdminAddUserToGroup',
      outcome: 'success',
      actor: {
        arn: 'arn:aws:sts::123456789012:assumed-role/pool-admin/ops-session',
        accessKeyId: 'ASIAEXAMPLEKEYID01',
        sessionIssuer: 'arn:aws:iam::123456789012:role/pool-admin',
        sessionMfa: true,
      },
      target: { userUid: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222', group: 'admins' },
      ip: '198.51.100.7',
      flags: { privileged: true },
    });
  });

  it('reads a configuration change with the resource it changed and the members set', () => {
    const change = adminChangeOfEvent(adminEvent('update-user-pool-client-callback'));

    expect(change?.target.resourceType).toBe('UserPoolClient');
    expect(change?.changes.length).toBeGreaterThan(0);
  });

  it('is not made of a sign-in event', () => {
    expect(adminChangeOfEvent({ time: AT, class_uid: 3002, metadata: { log_name: 'x' } })).toBe(
      undefined,
    );
  });

  it('passes the actor filter by ARN, access key id or session issuer, and no other actor', () => {
    const change = adminChangeOfEvent(adminEvent('admin-add-user-to-group'))!;
    const range = { range: 'custom' as const, from: AT - 60_000, to: AT + 60_000 };

    expect(adminChangeMatches(change, { ...range, actor: 'ASIAEXAMPLEKEYID01' }, AT)).toBe(true);
    expect(
      adminChangeMatches(
        change,
        { ...range, actor: 'arn:aws:iam::123456789012:role/pool-admin' },
        AT,
      ),
    ).toBe(true);
    expect(adminChangeMatches(change, { ...range, actor: 'AKIAOTHERKEY000001' }, AT)).toBe(false);
    expect(adminChangeMatches(change, { ...range, severity: 'high' }, AT)).toBe(false);
  });
});

describe('the actor filter in the URL', () => {
  it('is kept in the URL and sent to the admin-changes route only', () => {
    const arn = 'arn:aws:iam::123456789012:user/alice';
    const { filters, dropped } = readFilters(`?range=24h&actor=${encodeURIComponent(arn)}`);

    expect(dropped).toEqual([]);
    expect(filters.actor).toBe(arn);
    expect(readFilters(`?${writeFilters(filters)}`).filters).toEqual(filters);
    expect(apiParams(filters).has('actor')).toBe(false);
    expect(adminChangeParams(filters).get('actor')).toBe(arn);
  });

  it('drops an actor that is no principal, saying so', () => {
    expect(readFilters("?actor=x' OR 1=1").dropped).toEqual([
      { name: 'actor', problem: 'is not a valid value' },
    ]);
  });
});
