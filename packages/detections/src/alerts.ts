/**
 * Alerts: one readable SNS message per new finding and per escalation (to the topic
 * the security team's addresses subscribe to), and one EventBridge event per finding
 * change on the default bus (`source: authwatch`, `detail-type: Authwatch Detection
 * Finding`) for routing anywhere. Neither carries a credential (evidence is scrubbed
 * when the finding is made) nor a full email address (masked here).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { FindingChange } from './detect.js';
import { maskEmails } from './scrub.js';

export const EVENT_SOURCE = 'authwatch';
export const EVENT_DETAIL_TYPE = 'Authwatch Detection Finding';

const FIELD_LABELS: Record<string, string> = {
  'user.name': 'users',
  'user.uid': 'users',
  'src_endpoint.ip': 'IPs',
  'src_endpoint.location.country': 'countries',
  status_detail: 'reasons',
  'user.email_domain': 'domains',
  'finding_info.analytic.uid': 'after rules',
};

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The subject (at most 100 characters, SNS's limit) and text of an alert. */
export function alertMessage(
  change: FindingChange,
  responses: string[] = [],
): { subject: string; text: string } {
  const { rule, state, event } = change;
  const severity = event.severity.toUpperCase();
  const what = change.kind === 'escalated' ? 'ESCALATED' : 'NEW';
  const subject = maskEmails(`[Authwatch ${severity}] ${what}: ${rule.title}`).slice(0, 100);
  const lines = [
    `${rule.title} (${rule.id}), severity ${severity}, ATT&CK ${rule.mitre.join(', ')}`,
    change.kind === 'escalated'
      ? `Escalated: now ${state.peakCount} events in one window (alerted at ${Math.round(state.peakCount / 2)} or fewer before).`
      : 'New finding.',
    `Who: ${Object.entries(state.group)
      .map(([field, value]) => `${field} ${value}`)
      .join(', ')}`,
    `When: ${iso(state.firstSeen)} to ${iso(state.lastSeen)}`,
    `Evidence: ${state.peakCount} events in one window${Object.entries(state.distinct)
      .map(([field, count]) => `, ${count} distinct ${FIELD_LABELS[field] ?? field}`)
      .join(
        '',
      )}${state.maxPerValue !== undefined ? `, at most ${state.maxPerValue} per value` : ''}${
      state.speedKmh !== undefined ? `, ${state.distanceKm} km at ${state.speedKmh} km/h` : ''
    }`,
  ];
  for (const [field, values] of Object.entries(state.values)) {
    if (values.length === 0) continue;
    const shown = values.slice(0, 8).join(', ');
    lines.push(
      `  ${FIELD_LABELS[field] ?? field}: ${shown}${values.length > 8 ? `, and ${values.length - 8} more` : ''}`,
    );
  }
  if (responses.length > 0) lines.push(`Response: ${responses.join('; ')}`);
  lines.push(`Description: ${rule.description}`);
  lines.push(`Finding: ${state.uid}`);
  lines.push(
    `Explain: authwatch-detect explain ${state.uid} --from ${iso(state.firstSeen - 3_600_000)} --to ${iso(state.lastSeen + 60_000)}`,
  );
  return { subject, text: maskEmails(lines.join('\n')) };
}

export interface Alerter {
  /** Sends the alert of one change; throws when it could not. */
  alert(change: FindingChange, responses: string[]): Promise<void>;
  /** Puts the finding on the event bus; throws when it could not. */
  publishEvent(change: FindingChange): Promise<void>;
}

export interface AwsAlerterOptions {
  topicArn?: string;
  /** Put findings on EventBridge (default bus unless `eventBusName`). */
  events: boolean;
  eventBusName?: string;
  sns?: SNSClient;
  eventBridge?: EventBridgeClient;
}

/** SNS and EventBridge with the real SDK clients (request timeouts, 3 attempts). */
export function createAwsAlerter(options: AwsAlerterOptions): Alerter {
  const clientConfig = {
    maxAttempts: 3,
    requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 },
  };
  const sns = options.sns ?? new SNSClient(clientConfig);
  const eventBridge = options.eventBridge ?? new EventBridgeClient(clientConfig);
  return {
    async alert(change, responses) {
      if (!options.topicArn) return;
      const { subject, text } = alertMessage(change, responses);
      await sns.send(
        new PublishCommand({
          TopicArn: options.topicArn,
          Subject: subject,
          Message: text,
          MessageAttributes: {
            severity: { DataType: 'String', StringValue: change.event.severity },
            rule: { DataType: 'String', StringValue: change.rule.id },
          },
        }),
      );
    },
    async publishEvent(change) {
      if (!options.events) return;
      const answer = await eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: EVENT_SOURCE,
              DetailType: EVENT_DETAIL_TYPE,
              Detail: maskEmails(JSON.stringify({ change: change.kind, finding: change.event })),
              Resources: [],
              ...(options.eventBusName ? { EventBusName: options.eventBusName } : {}),
            },
          ],
        }),
      );
      if ((answer.FailedEntryCount ?? 0) > 0) {
        const entry = answer.Entries?.[0];
        throw new Error(
          `EventBridge refused the finding: ${entry?.ErrorCode ?? 'error'} ${entry?.ErrorMessage ?? ''}`.trim(),
        );
      }
    },
  };
}
