/**
 * The security page in the local stack (packages/dashboard): its own port, a seeded
 * member of the security group, and the protected API's history routes on DuckDB over
 * the stack's audit objects. stack.ts calls these few functions; the page itself lives
 * in the dashboard package.
 */
import type { AuthwatchConfig } from '@authwatch/infra/config';
import { createDashboardServer, type DashboardServer } from '../../dashboard/server/index.js';
import type { CognitoEmulator } from './cognito/index.js';
import type { LocalOutputs } from './outputs.js';

/** The seeded member of the security group. */
export const SECURITY_USER = {
  email: 'security@example.com',
  password: 'Security-Passw0rd!',
} as const;

/** The group whose members watch the live feed and read history (config `audit.subscriberGroup`). */
export function securityGroupOf(config: AuthwatchConfig): string {
  return config.audit?.subscriberGroup ?? 'security';
}

/**
 * The protected API's history settings: DuckDB over the audit folder, the security group,
 * and the history loaded in the background and kept current as objects land
 * (`HISTORY_FOLLOW`), so that opening the page does not wait for DuckDB to read it.
 */
export function historyHandlerEnv(
  config: AuthwatchConfig,
  auditDir: string,
): Record<string, Record<string, string>> {
  return {
    'protected-api': {
      HISTORY_ENGINE: 'duckdb',
      HISTORY_AUDIT_DIR: auditDir,
      HISTORY_FOLLOW: 'true',
      SECURITY_GROUP: securityGroupOf(config),
    },
  };
}

/** Per-handler environment overrides merged key by key (the caller's win). */
export function mergeHandlerEnv(
  ...layers: (Record<string, Record<string, string>> | undefined)[]
): Record<string, Record<string, string>> {
  const merged: Record<string, Record<string, string>> = {};
  for (const layer of layers) {
    for (const [key, env] of Object.entries(layer ?? {})) merged[key] = { ...merged[key], ...env };
  }
  return merged;
}

/** Creates the security group if the config's groups lack it, and its seeded member. */
export async function seedSecurityUser(
  cognito: CognitoEmulator,
  poolId: string,
  config: AuthwatchConfig,
): Promise<void> {
  const group = securityGroupOf(config);
  cognito.ensureGroup(poolId, { name: group, description: 'Security team (audit access)' });
  const existing = await cognito
    .call('AdminGetUser', { UserPoolId: poolId, Username: SECURITY_USER.email })
    .catch(() => undefined);
  if (existing) return;
  const user = await cognito.seedUser(poolId, SECURITY_USER.email, SECURITY_USER.password, {
    email: SECURITY_USER.email,
    email_verified: 'true',
  });
  await cognito.call('AdminAddUserToGroup', {
    UserPoolId: poolId,
    Username: user.username,
    GroupName: group,
  });
  await cognito.save();
}

/** Starts the page's server for a stack's endpoints; `port` 0 picks a free one. */
export async function startLocalDashboard(
  port: number,
  outputs: Omit<LocalOutputs, 'dashboardUrl'>,
  config: AuthwatchConfig,
): Promise<DashboardServer> {
  const server = createDashboardServer({
    cognitoUrl: outputs.endpoint,
    apiUrl: outputs.apiUrl,
    liveFeedWsUrl: outputs.liveFeedWsUrl,
    liveFeedHttpUrl: outputs.liveFeedHttpUrl,
    region: outputs.region,
    userPoolId: outputs.userPoolId,
    clientId: outputs.userPoolClientId,
    securityGroup: securityGroupOf(config),
  });
  await server.start(port);
  return server;
}
