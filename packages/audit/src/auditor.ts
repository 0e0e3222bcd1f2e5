/**
 * The auditor fans events out to its sinks in parallel (Firehose and the live feed in
 * production), bounded by the invocation's deadline, and never throws: what a durable
 * sink could not deliver is written to the fallback log and counted as the
 * `AuditFallback` metric.
 */
import { metrics as kitMetrics, logger } from '@authwatch/kit';
import { type AuditConfig, loadAuditConfig } from './config.js';
import { createLineFallback, type FallbackWriter } from './fallback.js';
import { createFirehoseSink } from './firehose.js';
import { recordPartition } from './layout.js';
import { createLiveFeedSink } from './live-feed.js';
import type { AuditEvent } from './ocsf.js';
import type { AuditSink } from './sink.js';

/** The metrics the auditor publishes (Powertools `Metrics` satisfies it). */
export interface AuditMetrics {
  addMetric(name: string, unit: 'Count', value: number): unknown;
}

/** Metric names. */
export const AUDIT_METRICS = {
  fallback: 'AuditFallback',
  liveFeedFailed: 'AuditLiveFeedFailed',
} as const;

export interface EmitOptions {
  /** Epoch ms by which `emit` returns (the trigger's `ctx.deadline`). */
  deadline: number;
}

export interface EmitResult {
  /** Events every durable sink accepted. */
  delivered: number;
  /** Events written to the fallback log. */
  fallback: number;
}

export interface Auditor {
  /**
   * Sends one or more events to every sink. Never throws; returns by the deadline
   * (plus the time to write fallback lines).
   */
  emit(events: AuditEvent | readonly AuditEvent[], options: EmitOptions): Promise<EmitResult>;
  /** Whether emails are kept in events (AUDIT_INCLUDE_EMAIL). */
  readonly includeEmail: boolean;
}

export interface AuditorOptions {
  sinks: AuditSink[];
  /** Where undelivered events go; stdout lines unless given. */
  fallback?: FallbackWriter;
  /** Powertools metrics by default. */
  metrics?: AuditMetrics;
  /** Keep `user.email_addr` (default false: removed before any sink sees the event). */
  includeEmail?: boolean;
  /** Time kept back from the deadline for writing fallback lines (default 5 ms). */
  reserveMs?: number;
  /**
   * Collect the emits of this many ms into one send (default 0: each emit sends at once).
   * Only for a host that answers before the sends finish (AFTER_RESPONSE=host).
   */
  batchWindowMs?: number;
  now?: () => number;
}

/** Removes the email from an event unless allowed; never changes its argument. */
export function applyEmailPolicy(event: AuditEvent, includeEmail: boolean): AuditEvent {
  if (includeEmail || event.user.email_addr === undefined) return event;
  const { email_addr: _dropped, ...user } = event.user;
  return { ...event, user };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}

/**
 * Creates an auditor over explicit sinks (tests, the replay command, the local stack).
 *
 * @example
 * ```ts
 * const sink = createMemorySink();
 * const auditor = createAuditor({ sinks: [sink] });
 * await auditor.emit(signUpAllowed(ctx, { autoConfirmed: true }), { deadline: Date.now() + 1000 });
 * ```
 */
export function createAuditor(options: AuditorOptions): Auditor {
  const fallback = options.fallback ?? createLineFallback();
  const metrics = options.metrics ?? kitMetrics;
  const includeEmail = options.includeEmail ?? false;
  const reserveMs = options.reserveMs ?? 5;
  const now = options.now ?? Date.now;
  const batchWindowMs = options.batchWindowMs ?? 0;

  const writeFallback = (events: AuditEvent[], reason: string): void => {
    if (events.length === 0) return;
    try {
      fallback(events, reason);
    } catch (error) {
      // Even the fallback failed: the logger is the very last place the events can go.
      logger.error('audit fallback failed', { error: describe(error), count: events.length });
    }
    try {
      metrics.addMetric(AUDIT_METRICS.fallback, 'Count', events.length);
    } catch {
      // A metrics failure must not turn into a sign-in failure.
    }
  };

  /**
   * Sends events to every sink by the deadline; what a durable sink could not deliver is
   * written to the fallback. Returns the ids of the events written there. Never throws.
   */
  const deliver = async (events: AuditEvent[], deadline: number): Promise<Set<string>> => {
    try {
      const sinkDeadline = deadline - reserveMs;
      const undelivered = new Map<string, { event: AuditEvent; reason: string }>();
      if (sinkDeadline <= now()) {
        writeFallback(events, 'deadline already passed');
        return new Set(events.map((event) => event.metadata.uid));
      }
      await Promise.all(
        options.sinks.map(async (sink) => {
          let failed: readonly AuditEvent[];
          let reason: string;
          try {
            const result = await sink.send(events, { deadline: sinkDeadline });
            failed = result.failed;
            reason = result.reason ?? `${sink.name} did not deliver`;
          } catch (error) {
            failed = events;
            reason = `${sink.name}: ${describe(error)}`;
          }
          if (failed.length === 0) return;
          if (!sink.durable) {
            try {
              metrics.addMetric(AUDIT_METRICS.liveFeedFailed, 'Count', failed.length);
            } catch {
              // best effort
            }
            return;
          }
          for (const event of failed) {
            if (!undelivered.has(event.metadata.uid)) {
              undelivered.set(event.metadata.uid, { event, reason });
            }
          }
        }),
      );
      const byReason = new Map<string, AuditEvent[]>();
      for (const { event, reason } of undelivered.values()) {
        const list = byReason.get(reason) ?? [];
        list.push(event);
        byReason.set(reason, list);
      }
      for (const [reason, list] of byReason) writeFallback(list, reason);
      return new Set(undelivered.keys());
    } catch (error) {
      writeFallback(events, `auditor: ${describe(error)}`);
      return new Set(events.map((event) => event.metadata.uid));
    }
  };

  const durableSinks = options.sinks.filter((sink) => sink.durable).length;
  const result = (events: readonly AuditEvent[], undelivered: Set<string>): EmitResult => {
    let fallen = 0;
    for (const event of events) if (undelivered.has(event.metadata.uid)) fallen += 1;
    return { delivered: durableSinks > 0 ? events.length - fallen : 0, fallback: fallen };
  };

  const batch =
    batchWindowMs > 0 ? createBatcher(batchWindowMs, reserveMs, now, deliver) : undefined;

  return {
    includeEmail,
    async emit(input, { deadline }) {
      let events: AuditEvent[];
      try {
        events = (Array.isArray(input) ? input : [input as AuditEvent]).map((event) =>
          applyEmailPolicy(event, includeEmail),
        );
      } catch (error) {
        const raw = (Array.isArray(input) ? input : [input]) as AuditEvent[];
        writeFallback(raw, `auditor: ${describe(error)}`);
        return { delivered: 0, fallback: raw.length };
      }
      if (events.length === 0) return { delivered: 0, fallback: 0 };
      // An event the stream cannot place (a class without a source, no time) would land
      // in its error prefix: it goes to the fallback now, with the reason, instead.
      const refused = refuseUnstorable(events);
      for (const [reason, list] of refused.byReason) writeFallback(list, reason);
      if (refused.storable.length === 0) return { delivered: 0, fallback: events.length };
      const undelivered = batch
        ? await batch(refused.storable, deadline)
        : await deliver(refused.storable, deadline);
      const sent = result(refused.storable, undelivered);
      return { delivered: sent.delivered, fallback: sent.fallback + refused.count };
    },
  };
}

interface Waiting {
  events: AuditEvent[];
  deadline: number;
  resolve: (undelivered: Set<string>) => void;
}

/** Most events one batch holds; a fuller queue is sent at once (PutRecordBatch takes 500). */
export const AUDIT_BATCH_MAX_EVENTS = 100;

/**
 * Collects the events of the emits made within `windowMs` of the first and delivers
 * them together: one Firehose request and one live-feed publish per five events, instead
 * of a pair per emit. A batch goes out early when it is full, or when waiting longer
 * would leave less than half of its earliest deadline's time for the send.
 */
function createBatcher(
  windowMs: number,
  reserveMs: number,
  now: () => number,
  deliver: (events: AuditEvent[], deadline: number) => Promise<Set<string>>,
): (events: AuditEvent[], deadline: number) => Promise<Set<string>> {
  let waiting: Waiting[] = [];
  let count = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dueAt = Number.POSITIVE_INFINITY;

  const send = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    dueAt = Number.POSITIVE_INFINITY;
    const taken = waiting;
    waiting = [];
    count = 0;
    const events = taken.flatMap((entry) => entry.events);
    const deadline = Math.min(...taken.map((entry) => entry.deadline));
    void deliver(events, deadline).then((undelivered) => {
      for (const entry of taken) entry.resolve(undelivered);
    });
  };

  return (events, deadline) => {
    // Out of time already: alone to the fallback, not holding a batch to its deadline.
    if (deadline - reserveMs <= now()) return deliver(events, deadline);
    return new Promise<Set<string>>((resolve) => {
      waiting.push({ events, deadline, resolve });
      count += events.length;
      if (count >= AUDIT_BATCH_MAX_EVENTS) {
        send();
        return;
      }
      const at = Math.min(now() + windowMs, now() + (deadline - reserveMs - now()) / 2);
      if (at < dueAt) {
        dueAt = at;
        if (timer) clearTimeout(timer);
        timer = setTimeout(send, Math.max(0, at - now()));
      }
    });
  };
}

export interface AuditorFromEnvOptions {
  env?: Record<string, string | undefined>;
  fallback?: FallbackWriter;
  metrics?: AuditMetrics;
}

/**
 * The production auditor, built once at module scope from AUDIT_* variables: Firehose
 * (durable) and, when AUDIT_LIVE_FEED_ENDPOINT is set, the AppSync Events live feed
 * (best effort). Throws a ConfigError naming a bad variable. With AUDIT_ENABLED=false
 * it has no sink and emits nothing (a warning says so once).
 *
 * @example
 * ```ts
 * const auditor = auditorFromEnv();
 * export const handler = defineTrigger({ ..., handle: async (event, ctx) => {
 *   const { response, audit } = decide(event, config, ctx.now());
 *   await auditor.emit(audit, { deadline: ctx.deadline });
 *   return response;
 * }});
 * ```
 */
export function auditorFromEnv(options: AuditorFromEnvOptions = {}): Auditor {
  const config: AuditConfig = loadAuditConfig(options.env);
  const sinks: AuditSink[] = [];
  if (!config.enabled) {
    logger.warn('audit is disabled (AUDIT_ENABLED=false): no audit event will be recorded');
  } else {
    sinks.push(
      createFirehoseSink({
        streamName: config.streamName,
        requestTimeoutMs: config.requestTimeoutMs,
        maxAttempts: config.maxAttempts,
      }),
    );
    if (config.liveFeed) {
      sinks.push(
        createLiveFeedSink({
          url: config.liveFeed.url,
          channel: config.liveFeed.channel,
          timeoutMs: config.liveFeed.timeoutMs,
          region: config.region,
        }),
      );
    }
  }
  const auditorOptions: AuditorOptions = {
    sinks,
    includeEmail: config.includeEmail,
    batchWindowMs: config.batchWindowMs,
  };
  if (options.fallback) auditorOptions.fallback = options.fallback;
  if (options.metrics) auditorOptions.metrics = options.metrics;
  return createAuditor(auditorOptions);
}

/** Splits off the events the stream could not partition, grouped by the reason. */
function refuseUnstorable(events: AuditEvent[]) {
  const storable: AuditEvent[] = [];
  const byReason = new Map<string, AuditEvent[]>();
  for (const event of events) {
    try {
      recordPartition(event);
      storable.push(event);
    } catch (error) {
      const reason = `unstorable: ${error instanceof Error ? error.message : String(error)}`;
      const list = byReason.get(reason) ?? [];
      list.push(event);
      byReason.set(reason, list);
    }
  }
  return { storable, byReason, count: events.length - storable.length };
}
