import { getTestEvent } from '@authwatch/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditSourceEvent,
  auditContextFromEvent,
  challengeLockedOut,
  logonSucceeded,
} from '../../src/index.js';
import {
  formatEventLine,
  frameErrors,
  isInsecureEndpoint,
  matchesFilter,
  parseFrame,
  parseLiveEvent,
} from '../../src/watch.js';

const source = getTestEvent<AuditSourceEvent>('post-auth/new-device');
source.request.clientMetadata = { sourceIp: '198.51.100.7' };
const ctx = auditContextFromEvent(source, Date.UTC(2026, 10, 23, 21, 0, 0));

describe('formatEventLine', () => {
  it('shows time, status, activity, user, client, IP and detail on one line', () => {
    const event = challengeLockedOut(ctx, { mode: 'email-otp', attempts: 3 });

    expect(formatEventLine(event)).toBe(
      '2026-11-23T21:00:00.000Z FAILURE challenge-locked-out user=a1b2c3d4-5678-90ab-cdef-EXAMPLE11111 client=1example23456789abcdefghij ip=198.51.100.7  locked out after 3 failed attempts',
    );
  });

  it('replaces control characters so an event cannot rewrite the terminal', () => {
    const event = logonSucceeded(ctx, { newDevice: false });
    event.user.name = 'eve\u001b[2J\nroot';

    const line = formatEventLine(event);

    expect(line).toContain('user=eve?[2J?root');
    expect([...line].some((char) => char.charCodeAt(0) < 0x20)).toBe(false);
  });
});

describe('matchesFilter', () => {
  const success = logonSucceeded(ctx, { newDevice: true });
  const failure = challengeLockedOut(ctx, { mode: 'email-otp', attempts: 3 });

  it('filters by status', () => {
    expect(matchesFilter(success, { status: 'success' })).toBe(true);
    expect(matchesFilter(failure, { status: 'success' })).toBe(false);
    expect(matchesFilter(failure, { status: 'failure' })).toBe(true);
  });

  it('filters by user name, user id or email, and by client', () => {
    expect(matchesFilter(success, { user: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' })).toBe(true);
    expect(matchesFilter(success, { user: 'user.one@example.com' })).toBe(true);
    expect(matchesFilter(success, { user: 'someone-else' })).toBe(false);
    expect(matchesFilter(success, { client: '1example23456789abcdefghij' })).toBe(true);
    expect(matchesFilter(success, { client: 'other' })).toBe(false);
  });
});

describe('parseLiveEvent', () => {
  it('reads an event from a data message and refuses anything else', () => {
    const event = logonSucceeded(ctx, { newDevice: true });

    expect(parseLiveEvent(JSON.stringify(event))).toEqual(event);
    expect(parseLiveEvent('{"hello":1}')).toBeUndefined();
    expect(parseLiveEvent(42)).toBeUndefined();
  });

  it('never throws, and what it accepts can always be formatted', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (raw) => {
          const event = parseLiveEvent(raw);
          if (event) expect(typeof formatEventLine(event)).toBe('string');
        },
      ),
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const raw = JSON.stringify({ metadata: { uid: 'x' }, class_uid: 3002, user: value });
        const event = parseLiveEvent(raw);
        expect(() => formatEventLine(event!)).not.toThrow();
      }),
    );
  });
});

describe('frames from the server', () => {
  it('reads a frame only when it is a JSON object', () => {
    expect(parseFrame('{"type":"ka"}')).toEqual({ type: 'ka' });
    expect(parseFrame('null')).toBeUndefined();
    expect(parseFrame('[1]')).toBeUndefined();
    expect(parseFrame('"ka"')).toBeUndefined();
    expect(parseFrame('{')).toBeUndefined();
  });

  it('never throws on any frame, and what it reads is a plain object', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((value) => JSON.stringify(value)),
        ),
        (raw) => {
          const frame = parseFrame(raw);
          if (frame !== undefined) {
            expect(typeof frame).toBe('object');
            expect(Array.isArray(frame)).toBe(false);
          }
        },
      ),
    );
  });

  it("shows an error frame's messages on one safe line, whatever errors holds", () => {
    expect(frameErrors([{ message: 'bad channel' }, { message: 'no auth' }])).toBe(
      'bad channel; no auth',
    );
    expect(frameErrors([{ message: 'a\u001b[2Jb' }])).toBe('a?[2Jb');
    fc.assert(
      fc.property(fc.jsonValue(), (errors) => {
        const text = frameErrors(errors);
        expect(typeof text).toBe('string');
        // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
        expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      }),
    );
  });
});

describe('isInsecureEndpoint', () => {
  it('uses plain ws only when the AppSync endpoint is http', () => {
    expect(isInsecureEndpoint({ AWS_ENDPOINT_URL_APPSYNC: 'http://127.0.0.1:4010' })).toBe(true);
    expect(isInsecureEndpoint({ AWS_ENDPOINT_URL_APPSYNC: 'https://x' })).toBe(false);
    expect(isInsecureEndpoint({})).toBe(false);
  });
});
