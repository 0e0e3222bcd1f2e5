import { Readable } from 'node:stream';
import { getTestEvent } from '@authwatch/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditSourceEvent,
  auditContextFromEvent,
  challengeFailed,
  FALLBACK_MARKER,
  formatFallbackLine,
  parseFallbackLine,
  parseFallbackLineAll,
  readFallbackEvents,
} from '../../src/index.js';

const ctx = auditContextFromEvent(
  getTestEvent<AuditSourceEvent>('custom-challenge/verify'),
  1_795_000_000_000,
);
const event = () => challengeFailed(ctx, { mode: 'email-otp', attempt: 1, maxAttempts: 3 });

describe('parseFallbackLine', () => {
  it('reads the event of a plain fallback line', () => {
    const original = event();

    expect(parseFallbackLine(formatFallbackLine(original, 'ThrottlingException'))).toEqual(
      original,
    );
  });

  it('reads a CloudWatch Logs export line with a timestamp in front', () => {
    const original = event();
    const line = `2026-11-23T21:00:00.123Z ${formatFallbackLine(original, 'x').trimEnd()}`;

    expect(parseFallbackLine(line)?.metadata.uid).toBe(original.metadata.uid);
  });

  it('reads an `aws logs tail` line with stream name and Lambda text-format prefix', () => {
    const original = event();
    const line = `2026-11-23T21:00:00.123000+00:00 2026/11/23/[$LATEST]abc 2026-11-23T21:00:00.120Z\t0e1f-req\tINFO\t${formatFallbackLine(original, 'x').trimEnd()}`;

    expect(parseFallbackLine(line)?.metadata.uid).toBe(original.metadata.uid);
  });

  it("reads a line wrapped in Lambda's JSON log format", () => {
    const original = event();
    const line = JSON.stringify({
      time: '2026-11-23T21:00:00.123Z',
      type: 'platform.log',
      message: formatFallbackLine(original, 'x').trimEnd(),
    });

    expect(parseFallbackLine(line)?.metadata.uid).toBe(original.metadata.uid);
  });

  it('ignores log lines without the marker and marker lines without an event', () => {
    expect(parseFallbackLine('{"level":"INFO","message":"hello"}')).toBeUndefined();
    expect(parseFallbackLine(`{"${FALLBACK_MARKER}":1,"event":{"nope":true}}`)).toBeUndefined();
    expect(parseFallbackLine(`START RequestId: ${FALLBACK_MARKER} {`)).toBeUndefined();
  });

  it('never throws and returns an event only from a marked line, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (line) => {
        const parsed = parseFallbackLine(line);
        if (parsed !== undefined) expect(line).toContain(FALLBACK_MARKER);
      }),
    );
  });

  it('finds the event behind any prefix without a brace', () => {
    const original = event();
    const text = formatFallbackLine(original, 'r').trimEnd();
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (prefix) => {
        fc.pre(!prefix.includes('{'));
        expect(parseFallbackLine(`${prefix}${text}`)?.metadata.uid).toBe(original.metadata.uid);
      }),
    );
  });

  it('survives arbitrary JSON carrying the marker', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const line = JSON.stringify({ [FALLBACK_MARKER]: 1, event: value });
        expect(() => parseFallbackLine(line)).not.toThrow();
      }),
    );
  });
});

describe('parseFallbackLineAll', () => {
  it('reads every event of tab-joined messages (aws logs --output text)', () => {
    const [a, b] = [event(), event()];
    const line = [a, b].map((e) => formatFallbackLine(e, 'x').trimEnd()).join('\t');

    expect(parseFallbackLineAll(line).map((e) => e.metadata.uid)).toEqual([
      a.metadata.uid,
      b.metadata.uid,
    ]);
  });

  it('never throws and finds no more events than markers', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constant(FALLBACK_MARKER))), (parts) => {
        const line = parts.join('\t');
        const markers = line.split(FALLBACK_MARKER).length - 1;
        expect(parseFallbackLineAll(line).length).toBeLessThanOrEqual(markers);
      }),
    );
  });
});

describe('readFallbackEvents', () => {
  it('reads every event once, ignoring other lines and repeated ids', async () => {
    const [a, b] = [event(), event()];
    const text = [
      'START RequestId: 1',
      formatFallbackLine(a, 'x').trimEnd(),
      `2026-11-23T21:00:00Z ${formatFallbackLine(a, 'x').trimEnd()}`,
      formatFallbackLine(b, 'x').trimEnd(),
      'END RequestId: 1',
    ].join('\n');

    const result = await readFallbackEvents(Readable.from([text]));

    expect(result.events.map((e) => e.metadata.uid)).toEqual([a.metadata.uid, b.metadata.uid]);
    expect(result).toMatchObject({ lines: 5, ignored: 2, repeated: 1 });
  });
});
