/**
 * Groups and membership: CreateGroup, GetGroup, ListGroups, ListUsersInGroup,
 * AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser; a user's groups
 * in token order (precedence).
 */
import type { EmulatorContext } from './context.js';
import { CognitoError } from './errors.js';
import { type Json, paginate, str } from './input.js';
import { requirePool, requireUser } from './lookup.js';
import { groupType, userType } from './model.js';
import type { GroupRecord, PoolRecord, UserRecord } from './state.js';

export interface GroupSpec {
  name: string;
  description?: string;
  precedence?: number;
  roleArn?: string;
}

export function createGroup(ctx: EmulatorContext, poolId: string, spec: GroupSpec): void {
  const pool = requirePool(ctx, poolId);
  if (pool.groups[spec.name]) {
    throw new CognitoError('GroupExistsException', 'A group with the name already exists.');
  }
  const now = ctx.now();
  pool.groups[spec.name] = {
    name: spec.name,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    ...(spec.precedence !== undefined ? { precedence: spec.precedence } : {}),
    ...(spec.roleArn !== undefined ? { roleArn: spec.roleArn } : {}),
    created: now,
    modified: now,
  };
  ctx.changed();
}

export function ensureGroup(ctx: EmulatorContext, poolId: string, spec: GroupSpec): void {
  if (!requirePool(ctx, poolId).groups[spec.name]) createGroup(ctx, poolId, spec);
}

export function createGroupOp(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const name = str(i, 'GroupName');
  createGroup(ctx, pool.id, {
    name,
    ...(typeof i.Description === 'string' ? { description: i.Description } : {}),
    ...(typeof i.Precedence === 'number' ? { precedence: i.Precedence } : {}),
    ...(typeof i.RoleArn === 'string' ? { roleArn: i.RoleArn } : {}),
  });
  return { Group: groupType(pool.id, pool.groups[name] as GroupRecord) };
}

export function getGroup(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const group = pool.groups[str(i, 'GroupName')];
  if (!group) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
  return { Group: groupType(pool.id, group) };
}

export function listGroups(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const all = Object.values(pool.groups).sort((a, b) => a.name.localeCompare(b.name));
  return paginate(all, i, 60, (group) => groupType(pool.id, group), 'Groups', 'NextToken');
}

export function listUsersInGroup(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const name = str(i, 'GroupName');
  if (!pool.groups[name]) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
  const users = Object.values(pool.users).filter((user) => user.groups.includes(name));
  return paginate(users, i, 60, (user) => userType(user), 'Users', 'NextToken');
}

function adminGroupMembership(ctx: EmulatorContext, i: Json, add: boolean): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  const name = str(i, 'GroupName');
  if (!pool.groups[name]) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
  const has = user.groups.includes(name);
  if (add && !has) user.groups.push(name);
  if (!add && has) user.groups = user.groups.filter((group) => group !== name);
  ctx.changed();
  return {};
}

export function adminAddUserToGroup(ctx: EmulatorContext, i: Json): Json {
  return adminGroupMembership(ctx, i, true);
}

export function adminRemoveUserFromGroup(ctx: EmulatorContext, i: Json): Json {
  return adminGroupMembership(ctx, i, false);
}

export function adminListGroupsForUser(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  return paginate(
    sortedGroups(pool, user),
    i,
    60,
    (group) => groupType(pool.id, group),
    'Groups',
    'NextToken',
  );
}

export function sortedGroups(pool: PoolRecord, user: UserRecord): GroupRecord[] {
  return user.groups
    .map((name) => pool.groups[name])
    .filter((group): group is GroupRecord => group !== undefined)
    .sort(
      (a, b) =>
        (a.precedence ?? Number.MAX_SAFE_INTEGER) - (b.precedence ?? Number.MAX_SAFE_INTEGER) ||
        a.created - b.created,
    );
}
