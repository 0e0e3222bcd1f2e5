import { getTestEvent } from '@authwatch/testing';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AUDIT_BATCH_MAX_EVENTS,
  AUDIT_ENV,
  type AuditEvent,
  type AuditSink,
  type AuditSourceEvent,
  auditContextFromEvent,
  auditorFromEnv,
  createAuditor,
  createMemoryFallback,
  createMemorySink,
  FALLBACK_MARKER,
  loadAuditConfig,
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

/** A durable sink that records each call's events and fails those `fails` picks. */
function recordingSink(fails: (event: AuditEvent) => boolean = () => false) {
  const calls: AuditEvent[][] = [];
  const sink: AuditSink = {
    name: 'recording',
    durable: true,
    send: async (events) => {
      calls.push([...events]);
      return { failed: events.filter(fails), reason: 'recording: ServiceUnavailableException' };
    },
  };
  return { sink, calls };
}

describe('createAuditor with a batch window', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the emits of one window together and answers each for its own events', async () => {
    vi.useFakeTimers();
    const { sink, calls } = recordingSink();
    const auditor = createAuditor({ sinks: [sink], batchWindowMs: 20 });
    const deadline = Date.now() + 5_000;

    const first = auditor.emit(logonSucceeded(ctx, { newDevice: false }), { deadline });
    const second = auditor.emit(
      [signUpAllowed(ctx, { autoConfirmed: true }), logonSucceeded(ctx, { newDevice: true })],
      { deadline },
    );
    await vi.advanceTimersByTimeAsync(19);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);

    expect(await first).toEqual({ delivered: 1, fallback: 0 });
    expect(await second).toEqual({ delivered: 2, fallback: 0 });
    expect(calls.map((call) => call.length)).toEqual([3]);
    // A later emit opens a new window.
    const third = auditor.emit(signUpAllowed(ctx, { autoConfirmed: false }), { deadline });
    await vi.advanceTimersByTimeAsync(20);
    expect(await third).toEqual({ delivered: 1, fallback: 0 });
    expect(calls.map((call) => call.length)).toEqual([3, 1]);
  });

  it('sends a full batch at once, without waiting for the window', async () => {
    vi.useFakeTimers();
    const { sink, calls } = recordingSink();
    const auditor = createAuditor({ sinks: [sink], batchWindowMs: 1_000 });
    const events = Array.from({ length: AUDIT_BATCH_MAX_EVENTS }, () =>
      logonSucceeded(ctx, { newDevice: false }),
    );

    const result = auditor.emit(events, { deadline: Date.now() + 5_000 });
    await vi.advanceTimersByTimeAsync(0);

    expect(calls.map((call) => call.length)).toEqual([AUDIT_BATCH_MAX_EVENTS]);
    expect(await result).toEqual({ delivered: AUDIT_BATCH_MAX_EVENTS, fallback: 0 });
  });

  it('waits at most half the time left before the earliest deadline', async () => {
    vi.useFakeTimers();
    const { sink, calls } = recordingSink();
    const auditor = createAuditor({ sinks: [sink], batchWindowMs: 1_000, reserveMs: 5 });

    const pending = auditor.emit(logonSucceeded(ctx, { newDevice: false }), {
      deadline: Date.now() + 205,
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);

    expect(calls).toHaveLength(1);
    expect(await pending).toEqual({ delivered: 1, fallback: 0 });
  });

  it('gives each emit the fallback count of its own undelivered events', async () => {
    vi.useFakeTimers();
    const lost = signUpAllowed(ctx, { autoConfirmed: false });
    const { sink } = recordingSink((event) => event.metadata.uid === lost.metadata.uid);
    const fallback = createMemoryFallback();
    const metrics = recordingMetrics();
    const auditor = createAuditor({ sinks: [sink], fallback, metrics, batchWindowMs: 10 });
    const deadline = Date.now() + 5_000;

    const kept = auditor.emit(logonSucceeded(ctx, { newDevice: false }), { deadline });
    const mixed = auditor.emit([lost, logonSucceeded(ctx, { newDevice: true })], { deadline });
    await vi.advanceTimersByTimeAsync(10);

    expect(await kept).toEqual({ delivered: 1, fallback: 0 });
    expect(await mixed).toEqual({ delivered: 1, fallback: 1 });
    expect(fallback.lines).toHaveLength(1);
    expect(fallback.lines[0]).toContain(lost.metadata.uid);
    expect(metrics.added).toEqual([['AuditFallback', 1]]);
  });

  it('does not hold a batch for an emit that is already out of time', async () => {
    vi.useFakeTimers();
    const { sink, calls } = recordingSink();
    const fallback = createMemoryFallback();
    const auditor = createAuditor({ sinks: [sink], fallback, batchWindowMs: 20 });

    const late = await auditor.emit(signUpAllowed(ctx, { autoConfirmed: false }), {
      deadline: Date.now() - 1,
    });
    const onTime = auditor.emit(logonSucceeded(ctx, { newDevice: false }), {
      deadline: Date.now() + 5_000,
    });
    await vi.advanceTimersByTimeAsync(20);

    expect(late).toEqual({ delivered: 0, fallback: 1 });
    expect(await onTime).toEqual({ delivered: 1, fallback: 0 });
    expect(calls.map((call) => call.length)).toEqual([1]);
    expect(fallback.lines).toHaveLength(1);
  });
});

describe('AUDIT_BATCH_WINDOW_MS', () => {
  const base = { [AUDIT_ENV.streamName]: 'authwatch-audit', AFTER_RESPONSE: 'host' };

  it('reads a window of 0 to 1,000 ms in a host that answers first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000 }), (ms) => {
        const config = loadAuditConfig({ ...base, [AUDIT_ENV.batchWindowMs]: String(ms) });
        expect(config.batchWindowMs).toBe(ms);
      }),
    );
    expect(loadAuditConfig({ [AUDIT_ENV.streamName]: 'authwatch-audit' }).batchWindowMs).toBe(0);
  });

  it('names the variable for any other value', () => {
    fc.assert(
      fc.property(
        fc
          .string({ maxLength: 12 })
          .filter((text) => !/^\s*\d+\s*$/.test(text) || Number(text) > 1_000),
        (text) => {
          fc.pre(text.trim() !== '');
          expect(() => loadAuditConfig({ ...base, [AUDIT_ENV.batchWindowMs]: text })).toThrow(
            /AUDIT_BATCH_WINDOW_MS/,
          );
        },
      ),
    );
  });

  it('refuses a window where the answer waits for the sends (Lambda, inline)', () => {
    for (const mode of [undefined, 'inline', 'extension']) {
      const env = { ...base, AFTER_RESPONSE: mode, [AUDIT_ENV.batchWindowMs]: '20' };
      expect(() => loadAuditConfig(env)).toThrow(/AUDIT_BATCH_WINDOW_MS needs AFTER_RESPONSE=host/);
    }
    expect(() =>
      loadAuditConfig({ ...base, AFTER_RESPONSE: 'inline', [AUDIT_ENV.batchWindowMs]: '0' }),
    ).not.toThrow();
  });
});
