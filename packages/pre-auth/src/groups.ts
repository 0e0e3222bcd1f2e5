/**
 * The user's groups, for the client restrictions: AdminListGroupsForUser (the
 * pre authentication event does not carry groups). An unknown name answers
 * UserNotFoundException, which is no group: the same call is made for a known and an
 * unknown name, so the time it takes says nothing about which it is.
 */
import { type Deferred, resolveDeferred, sendWithSignal, signalForDeadline } from '@authwatch/kit';
import type {
  AdminListGroupsForUserCommandOutput,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

/** Looks up a user's group names. Throws when the lookup fails (the caller fails closed). */
export interface GroupDirectory {
  groupsOf(userPoolId: string, userName: string, deadline: number): Promise<string[]>;
}

/** At most this many pages of 60 groups (a user is in at most 100 groups per pool). */
const MAX_PAGES = 2;

/**
 * The SDK-backed {@link GroupDirectory}. The client may be given as a lazy value: the
 * SDK's Cognito package is then loaded on the first lookup (with client rules only).
 */
export function cognitoGroups(deferred: Deferred<CognitoIdentityProviderClient>): GroupDirectory {
  return {
    async groupsOf(userPoolId, userName, deadline) {
      const names: string[] = [];
      let token: string | undefined;
      try {
        const client = await resolveDeferred(deferred);
        const { AdminListGroupsForUserCommand } = await import(
          '@aws-sdk/client-cognito-identity-provider'
        );
        for (let page = 0; page < MAX_PAGES; page++) {
          const result = await sendWithSignal<AdminListGroupsForUserCommandOutput>(
            client,
            new AdminListGroupsForUserCommand({
              UserPoolId: userPoolId,
              Username: userName,
              Limit: 60,
              ...(token ? { NextToken: token } : {}),
            }),
            signalForDeadline(deadline),
          );
          for (const group of result.Groups ?? []) {
            if (group.GroupName) names.push(group.GroupName);
          }
          token = result.NextToken;
          if (!token) break;
        }
      } catch (error) {
        if ((error as { name?: string }).name === 'UserNotFoundException') return [];
        throw error;
      }
      return names;
    },
  };
}
