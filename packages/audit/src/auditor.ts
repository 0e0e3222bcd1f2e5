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

  return {
    includeEmail,
    async emit(input, { deadline }) {
      let events: AuditEvent[] = [];
      try {
        events = (Array.isArray(input) ? input : [input as AuditEvent]).map((event) =>
          applyEmailPolicy(event, includeEmail),
        );
        if (events.length === 0) return { delivered: 0, fallback: 0 };
        const sinkDeadline = deadline - reserveMs;
        const undelivered = new Map<string, { event: AuditEvent; reason: string }>();
        const durable = options.sinks.filter((sink) => sink.durable);
        if (sinkDeadline <= now()) {
          writeFallback(events, 'deadline already passed');
          return { delivered: 0, fallback: events.length };
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
        return {
          delivered: durable.length > 0 ? events.length - undelivered.size : 0,
          fallback: undelivered.size,
        };
      } catch (error) {
        writeFallback(events, `auditor: ${describe(error)}`);
        return { delivered: 0, fallback: events.length };
      }
    },
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
  const auditorOptions: AuditorOptions = { sinks, includeEmail: config.includeEmail };
  if (options.fallback) auditorOptions.fallback = options.fallback;
  if (options.metrics) auditorOptions.metrics = options.metrics;
  return createAuditor(auditorOptions);
}
