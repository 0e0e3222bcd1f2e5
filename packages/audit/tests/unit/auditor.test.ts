import { getTestEvent } from '@authwatch/testing';
import { describe, expect, it } from 'vitest';
import {
  AUDIT_ENV,
  type AuditSink,
  type AuditSourceEvent,
  auditContextFromEvent,
  auditorFromEnv,
  createAuditor,
  createMemoryFallback,
  createMemorySink,
  FALLBACK_MARKER,
  logonSucceeded,
  signUpAllowed,
} from '../../src/index.js';

const NOW = 1_795_000_000_000;
const ctx = auditContextFromEvent(getTestEvent<AuditSourceEvent>('post-auth/new-device'), NOW);

function recordingMetrics() {
  const added: [string, number][] = [];
  return {
    added,
    addMetric: (name: string, _unit: 'Count', value: number) => added.push([name, value]),
  };
}

const failingSink: AuditSink = {
  name: 'broken',
  durable: true,
  send: async (events) => ({ failed: [...events], reason: 'broken: ServiceUnavailableException' }),
};

describe('createAuditor', () => {
  it('delivers events to a memory sink without the email by default', async () => {
    // Prepare
    const sink = createMemorySink();
    const auditor = createAuditor({ sinks: [sink], fallback: createMemoryFallback() });

    // Act
    const result = await auditor.emit(logonSucceeded(ctx, { newDevice: true }), {
      deadline: Date.now() + 1_000,
    });

    // Assess
    expect(result).toEqual({ delivered: 1, fallback: 0 });
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]?.user.email_addr).toBeUndefined();
  });

  it('keeps the email when the configuration allows it', async () => {
    const sink = createMemorySink();
    const auditor = createAuditor({ sinks: [sink], includeEmail: true });

    await auditor.emit([logonSucceeded(ctx, { newDevice: false })], {
      deadline: Date.now() + 1_000,
    });

    expect(sink.events[0]?.user.email_addr).toBe('user.one@example.com');
  });

  it('writes one fallback line per undelivered event and counts them', async () => {
    // Prepare
    const fallback = createMemoryFallback();
    const metrics = recordingMetrics();
    const auditor = createAuditor({ sinks: [failingSink], fallback, metrics });
    const events = [
      signUpAllowed(ctx, { autoConfirmed: true }),
      logonSucceeded(ctx, { newDevice: true }),
    ];

    // Act
    const result = await auditor.emit(events, { deadline: Date.now() + 1_000 });

    // Assess
    expect(result).toEqual({ delivered: 0, fallback: 2 });
    const lines = fallback.lines.map((line) => JSON.parse(line));
    expect(lines.map((line) => line[FALLBACK_MARKER])).toEqual([1, 1]);
    expect(lines.map((line) => line.event.metadata.uid)).toEqual(events.map((e) => e.metadata.uid));
    expect(lines[0].reason).toContain('ServiceUnavailableException');
    expect(JSON.stringify(lines)).not.toContain('user.one@example.com');
    expect(metrics.added).toEqual([['AuditFallback', 2]]);
  });

  it('never throws, even when a sink throws', async () => {
    const fallback = createMemoryFallback();
    const throwing: AuditSink = {
      name: 'thrower',
      durable: true,
      send: async () => {
        throw new TypeError('boom');
      },
    };
    const auditor = createAuditor({ sinks: [throwing], fallback, metrics: recordingMetrics() });

    const result = await auditor.emit(signUpAllowed(ctx, { autoConfirmed: false }), {
      deadline: Date.now() + 1_000,
    });

    expect(result.fallback).toBe(1);
    expect(fallback.lines[0]).toContain('thrower: TypeError: boom');
  });

  it('counts but does not fall back on a failing best-effort sink', async () => {
    const fallback = createMemoryFallback();
    const metrics = recordingMetrics();
    const durable = createMemorySink();
    const auditor = createAuditor({
      sinks: [durable, { ...failingSink, name: 'live', durable: false }],
      fallback,
      metrics,
    });

    const result = await auditor.emit(signUpAllowed(ctx, { autoConfirmed: false }), {
      deadline: Date.now() + 1_000,
    });

    expect(result).toEqual({ delivered: 1, fallback: 0 });
    expect(fallback.lines).toEqual([]);
    expect(metrics.added).toEqual([['AuditLiveFeedFailed', 1]]);
  });

  it('writes the fallback at once when the deadline has already passed', async () => {
    const sink = createMemorySink();
    const fallback = createMemoryFallback();
    const auditor = createAuditor({ sinks: [sink], fallback, metrics: recordingMetrics() });

    const result = await auditor.emit(signUpAllowed(ctx, { autoConfirmed: false }), {
      deadline: Date.now() - 1,
    });

    expect(result.fallback).toBe(1);
    expect(sink.events).toEqual([]);
  });
});

describe('auditorFromEnv', () => {
  it('requires the stream name unless audit is disabled', () => {
    expect(() => auditorFromEnv({ env: {} })).toThrow(/AUDIT_STREAM_NAME is required/);
    expect(() => auditorFromEnv({ env: { [AUDIT_ENV.enabled]: 'false' } })).not.toThrow();
  });

  it('names the variable that holds a bad value', () => {
    const base = { [AUDIT_ENV.streamName]: 'authwatch-audit' };
    expect(() => auditorFromEnv({ env: { ...base, [AUDIT_ENV.streamName]: 'bad name!' } })).toThrow(
      /AUDIT_STREAM_NAME/,
    );
    expect(() => auditorFromEnv({ env: { ...base, [AUDIT_ENV.includeEmail]: 'maybe' } })).toThrow(
      /AUDIT_INCLUDE_EMAIL/,
    );
    expect(() =>
      auditorFromEnv({ env: { ...base, [AUDIT_ENV.liveFeedEndpoint]: 'ftp://x' } }),
    ).toThrow(/AUDIT_LIVE_FEED_ENDPOINT/);
    expect(() =>
      auditorFromEnv({
        env: {
          ...base,
          [AUDIT_ENV.liveFeedEndpoint]: 'x.example.com',
          [AUDIT_ENV.liveFeedChannel]: 'auth',
        },
      }),
    ).toThrow(/AUDIT_LIVE_FEED_CHANNEL/);
    expect(() => auditorFromEnv({ env: { ...base, [AUDIT_ENV.maxAttempts]: '0' } })).toThrow(
      /AUDIT_MAX_ATTEMPTS/,
    );
  });

  it('emits nothing and falls back on nothing when audit is disabled', async () => {
    const fallback = createMemoryFallback();
    const auditor = auditorFromEnv({ env: { [AUDIT_ENV.enabled]: 'false' }, fallback });

    const result = await auditor.emit(signUpAllowed(ctx, { autoConfirmed: false }), {
      deadline: Date.now() + 100,
    });

    expect(result).toEqual({ delivered: 0, fallback: 0 });
    expect(fallback.lines).toEqual([]);
  });
});
