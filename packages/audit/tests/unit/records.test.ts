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

    const text = new TextDecoder().decode(encodeEvent(event));

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
    expect(record?.data.byteLength).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBytesPerRecord);
    expect(record?.id).toBe(event.metadata.uid);
    const sent = JSON.parse(new TextDecoder().decode(record?.data));
    expect(sent.metadata.uid).toBe(event.metadata.uid);
    expect(sent.unmapped.truncated).toBe(true);
    expect(sent.unmapped.originalSize).toBeGreaterThan(2_000_000);
    expect(sent.unmapped.matchedRules[1]).toBe('tenant');
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
          const { data, event } = fitEvent(tokens(rules), limit);
          expect(data.byteLength).toBeLessThanOrEqual(limit);
          expect(JSON.parse(new TextDecoder().decode(data))).toEqual(event);
        },
      ),
    );
  });

  it('split records into calls of at most 500 records', () => {
    const records = Array.from({ length: 1_201 }, () => ({ data: new Uint8Array(10) }));

    const chunks = chunkRecords(records);

    expect(chunks.map((chunk) => chunk.length)).toEqual([500, 500, 201]);
  });

  it('split records into calls of at most 4 MiB', () => {
    const records = Array.from({ length: 10 }, () => ({ data: new Uint8Array(1_000 * 1024) }));

    const chunks = chunkRecords(records);

    expect(chunks.map((chunk) => chunk.length)).toEqual([4, 4, 2]);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((sum, record) => sum + record.data.byteLength, 0);
      expect(bytes).toBeLessThanOrEqual(FIREHOSE_LIMITS.maxBytesPerCall);
    }
  });

  it('keep every record, in order, within both limits, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300_000 }), { maxLength: 2_000 }), (sizes) => {
        const records = sizes.map((size, index) => ({
          index,
          data: { byteLength: size } as Uint8Array,
        }));
        const chunks = chunkRecords(records, { maxRecords: 500, maxBytes: 1_000_000 });
        expect(chunks.flat().map((record) => record.index)).toEqual(sizes.map((_s, i) => i));
        for (const chunk of chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          expect(chunk.length).toBeLessThanOrEqual(500);
          const bytes = chunk.reduce((sum, record) => sum + record.data.byteLength, 0);
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
