import { getTestEvent } from '@authwatch/testing';
import { describe, expect, it } from 'vitest';
import {
  type AuditSourceEvent,
  auditContextFromEvent,
  logonSucceeded,
  signInCall,
  signInFailed,
} from '../../src/index.js';
import { formatEventLine, matchesFilter } from '../../src/watch.js';

const source = getTestEvent<AuditSourceEvent>('post-auth/authentication');
const ctx = auditContextFromEvent(source, 1_795_000_000_000);
const trail = {
  ...ctx,
  logProvider: 'cloudtrail',
  sourceIp: '81.2.69.142',
  location: { country: 'GB' },
};

describe('watching sign-ins', () => {
  it('shows each sign-in once: the logon, not the CloudTrail call that carried its IP', () => {
    // Prepare
    const events = [
      logonSucceeded(ctx, { newDevice: false }),
      signInCall(trail, { operation: 'RespondToAuthChallenge', outcome: 'tokens' }),
    ];

    // Act
    const shown = events.filter((event) => matchesFilter(event, {}));
    const all = events.filter((event) => matchesFilter(event, { all: true }));

    // Assess
    expect(shown.map((e) => e.metadata.log_name)).toEqual(['logon-succeeded']);
    expect(all).toHaveLength(2);
  });

  it('shows a failed sign-in from CloudTrail with its IP and country', () => {
    const event = signInFailed(trail, {
      errorCode: 'NotAuthorizedException',
      reason: 'wrong user name or password',
    });
    expect(matchesFilter(event, { status: 'failure' })).toBe(true);
    expect(formatEventLine(event)).toContain('ip=81.2.69.142(GB)');
    expect(formatEventLine(event)).toContain('FAILURE sign-in-failed');
  });
});
