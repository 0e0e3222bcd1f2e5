/**
 * The detect Lambda's logic, between the thin `handler.ts` and the pure modules: pick
 * the time range (the lookback covers the schedule and Firehose's buffer; after failed
 * runs, from the last complete one), run the rules, deliver what changed, move the
 * watermark only when every rule ran.
 */
import type { Auditor } from '@authwatch/audit';
import { defineHandler, logger, metrics } from '@authwatch/kit';
import * as z from 'zod';
import type { Alerter } from './alerts.js';
import type { DetectConfig } from './config.js';
import { type DeliveryReport, deliver } from './deliver.js';
import { type DetectOutcome, detect, type FindingChange, scanDays } from './detect.js';
import type { LoadedRules } from './load.js';
import type { QueryEngine } from './query/engine.js';
import type { Responder } from './responses.js';
import type { FindingStore } from './store.js';

/**
 * What the schedule sends (EventBridge Scheduler's input template puts the scheduled
 * time in, so a retried invocation reads the same range); an operator may invoke the
 * function with `from`/`to` (ISO 8601 or epoch ms) to re-run a range.
 */
export const DetectEventSchema = z
  .object({
    scheduledTime: z.iso.datetime({ offset: true }).optional(),
    from: z.union([z.iso.datetime({ offset: true }), z.int().positive()]).optional(),
    to: z.union([z.iso.datetime({ offset: true }), z.int().positive()]).optional(),
  })
  .loose();
export type DetectEvent = z.output<typeof DetectEventSchema>;

export interface DetectDeps {
  config: DetectConfig;
  rules: LoadedRules;
  /** The engine (DuckDB: `refresh` is called before each run). */
  engine: () => Promise<
    QueryEngine & { refresh?: (days: { from: string; to: string }) => Promise<unknown> }
  >;
  store: FindingStore;
  auditor: Auditor;
  alerter?: Alerter;
  responder?: Responder;
  region?: string;
  /** The clock (tests; the Lambda uses Date.now). */
  now?: () => number;
  /** The pool drift check (drift.ts), run with the rules; its finding is delivered alike. */
  drift?: (now: number) => Promise<FindingChange[]>;
}

export interface DetectSummary {
  from: string;
  to: string;
  rules: number;
  failedRules: string[];
  findings: { new: number; updated: number; escalated: number };
  alerts: number;
  responses: number;
  deliveryFailures: number;
}

const time = (value: string | number) => (typeof value === 'number' ? value : Date.parse(value));

/** The range of one run: see the module comment. */
export async function runRange(
  event: DetectEvent,
  config: DetectConfig,
  store: FindingStore,
  now: number,
) {
  const to =
    event.to !== undefined
      ? time(event.to)
      : event.scheduledTime
        ? Date.parse(event.scheduledTime)
        : now;
  if (event.from !== undefined) return { from: time(event.from), to, explicit: true };
  const lookback = config.lookbackSeconds * 1000;
  let from = to - lookback;
  const watermark = await store.watermark();
  if (watermark !== undefined && watermark - lookback < from) {
    from = Math.max(watermark - lookback, to - config.maxCatchUpSeconds * 1000);
  }
  return { from, to, explicit: false };
}

export async function runDetection(
  event: DetectEvent,
  deps: DetectDeps,
  clock: { now: () => number; deadline: number },
): Promise<{ summary: DetectSummary; outcome: DetectOutcome; delivery: DeliveryReport }> {
  const range = await runRange(event, deps.config, deps.store, clock.now());
  if (!(range.from < range.to))
    throw new RangeError('the run range is empty: from must be before to');
  const engine = await deps.engine();
  await engine.refresh?.(scanDays(deps.rules.compiled, range));
  const outcome = await detect({
    engine,
    rules: deps.rules.compiled,
    range,
    store: deps.store,
    now: clock.now,
    ...(deps.region ? { region: deps.region } : {}),
  });
  let driftChanges: FindingChange[] = [];
  if (deps.drift) {
    try {
      driftChanges = await deps.drift(clock.now());
    } catch (error) {
      // A failed check is logged and counted; the rules' findings still go out.
      logger.error('pool drift check failed', { error: (error as Error).message });
    }
  }
  outcome.changes.push(...driftChanges);
  const delivery = await deliver(outcome.changes, {
    auditor: deps.auditor,
    store: deps.store,
    now: clock.now,
    deadline: clock.deadline,
    ...(deps.alerter ? { alerter: deps.alerter } : {}),
    ...(deps.responder ? { responder: deps.responder } : {}),
    ...(deps.config.userPoolId ? { userPoolId: deps.config.userPoolId } : {}),
    ...(deps.region ? { region: deps.region } : {}),
  });
  const failedRules = outcome.runs.filter((run) => run.error).map((run) => run.ruleId);
  if (failedRules.length === 0 && !range.explicit) await deps.store.setWatermark(range.to);
  const count = (kind: string) => outcome.changes.filter((change) => change.kind === kind).length;
  const summary: DetectSummary = {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    rules: outcome.runs.length,
    failedRules,
    findings: { new: count('new'), updated: count('updated'), escalated: count('escalated') },
    alerts: delivery.alerts,
    responses: delivery.responses.length,
    deliveryFailures: delivery.failures.length,
  };
  for (const run of outcome.runs.filter((item) => item.error)) {
    logger.error('detection rule failed', {
      rule: run.ruleId,
      error: run.error,
      retryable: run.retryable,
    });
  }
  for (const baseline of outcome.baselines) {
    if (baseline.error) {
      // The rule read its baseline raw: its findings are right, the scan dearer.
      logger.warn('baseline snapshot unavailable, read raw', {
        rule: baseline.ruleId,
        error: baseline.error,
      });
    } else if (baseline.built) {
      logger.info('baseline snapshot built', {
        rule: baseline.ruleId,
        ...baseline.built,
        bytesScanned: baseline.bytesScanned,
      });
    }
  }
  try {
    metrics.addMetric('DetectionFindings', 'Count', outcome.changes.length);
    metrics.addMetric('DetectionRuleFailures', 'Count', failedRules.length);
    metrics.addMetric('DetectionDeliveryFailures', 'Count', delivery.failures.length);
  } catch {
    // A metrics failure must not fail the run.
  }
  logger.info('detection run', { ...summary });
  return { summary, outcome, delivery };
}

/** The Lambda handler over its dependencies (handler.ts builds them at cold start). */
export function createDetectHandler(deps: DetectDeps) {
  return defineHandler({
    name: 'Detect',
    schema: DetectEventSchema,
    ...(deps.now ? { now: deps.now } : {}),
    handle: async (event, ctx) =>
      (await runDetection(event, deps, { now: ctx.now, deadline: ctx.deadline })).summary,
  });
}
