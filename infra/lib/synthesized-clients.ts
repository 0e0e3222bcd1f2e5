/**
 * The app clients of an environment as the CDK app synthesises them, read back from
 * the CloudFormation template as {@link AppClientSpec}s: what tests compare the
 * plain specs (`appClientSpecs`) and the local stack's clients against. Synthesised
 * without bundling (no Lambda code is built), so it takes a second or two.
 */
import { App } from 'aws-cdk-lib';
import type { AppClientSpec } from '../config/clients.js';
import type { AuthwatchConfig } from '../config/index.js';
import { AuthwatchStack, stackNameFor } from './authwatch-stack.js';

type Json = Record<string, unknown>;

/** A scope as CloudFormation holds it: a string, or a join with the resource server's Ref. */
function scopeText(value: unknown, serverIds: Map<string, string>): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`unexpected scope ${JSON.stringify(value)}`);
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      const id = ref === undefined ? undefined : serverIds.get(ref);
      if (id === undefined) throw new Error(`unexpected scope part ${JSON.stringify(part)}`);
      return id;
    })
    .join(join[0]);
}

/** Minutes of a validity in the client's TokenValidityUnits (CDK writes minutes). */
function minutes(value: unknown, unit: unknown): number | undefined {
  if (typeof value !== 'number') return undefined;
  const factor = { seconds: 1 / 60, minutes: 1, hours: 60, days: 1_440 }[String(unit ?? 'minutes')];
  return value * (factor ?? 1);
}

/** The clients of `config`'s stack, by ClientName. */
export function synthesizedAppClients(config: AuthwatchConfig): Record<string, AppClientSpec> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new AuthwatchStack(app, stackNameFor(config), { config });
  const template = app.synth().getStackArtifact(stack.artifactId).template as {
    Resources: Record<string, { Type: string; Properties?: Json }>;
  };
  const resources = Object.entries(template.Resources);
  const serverIds = new Map(
    resources
      .filter(([, resource]) => resource.Type === 'AWS::Cognito::UserPoolResourceServer')
      .map(([logicalId, resource]) => [logicalId, String(resource.Properties?.Identifier)]),
  );
  const clients: Record<string, AppClientSpec> = {};
  for (const [, resource] of resources) {
    if (resource.Type !== 'AWS::Cognito::UserPoolClient') continue;
    const p = resource.Properties ?? {};
    const units = (p.TokenValidityUnits ?? {}) as Json;
    const name = String(p.ClientName);
    const id = minutes(p.IdTokenValidity, units.IdToken);
    const refresh = minutes(p.RefreshTokenValidity, units.RefreshToken);
    clients[name] = {
      name,
      generateSecret: p.GenerateSecret === true,
      // Unset, Cognito allows SRP, custom auth and refresh.
      explicitAuthFlows: (p.ExplicitAuthFlows as string[] | undefined) ?? [
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_CUSTOM_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ],
      allowedOAuthFlows: (p.AllowedOAuthFlows as string[] | undefined) ?? [],
      allowedOAuthScopes: ((p.AllowedOAuthScopes as unknown[] | undefined) ?? []).map((scope) =>
        scopeText(scope, serverIds),
      ),
      accessTokenValidityMinutes: minutes(p.AccessTokenValidity, units.AccessToken) ?? 60,
      ...(id !== undefined ? { idTokenValidityMinutes: id } : {}),
      ...(refresh !== undefined ? { refreshTokenValidityMinutes: refresh } : {}),
      ...(typeof p.AuthSessionValidity === 'number'
        ? { authSessionValidityMinutes: p.AuthSessionValidity }
        : {}),
      preventUserExistenceErrors: p.PreventUserExistenceErrors === 'ENABLED',
      enableTokenRevocation: p.EnableTokenRevocation !== false,
    };
  }
  return clients;
}
