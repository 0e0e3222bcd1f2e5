/**
 * One SQS batch: each message is read, mapped and its event collected; the events are
 * emitted together; the answer lists the messages to retry (SQS partial batch
 * response). A message that is not a Cognito auth call, or not a CloudTrail record at
 * all, is counted and skipped (retrying would not change it); a message whose event did
 * not reach the audit stream is retried by SQS (and after maxReceiveCount lands in the
 * dead-letter queue, which has an alarm), so nothing is lost when Firehose is slow.
 */
import type { AuditEvent, Auditor } from '@authwatch/audit';
import type { CloudTrailConfig } from './config.js';
import type { GeoIp } from './geoip.js';
import { type ManagementSkip, mapManagementBody } from './management.js';
import type { ManagementConfig } from './management-config.js';
import { type MapSkipReason, mapRecord } from './map.js';
import { parseMessageBody, type SkipReason } from './record.js';

/** One SQS message as the event source delivers it (only what we read). */
export interface SqsMessage {
  messageId: string;
  body: string;
}

/** SQS partial batch response. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What one batch did, for the summary log line and metrics. */
export interface BatchCounts {
  received: number;
  events: number;
  skipped: Partial<Record<SkipReason | MapSkipReason | ManagementSkip, number>>;
  /** Messages handed back to SQS for a retry. */
  retried: number;
}

export interface BatchDeps {
  config: CloudTrailConfig;
  auditor: Auditor;
  geo: GeoIp;
  /** Privileged groups and the deployed baseline, for admin changes (default: `admins`, none). */
  management?: ManagementConfig;
  /** The ids of events the auditor could not deliver since the last call (and forgets them). */
  takeUndelivered(): readonly string[];
}

/** Processes one batch by `deadline`; never throws for a message's content. */
export async function processBatch(
  messages: readonly SqsMessage[],
  deps: BatchDeps,
  deadline: number,
): Promise<{ response: BatchResponse; counts: BatchCounts }> {
  const counts: BatchCounts = { received: messages.length, events: 0, skipped: {}, retried: 0 };
  const events: AuditEvent[] = [];
  const owner = new Map<string, string>();
  const retry = new Set<string>();
  const skip = (reason: SkipReason | MapSkipReason | ManagementSkip) => {
    counts.skipped[reason] = (counts.skipped[reason] ?? 0) + 1;
  };
  for (const message of messages) {
    try {
      // Admin actions and configuration changes (management.ts), then sign-in calls.
      const managed = mapManagementBody(message.body, deps.config, deps.geo, deps.management);
      if (managed !== undefined) {
        if (managed.kind === 'skip') skip(managed.reason);
        else {
          events.push(managed.event);
          owner.set(managed.event.metadata.uid, message.messageId);
        }
        continue;
      }
      const parsed = parseMessageBody(message.body);
      if (parsed.kind === 'skip') {
        skip(parsed.reason);
        continue;
      }
      const mapped = mapRecord(parsed.record, deps.config, deps.geo);
      if (mapped.kind === 'skip') {
        skip(mapped.reason);
        continue;
      }
      events.push(mapped.event);
      owner.set(mapped.event.metadata.uid, message.messageId);
    } catch {
      // A defect, not the message's fault: SQS retries it, then the dead-letter queue.
      retry.add(message.messageId);
    }
  }
  deps.takeUndelivered();
  if (events.length > 0) await deps.auditor.emit(events, { deadline });
  counts.events = events.length;
  for (const id of deps.takeUndelivered()) {
    const messageId = owner.get(id);
    if (messageId !== undefined) retry.add(messageId);
  }
  counts.retried = retry.size;
  return {
    response: { batchItemFailures: [...retry].map((itemIdentifier) => ({ itemIdentifier })) },
    counts,
  };
}
