/**
 * Delivering what a run found: responses first (for new findings of rules that have
 * them, when responses are on), then the finding events and the responses' audit
 * events through `@authwatch/audit` (the same Firehose stream as every event, and the
 * live feed channel `/auth/detections`), then the alert (new findings and escalations)
 * and the EventBridge event. A change whose alert or event could not be sent keeps its
 * `pending` mark, so the next run delivers it again: alerts are at least once, and a
 * delivered change is never sent twice.
 */
import type { AuditEvent, Auditor } from '@authwatch/audit';
import { logger } from '@authwatch/kit';
import type { Alerter } from './alerts.js';
import { type FindingChange, markDelivered } from './detect.js';
import { type Responder, type ResponseOutcome, respond } from './responses.js';
import type { FindingStore } from './store.js';

export interface DeliverDeps {
  auditor: Auditor;
  alerter?: Alerter;
  /** Present when responses are on (config `detections.responses`). */
  responder?: Responder;
  store: FindingStore;
  now: () => number;
  /** Epoch ms by which the audit emits return. */
  deadline: number;
  userPoolId?: string;
  region?: string;
}

export interface DeliveryReport {
  /** Changes fully delivered (their pending mark cleared). */
  delivered: number;
  alerts: number;
  responses: ResponseOutcome[];
  /** What failed, one line each (no secret: names and rule ids). */
  failures: string[];
}

/**
 * The finding as the auditor takes it. The auditor is class-agnostic at run time (it
 * reads `user` for its email policy and `metadata.uid` for the fallback); its type
 * names the classes the triggers emit, so a finding is passed through this one cast.
 */
function asAuditEvent(event: FindingChange['event']): AuditEvent {
  return event as unknown as AuditEvent;
}

export async function deliver(
  changes: readonly FindingChange[],
  deps: DeliverDeps,
): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, alerts: 0, responses: [], failures: [] };
  for (const change of changes) {
    const now = deps.now();
    const responded = [...change.state.responded];
    const summaries: string[] = [];
    const audits: AuditEvent[] = [];
    // The Cognito admin calls take a user name, an alias or the sub.
    const userName = change.state.group['user.uid'] ?? change.state.group['user.name'];
    const actions =
      change.kind === 'new' || change.kind === 'escalated' ? (change.rule.responses ?? []) : [];
    for (const action of actions) {
      if (responded.includes(action.action)) continue;
      if (!deps.responder || !deps.userPoolId || userName === undefined) {
        summaries.push(`${action.action} not taken (responses are off)`);
        continue;
      }
      const outcome = await respond(
        deps.responder,
        action,
        {
          userName,
          findingUid: change.state.uid,
          ruleId: change.rule.id,
          userPoolId: deps.userPoolId,
          region: deps.region ?? 'local',
        },
        now,
      );
      report.responses.push(outcome);
      summaries.push(outcome.summary);
      audits.push(outcome.audit);
      if (outcome.ok) responded.push(action.action);
      else report.failures.push(`${change.rule.id}: response ${action.action} failed`);
    }
    await deps.auditor.emit([asAuditEvent(change.event), ...audits], { deadline: deps.deadline });
    let failed = false;
    if (change.alert && deps.alerter) {
      try {
        await deps.alerter.alert(change, summaries);
        report.alerts += 1;
      } catch (error) {
        failed = true;
        report.failures.push(`${change.rule.id}: alert failed (${(error as Error).name})`);
      }
    }
    if (deps.alerter) {
      try {
        await deps.alerter.publishEvent(change);
      } catch (error) {
        failed = true;
        report.failures.push(`${change.rule.id}: event failed (${(error as Error).name})`);
      }
    }
    if (failed) continue;
    if (await markDelivered(deps.store, change, now, responded)) report.delivered += 1;
  }
  for (const failure of report.failures) logger.warn('detection delivery failed', { failure });
  return report;
}
