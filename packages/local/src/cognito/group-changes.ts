/**
 * Changing and removing groups: UpdateGroup and DeleteGroup, with Cognito's shapes and
 * errors. UpdateGroup changes the members the call names and keeps the others (the
 * current API reference: "updates any of the properties for precedence, IAM role, or
 * description"). Deleting a group takes it off every member, so their next tokens no
 * longer carry it in `cognito:groups`.
 */
import type { EmulatorContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import { type Json, str } from './input.js';
import { requirePool } from './lookup.js';
import { groupType } from './model.js';
import type { GroupRecord, PoolRecord } from './state.js';

const ROLE_ARN =
  /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/;

function requireGroup(pool: PoolRecord, name: string): GroupRecord {
  const group = pool.groups[name];
  if (!group) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
  return group;
}

export function updateGroup(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const group = requireGroup(pool, str(i, 'GroupName'));
  const { Description: description, Precedence: precedence, RoleArn: roleArn } = i;
  if (description !== undefined && (typeof description !== 'string' || description.length > 2048)) {
    throw invalidParameter(
      "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048",
    );
  }
  if (
    precedence !== undefined &&
    (typeof precedence !== 'number' || !Number.isInteger(precedence) || precedence < 0)
  ) {
    throw invalidParameter(
      "1 validation error detected: Value at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0",
    );
  }
  if (roleArn !== undefined && (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn))) {
    throw invalidParameter(
      `1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ROLE_ARN.source}`,
    );
  }
  if (typeof description === 'string') group.description = description;
  if (typeof precedence === 'number') group.precedence = precedence;
  if (typeof roleArn === 'string') group.roleArn = roleArn;
  group.modified = ctx.now();
  ctx.changed();
  return { Group: groupType(pool.id, group) };
}

export function deleteGroup(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const name = str(i, 'GroupName');
  requireGroup(pool, name);
  delete pool.groups[name];
  for (const user of Object.values(pool.users)) {
    if (user.groups.includes(name)) user.groups = user.groups.filter((group) => group !== name);
  }
  ctx.changed();
  return {};
}
