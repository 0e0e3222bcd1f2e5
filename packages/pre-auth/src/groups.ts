/**
 * The user's groups, for the client restrictions: AdminListGroupsForUser (the
 * pre authentication event does not carry groups). An unknown name answers
 * UserNotFoundException, which is no group: the same call is made for a known and an
 * unknown name, so the time it takes says nothing about which it is.
 */
import {
  type Deferred,
  lazy,
  resolveDeferred,
  sendWithSignal,
  signalForDeadline,
} from '@authwatch/kit';
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

/** The SDK's Cognito package, imported once. */
const cognitoSdk = lazy(() => import('@aws-sdk/client-cognito-identity-provider'));

/**
 * The SDK-backed {@link GroupDirectory}, over a client or how to build it (the SDK's
 * Cognito package is imported by the first lookup, or already by the entry: see
 * handler.ts).
 */
export function cognitoGroups(source: Deferred<CognitoIdentityProviderClient>): GroupDirectory {
  return {
    async groupsOf(userPoolId, userName, deadline) {
      const [{ AdminListGroupsForUserCommand }, client] = await Promise.all([
        cognitoSdk(),
        resolveDeferred(source),
      ]);
      const names: string[] = [];
      let token: string | undefined;
      try {
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
