import { getTestEvent } from '@authwatch/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditSourceEvent,
  auditContextFromEvent,
  chunkRecords,
  encodeEvent,
  encodeRecords,
  FIREHOSE_LIMITS,
  fitEvent,
  parseSourceIp,
  tokensIssued,
} from '../../src/index.js';

const ctx = auditContextFromEvent(
  getTestEvent<AuditSourceEvent>('pre-token-generation/v2/authentication'),
  1_795_000_000_000,
);

function tokens(rules: string[]) {
  return tokensIssued(ctx, {
    matchedRules: rules,
    claimsAdded: [],
    claimsSuppressed: [],
    scopesAdded: [],
    scopesSuppressed: [],
    tokenVersion: 'V2_0',
  });
}

describe('records', () => {
  it('encode one event as one JSON line ending in a newline', () => {
    const event = tokens(['a']);

    const text = encodeEvent(event);

    expect(text.endsWith('\n')).toBe(true);
    expect(text.indexOf('\n')).toBe(text.length - 1);
    expect(JSON.parse(text)).toEqual(event);
  });

  it('cut an oversized event to the record limit with a marker, keeping its id', () => {
    // Prepare: one rule name of 2 MB
    const event = tokens(['x'.repeat(2_000_000), 'tenant']);

    // Act
    const [record] = encodeRecords([event]);

    // Assess
    expect(record?.bytes).toBe(Buffer.byteLength(record?.line ?? ''));
    expect(record?.bytes).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBytesPerRecord);
    expect(record?.id).toBe(event.metadata.uid);
    const sent = JSON.parse(record?.line ?? '');
    expect(sent.metadata.uid).toBe(event.metadata.uid);
    expect(sent.unmapped.truncated).toBe(true);
    expect(sent.unmapped.originalSize).toBeGreaterThan(2_000_000);
    expect(sent.unmapped.matchedRules[1]).toBe('tenant');
  });

  it('count the record limit in UTF-8 bytes, not characters', () => {
    // 600,000 characters, 1,200,000 bytes: over the 1,000 KiB limit only in bytes
    const event = tokens(['é'.repeat(600_000)]);

    const [record] = encodeRecords([event]);

    expect(record?.bytes).toBe(Buffer.byteLength(record?.line ?? ''));
    expect(record?.bytes).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBytesPerRecord);
    expect(JSON.parse(record?.line ?? '').unmapped.truncated).toBe(true);
  });

  it('leave an event that fits untouched', () => {
    const event = tokens(['tenant']);

    expect(fitEvent(event).event).toBe(event);
  });

  it('fit any event into any limit of at least 2 KiB', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 3_000 }), { maxLength: 40 }),
        fc.integer({ min: 2_048, max: 20_000 }),
        (rules, limit) => {
          const { line, bytes, event } = fitEvent(tokens(rules), limit);
          expect(bytes).toBe(Buffer.byteLength(line));
          expect(bytes).toBeLessThanOrEqual(limit);
          expect(JSON.parse(line)).toEqual(event);
        },
      ),
    );
  });

  it('split records into calls of at most 500 records', () => {
    const records = Array.from({ length: 1_201 }, () => ({ bytes: 10 }));

    const chunks = chunkRecords(records);

    expect(chunks.map((chunk) => chunk.length)).toEqual([500, 500, 201]);
  });

  it('split records into calls of at most 4 MiB', () => {
    const records = Array.from({ length: 10 }, () => ({ bytes: 1_000 * 1024 }));

    const chunks = chunkRecords(records);

    expect(chunks.map((chunk) => chunk.length)).toEqual([4, 4, 2]);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((sum, record) => sum + record.bytes, 0);
      expect(bytes).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBytesPerCall);
    }
  });

  it('keep every record, in order, within both limits, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300_000 }), { maxLength: 2_000 }), (sizes) => {
        const records = sizes.map((size, index) => ({ index, bytes: size }));
        const chunks = chunkRecords(records, { maxRecords: 500, maxBytes: 1_000_000 });
        expect(chunks.flat().map((record) => record.index)).toEqual(sizes.map((_s, i) => i));
        for (const chunk of chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          expect(chunk.length).toBeLessThanOrEqual(500);
          const bytes = chunk.reduce((sum, record) => sum + record.bytes, 0);
          expect(bytes).toBeLessThanOrEqual(1_000_000);
        }
      }),
    );
  });
});

describe('parseSourceIp', () => {
  it('accepts IPv4 and IPv6 literals', () => {
    expect(parseSourceIp(' 198.51.100.7 ')).toBe('198.51.100.7');
    expect(parseSourceIp('2001:db8::42')).toBe('2001:db8::42');
  });

  it('returns only IP-shaped strings for any input', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const ip = parseSourceIp(raw);
        if (ip !== undefined) expect(ip).toMatch(/^[0-9a-fA-F:.]+$/);
      }),
    );
    fc.assert(
      fc.property(fc.ipV4(), (raw) => {
        expect(parseSourceIp(raw)).toBe(raw);
      }),
    );
  });
});
