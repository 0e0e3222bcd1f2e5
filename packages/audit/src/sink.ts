/** The interface every destination of audit events implements, and an in-memory one. */
import type { AuditEvent } from './ocsf.js';

export interface SendOptions {
  /** Epoch ms by which `send` must have returned. */
  deadline: number;
}

export interface SendResult {
  /** Events the sink could not deliver by the deadline. */
  failed: AuditEvent[];
  /** Why, for the fallback line (no secret: an error name and message). */
  reason?: string;
}

/** A destination of audit events. `send` should not throw; the auditor copes if it does. */
export interface AuditSink {
  readonly name: string;
  /**
   * A durable sink's failures go to the fallback log (the audit stream); a best-effort
   * sink's (the live feed) are only counted.
   */
  readonly durable: boolean;
  send(events: readonly AuditEvent[], options: SendOptions): Promise<SendResult>;
}

/** An in-memory sink for tests: `.events` holds everything sent to it, in order. */
export interface MemorySink extends AuditSink {
  readonly events: AuditEvent[];
  /** Forget what was received. */
  clear(): void;
}

/**
 * An in-memory sink, for unit tests of triggers (no mocks needed).
 *
 * @example
 * ```ts
 * const sink = createMemorySink();
 * const auditor = createAuditor({ sinks: [sink] });
 * await handle(event, { auditor });
 * expect(sink.events.map((e) => e.metadata.log_name)).toEqual(['sign-up-allowed']);
 * ```
 */
export function createMemorySink(options: { name?: string; durable?: boolean } = {}): MemorySink {
  const events: AuditEvent[] = [];
  return {
    name: options.name ?? 'memory',
    durable: options.durable ?? true,
    events,
    clear() {
      events.length = 0;
    },
    async send(batch) {
      events.push(...batch.map((event) => structuredClone(event)));
      return { failed: [] };
    },
  };
}
