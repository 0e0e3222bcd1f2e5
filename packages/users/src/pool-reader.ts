/** Paging through a pool: users (with groups and MFA settings), groups, clients, ... */
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  type GroupType,
  ListGroupsCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import type { PoolApi } from './throttle.js';
import { toUserRecord, type UserRecord } from './user-record.js';

/** Runs `work` over `items` with at most `concurrency` at a time, keeping the order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= items.length) return;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(runners);
  return results;
}

/** Every page of ListUsers (60 a page, Cognito's maximum). */
export async function* listUserPages(api: PoolApi, userPoolId: string): AsyncGenerator<UserType[]> {
  let token: string | undefined;
  do {
    const page = await api.send(
      new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token }),
    );
    yield page.Users ?? [];
    token = page.PaginationToken;
  } while (token);
}

/** A user's groups, every page of AdminListGroupsForUser. */
export async function groupsOfUser(
  api: PoolApi,
  userPoolId: string,
  username: string,
): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await api.send(
      new AdminListGroupsForUserCommand({
        UserPoolId: userPoolId,
        Username: username,
        Limit: 60,
        NextToken: token,
      }),
    );
    for (const group of page.Groups ?? []) if (group.GroupName) names.push(group.GroupName);
    token = page.NextToken;
  } while (token);
  return names;
}

/** Every group of the pool. */
export async function listGroups(api: PoolApi, userPoolId: string): Promise<GroupType[]> {
  const groups: GroupType[] = [];
  let token: string | undefined;
  do {
    const page = await api.send(
      new ListGroupsCommand({ UserPoolId: userPoolId, Limit: 60, NextToken: token }),
    );
    groups.push(...(page.Groups ?? []));
    token = page.NextToken;
  } while (token);
  return groups;
}

export interface ReadUsersOptions {
  /** Parallel per-user calls (groups, MFA settings); the pacer still holds the rate. */
  concurrency?: number;
  /** Called after each page with the number of users read so far. */
  onProgress?: (done: number) => void;
}

/**
 * Every user as a UserRecord, a page at a time: ListUsers, then for each user its
 * groups (AdminListGroupsForUser) and MFA settings (AdminGetUser).
 */
export async function* readUsers(
  api: PoolApi,
  userPoolId: string,
  options: ReadUsersOptions = {},
): AsyncGenerator<UserRecord[]> {
  let done = 0;
  for await (const page of listUserPages(api, userPoolId)) {
    const records = await mapLimit(page, options.concurrency ?? 8, async (user) => {
      const username = user.Username ?? '';
      const [groups, details] = await Promise.all([
        groupsOfUser(api, userPoolId, username),
        api.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username })),
      ]);
      return toUserRecord(user, details, groups);
    });
    done += records.length;
    options.onProgress?.(done);
    yield records;
  }
}
