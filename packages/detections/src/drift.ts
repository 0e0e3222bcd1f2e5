/**
 * The drift check: on the detect schedule, the pool as Cognito has it now
 * (DescribeUserPool, ListUserPoolClients and DescribeUserPoolClient) compared with what
 * the CDK app deployed (the baseline, `DETECT_POOL_BASELINE`, the same JSON shape as the
 * cloudtrail handler's `CLOUDTRAIL_POOL_BASELINE`): an Authwatch trigger missing or
 * pointing elsewhere, MFA lower than deployed, a weaker password policy, a client with
 * callback URLs or OAuth flows the deployed clients lack. A change made while CloudTrail
 * or EventBridge was not delivering is still caught. The result is a Detection Finding
 * like any rule's (analytic `pool-config-drift`), delivered, stored and alerted the
 * same way; the same drift found again is the same finding (not alerted twice), a
 * different one is an update that alerts.
 */

import { type PoolBaseline, PoolBaselineSchema } from '@authwatch/cloudtrail/management-config';
import { ConfigError } from '@authwatch/kit';
import {
  type CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { FindingChange } from './detect.js';
import { findingUid, SEVERITY_IDS, toFindingEvent } from './finding.js';
import type { Rule } from './schema.js';
import type { FindingState, FindingStore } from './store.js';

/** What the check reads of the pool (the SDK's shapes, only these members). */
export interface PoolSnapshot {
  lambdaConfig: Record<string, unknown>;
  mfa: string;
  passwordPolicy?: {
    MinimumLength?: number;
    RequireUppercase?: boolean;
    RequireLowercase?: boolean;
    RequireNumbers?: boolean;
    RequireSymbols?: boolean;
  };
  clients: { clientId: string; callbackURLs: string[]; oauthFlows: string[] }[];
}

/** One difference: the member, what was deployed, what the pool has. */
export interface DriftItem {
  field: string;
  expected: string;
  actual: string;
}

const MFA_RANK: Record<string, number> = { OFF: 0, OPTIONAL: 1, ON: 2 };

/** The differences that matter for security (pure). */
export function poolDrift(snapshot: PoolSnapshot, baseline: PoolBaseline): DriftItem[] {
  const items: DriftItem[] = [];
  for (const [name, arn] of Object.entries(baseline.triggers)) {
    const ptg = snapshot.lambdaConfig.PreTokenGenerationConfig as
      | { LambdaArn?: string }
      | undefined;
    const actual =
      name === 'PreTokenGeneration'
        ? (ptg?.LambdaArn ?? snapshot.lambdaConfig.PreTokenGeneration)
        : snapshot.lambdaConfig[name];
    if (actual !== arn) {
      items.push({
        field: `LambdaConfig.${name}`,
        expected: arn,
        actual: typeof actual === 'string' ? actual : '(detached)',
      });
    }
  }
  if (baseline.mfa !== undefined && (MFA_RANK[snapshot.mfa] ?? 0) < (MFA_RANK[baseline.mfa] ?? 0)) {
    items.push({ field: 'MfaConfiguration', expected: baseline.mfa, actual: snapshot.mfa });
  }
  const policy = baseline.passwordPolicy;
  const now = snapshot.passwordPolicy ?? {};
  if (policy) {
    if ((now.MinimumLength ?? 8) < policy.minimumLength) {
      items.push({
        field: 'PasswordPolicy.MinimumLength',
        expected: String(policy.minimumLength),
        actual: String(now.MinimumLength ?? 8),
      });
    }
    for (const [flag, key] of [
      ['requireUppercase', 'RequireUppercase'],
      ['requireLowercase', 'RequireLowercase'],
      ['requireNumbers', 'RequireNumbers'],
      ['requireSymbols', 'RequireSymbols'],
    ] as const) {
      if (policy[flag] && now[key] !== true) {
        items.push({ field: `PasswordPolicy.${key}`, expected: 'true', actual: 'false' });
      }
    }
  }
  if (baseline.clients) {
    const known = baseline.clients;
    for (const client of snapshot.clients) {
      for (const url of client.callbackURLs.filter((u) => !known.callbackURLs.includes(u))) {
        items.push({
          field: `Client.${client.clientId}.CallbackURLs`,
          expected: '(not deployed)',
          actual: url,
        });
      }
      for (const flow of client.oauthFlows.filter(
        (f) => !(known.oauthFlows as string[]).includes(f),
      )) {
        items.push({
          field: `Client.${client.clientId}.AllowedOAuthFlows`,
          expected: '(not deployed)',
          actual: flow,
        });
      }
    }
  }
  return items;
}

/** Reads the snapshot through the Cognito API (every client, page by page). */
export async function readPoolSnapshot(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<PoolSnapshot> {
  const { UserPool: pool } = await cognito.send(
    new DescribeUserPoolCommand({ UserPoolId: userPoolId }),
  );
  const clients: PoolSnapshot['clients'] = [];
  let nextToken: string | undefined;
  do {
    const page = await cognito.send(
      new ListUserPoolClientsCommand({
        UserPoolId: userPoolId,
        MaxResults: 60,
        NextToken: nextToken,
      }),
    );
    for (const item of page.UserPoolClients ?? []) {
      const { UserPoolClient: client } = await cognito.send(
        new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: item.ClientId }),
      );
      clients.push({
        clientId: client?.ClientId ?? item.ClientId ?? 'unknown',
        callbackURLs: [...(client?.CallbackURLs ?? []), ...(client?.LogoutURLs ?? [])],
        oauthFlows: client?.AllowedOAuthFlows ?? [],
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return {
    lambdaConfig: (pool?.LambdaConfig ?? {}) as Record<string, unknown>,
    mfa: pool?.MfaConfiguration ?? 'OFF',
    ...(pool?.Policies?.PasswordPolicy ? { passwordPolicy: pool.Policies.PasswordPolicy } : {}),
    clients,
  };
}

/** The drift check's analytic: not a SQL rule, but reported like one. */
export const DRIFT_RULE: Rule = {
  id: 'pool-config-drift',
  title: 'User pool configuration differs from the deployed one',
  description:
    'The pool as Cognito has it now differs from what the CDK app deployed: an Authwatch trigger missing or replaced, MFA lower, a weaker password policy, or a client with callback URLs or OAuth flows not deployed.',
  severity: 'high',
  mitre: ['T1556', 'T1562.001'],
  references: [
    'https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-updating.html',
  ],
  filter: { 'service.uid|exists': true },
  correlation: {
    type: 'first_seen',
    'group-by': ['service.uid'],
    field: 'service.uid',
    baseline: '1d',
  },
};

/** The baseline from `DETECT_POOL_BASELINE` (JSON), or undefined when unset. */
export function loadDriftBaseline(
  env: Record<string, string | undefined> = process.env,
): PoolBaseline | undefined {
  const raw = env.DETECT_POOL_BASELINE?.trim();
  if (!raw) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError('DETECT_POOL_BASELINE', 'is not JSON');
  }
  const parsed = PoolBaselineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      'DETECT_POOL_BASELINE',
      `field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/**
 * Runs the check: the finding change to deliver, or none when the pool matches the
 * baseline or the same drift was already reported.
 */
export async function checkDrift(deps: {
  cognito: CognitoIdentityProviderClient;
  userPoolId: string;
  baseline: PoolBaseline;
  store: FindingStore;
  now: number;
  region?: string;
}): Promise<FindingChange[]> {
  const items = poolDrift(await readPoolSnapshot(deps.cognito, deps.userPoolId), deps.baseline);
  if (items.length === 0) return [];
  const group = { 'service.uid': deps.userPoolId };
  const groupKey = `service.uid=${deps.userPoolId}`;
  const described = items.map((item) => `${item.field}: ${item.expected} -> ${item.actual}`).sort();
  const previous = await deps.store.latest(DRIFT_RULE.id, groupKey);
  const same = previous?.values.drift?.join('\n') === described.join('\n');
  if (same && previous?.pending === undefined) return [];
  const firstSeen = previous?.firstSeen ?? deps.now;
  const state: FindingState = {
    ruleId: DRIFT_RULE.id,
    group,
    groupKey,
    firstSeen,
    lastSeen: deps.now,
    peakCount: items.length,
    distinct: {},
    values: { drift: described.slice(0, 50) },
    sample: [],
    rows: items.length,
    uid: findingUid(DRIFT_RULE.id, groupKey, firstSeen),
    severityId: SEVERITY_IDS[DRIFT_RULE.severity],
    alertedPeak: items.length,
    revision: (previous?.revision ?? 0) + 1,
    responded: previous?.responded ?? [],
    updatedAt: deps.now,
    pending: previous ? 'updated' : 'new',
  };
  if (!(await deps.store.save(state, previous?.revision))) return [];
  const event = toFindingEvent(DRIFT_RULE, state, previous ? 'update' : 'create', {
    now: deps.now,
    ...(deps.region ? { region: deps.region } : {}),
  });
  return [{ kind: previous ? 'updated' : 'new', rule: DRIFT_RULE, state, event, alert: true }];
}
