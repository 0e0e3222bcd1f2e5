/**
 * Builds the CloudTrail Lambda handler from its dependencies, so tests run the real
 * handler with an in-memory auditor.
 */
import { defineHandler, logger as kitLogger, metrics as kitMetrics } from '@authwatch/kit';
import * as z from 'zod';
import { type BatchDeps, type BatchResponse, processBatch } from './batch.js';

/** An SQS event as Lambda's event source mapping delivers it (only what we read). */
export const SqsEventSchema = z
  .object({
    Records: z.array(z.object({ messageId: z.string().min(1), body: z.string() }).loose()),
  })
  .loose();

/** Metric names. */
export const CLOUDTRAIL_METRICS = {
  events: 'CloudTrailEvents',
  skipped: 'CloudTrailRecordsSkipped',
  retried: 'CloudTrailRecordsRetried',
} as const;

export interface CloudTrailHandlerDeps extends BatchDeps {
  logger?: { info(message: string, data?: object): void };
  metrics?: { addMetric(name: string, unit: 'Count', value: number): unknown };
  now?: () => number;
}

export function createCloudTrailHandler(deps: CloudTrailHandlerDeps) {
  const log = deps.logger ?? {
    info: (message: string, data?: object) => kitLogger.info(message, { ...data }),
  };
  const metrics = deps.metrics ?? kitMetrics;
  return defineHandler({
    name: 'CloudTrail',
    schema: SqsEventSchema,
    ...(deps.now ? { now: deps.now } : {}),
    handle: async (event, ctx): Promise<BatchResponse> => {
      const { response, counts } = await processBatch(event.Records, deps, ctx.deadline);
      const skipped = Object.values(counts.skipped).reduce((sum, n) => sum + (n ?? 0), 0);
      try {
        metrics.addMetric(CLOUDTRAIL_METRICS.events, 'Count', counts.events);
        if (skipped > 0) metrics.addMetric(CLOUDTRAIL_METRICS.skipped, 'Count', skipped);
        if (counts.retried > 0)
          metrics.addMetric(CLOUDTRAIL_METRICS.retried, 'Count', counts.retried);
      } catch {
        // Metrics are best effort.
      }
      // Counts only: never a record's content.
      log.info('cloudtrail batch', { ...counts });
      return response;
    },
  });
}
