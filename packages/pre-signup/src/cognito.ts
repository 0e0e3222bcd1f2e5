/**
 * The two Cognito calls account linking needs: find a native user by verified email
 * (ListUsers) and link a federated identity to it (AdminLinkProviderForUser). Each call
 * is aborted at the invocation's deadline.
 *
 * Only a federated sign-up links, so the SDK's Cognito package is imported on the first
 * call, not at cold start: every other sign-up never loads it.
 */

import { type Deferred, resolveDeferred, sendWithSignal, signalForDeadline } from '@authwatch/kit';
import type {
  CognitoIdentityProviderClient,
  ListUsersCommandOutput,
  UserType,
} from '@aws-sdk/client-cognito-identity-provider';

/** What the linking step needs from Cognito (the handler gives the SDK-backed one). */
export interface UserDirectory {
  /** The user name of the native user whose verified email is `email`, if any. */
  findNativeUser(userPoolId: string, email: string, deadline: number): Promise<string | undefined>;
  /** Links the federated identity to the native user. */
  linkIdentity(
    userPoolId: string,
    link: { nativeUserName: string; providerName: string; providerUserId: string },
    deadline: number,
  ): Promise<void>;
}

/** ListUsers pages read at most: emails are near-unique, more pages mean something odd. */
const MAX_PAGES = 3;

/** Quotes a value for a ListUsers filter (backslash and double quote escaped). */
export function filterValue(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`;
}

function attributeOf(user: UserType, name: string): string | undefined {
  return user.Attributes?.find((attribute) => attribute.Name === name)?.Value;
}

/**
 * A user that can be a link destination: native (not EXTERNAL_PROVIDER, no linked
 * identities of its own creation), with this email verified.
 */
export function isNativeVerified(user: UserType, email: string): boolean {
  if (user.Username === undefined || user.UserStatus === 'EXTERNAL_PROVIDER') return false;
  if (attributeOf(user, 'email_verified') !== 'true') return false;
  return attributeOf(user, 'email')?.toLowerCase() === email.toLowerCase();
}

/** The oldest candidate wins: it is the account the person created first. */
function oldest(users: UserType[]): UserType | undefined {
  return users.reduce<UserType | undefined>((best, user) => {
    if (best === undefined) return user;
    const a = user.UserCreateDate?.getTime() ?? Number.POSITIVE_INFINITY;
    const b = best.UserCreateDate?.getTime() ?? Number.POSITIVE_INFINITY;
    return a < b ? user : best;
  }, undefined);
}

/** The SDK's Cognito package and the client, loaded on the first call. */
async function connect(source: Deferred<CognitoIdentityProviderClient>) {
  const [sdk, client] = await Promise.all([
    import('@aws-sdk/client-cognito-identity-provider'),
    resolveDeferred(source),
  ]);
  return { sdk, client };
}

/**
 * The SDK-backed {@link UserDirectory}, over a client or how to build it on first use.
 */
export function cognitoDirectory(source: Deferred<CognitoIdentityProviderClient>): UserDirectory {
  const list = async (userPoolId: string, email: string, deadline: number) => {
    const { sdk, client } = await connect(source);
    const users: UserType[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await sendWithSignal<ListUsersCommandOutput>(
        client,
        new sdk.ListUsersCommand({
          UserPoolId: userPoolId,
          Filter: `email = ${filterValue(email)}`,
          Limit: 60,
          ...(token ? { PaginationToken: token } : {}),
        }),
        signalForDeadline(deadline),
      );
      users.push(...(result.Users ?? []));
      token = result.PaginationToken;
      if (!token) break;
    }
    return users;
  };
  return {
    async findNativeUser(userPoolId, email, deadline) {
      // The filter matches exactly; an IdP may send another case than the user typed.
      const variants = [...new Set([email, email.toLowerCase()])];
      const found: UserType[] = [];
      for (const variant of variants) found.push(...(await list(userPoolId, variant, deadline)));
      return oldest(found.filter((user) => isNativeVerified(user, email)))?.Username;
    },
    async linkIdentity(userPoolId, link, deadline) {
      const { sdk, client } = await connect(source);
      await sendWithSignal(
        client,
        new sdk.AdminLinkProviderForUserCommand({
          UserPoolId: userPoolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: link.nativeUserName },
          SourceUser: {
            ProviderName: link.providerName,
            ProviderAttributeName: 'Cognito_Subject',
            ProviderAttributeValue: link.providerUserId,
          },
        }),
        signalForDeadline(deadline),
      );
    },
  };
}
