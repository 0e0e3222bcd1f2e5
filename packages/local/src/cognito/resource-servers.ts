/**
 * Resource servers and their custom scopes: CreateResourceServer, DescribeResourceServer,
 * ListResourceServers.
 */
import type { EmulatorContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import { type Json, paginate, str } from './input.js';
import { requirePool } from './lookup.js';

export function createResourceServer(
  ctx: EmulatorContext,
  poolId: string,
  spec: {
    identifier: string;
    name?: string;
    /** Scope names (`read`), or `{ name, description }`. */
    scopes: (string | { name: string; description?: string })[];
  },
): void {
  const pool = requirePool(ctx, poolId);
  pool.resourceServers[spec.identifier] = {
    identifier: spec.identifier,
    name: spec.name ?? spec.identifier,
    scopes: spec.scopes.map((scope) =>
      typeof scope === 'string'
        ? { ScopeName: scope, ScopeDescription: scope }
        : { ScopeName: scope.name, ScopeDescription: scope.description ?? scope.name },
    ),
  };
  ctx.changed();
}

export function createResourceServerOp(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const identifier = str(i, 'Identifier');
  const scopes = Array.isArray(i.Scopes) ? (i.Scopes as Json[]) : [];
  createResourceServer(ctx, pool.id, {
    identifier,
    name: str(i, 'Name'),
    scopes: scopes.map((scope) => ({
      name: String(scope.ScopeName),
      description: String(scope.ScopeDescription ?? scope.ScopeName),
    })),
  });
  return {
    ResourceServer: {
      UserPoolId: pool.id,
      ...pool.resourceServers[identifier],
      Identifier: identifier,
      Name: str(i, 'Name'),
    },
  };
}

export function describeResourceServer(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const server = pool.resourceServers[String(i.Identifier)];
  if (!server) throw new CognitoError('ResourceNotFoundException', 'Resource server not found.');
  return {
    ResourceServer: {
      UserPoolId: pool.id,
      Identifier: server.identifier,
      Name: server.name,
      Scopes: server.scopes,
    },
  };
}

export function listResourceServers(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const max = i.MaxResults;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 50) {
    throw invalidParameter(
      "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 50",
    );
  }
  return paginate(
    Object.values(pool.resourceServers),
    { ...i, Limit: max },
    50,
    (server) => ({
      UserPoolId: pool.id,
      Identifier: server.identifier,
      Name: server.name,
      Scopes: server.scopes,
    }),
    'ResourceServers',
    'NextToken',
  );
}
