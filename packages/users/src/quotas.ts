/**
 * Cognito's documented request-rate quotas (Amazon Cognito Developer Guide, "Quotas in
 * Amazon Cognito", user pools API operation categories). A category's quota is shared
 * by every user pool of the account in the Region; operations of the categories marked
 * `perPool` are also held to 5 requests per second for one user pool.
 */
export interface Category {
  /** Default quota, requests per second, for the account in one Region. */
  rps: number;
  /** Operations of this category are also limited to 5 RPS per user pool. */
  perPool?: boolean;
}

export const CATEGORIES = {
  UserCreation: { rps: 50 },
  UserAccountRecovery: { rps: 30 },
  UserRead: { rps: 120 },
  UserUpdate: { rps: 25 },
  UserResourceRead: { rps: 50 },
  UserResourceUpdate: { rps: 25 },
  UserList: { rps: 30 },
  UserPoolRead: { rps: 15 },
  UserPoolUpdate: { rps: 15 },
  UserPoolResourceRead: { rps: 20, perPool: true },
  UserPoolResourceUpdate: { rps: 15, perPool: true },
  UserPoolClientRead: { rps: 15, perPool: true },
  UserPoolClientUpdate: { rps: 15, perPool: true },
} as const satisfies Record<string, Category>;

export type CategoryName = keyof typeof CATEGORIES;

/** The category of each operation this tool calls. */
export const OPERATION_CATEGORY: Record<string, CategoryName> = {
  AdminCreateUser: 'UserCreation',
  AdminSetUserPassword: 'UserAccountRecovery',
  AdminResetUserPassword: 'UserAccountRecovery',
  AdminGetUser: 'UserRead',
  AdminAddUserToGroup: 'UserUpdate',
  AdminDisableUser: 'UserUpdate',
  AdminDeleteUser: 'UserUpdate',
  AdminListGroupsForUser: 'UserResourceRead',
  AdminSetUserMFAPreference: 'UserResourceUpdate',
  ListUsers: 'UserList',
  ListUsersInGroup: 'UserList',
  DescribeUserPool: 'UserPoolRead',
  ListUserPools: 'UserPoolRead',
  CreateUserPool: 'UserPoolUpdate',
  UpdateUserPool: 'UserPoolUpdate',
  GetCSVHeader: 'UserPoolResourceRead',
  DescribeUserImportJob: 'UserPoolResourceRead',
  ListGroups: 'UserPoolResourceRead',
  ListResourceServers: 'UserPoolResourceRead',
  ListIdentityProviders: 'UserPoolResourceRead',
  DescribeIdentityProvider: 'UserPoolResourceRead',
  DescribeResourceServer: 'UserPoolResourceRead',
  GetUserPoolMfaConfig: 'UserPoolResourceRead',
  CreateGroup: 'UserPoolResourceUpdate',
  CreateIdentityProvider: 'UserPoolResourceUpdate',
  CreateResourceServer: 'UserPoolResourceUpdate',
  CreateUserImportJob: 'UserPoolResourceUpdate',
  StartUserImportJob: 'UserPoolResourceUpdate',
  StopUserImportJob: 'UserPoolResourceUpdate',
  DescribeUserPoolClient: 'UserPoolClientRead',
  ListUserPoolClients: 'UserPoolClientRead',
  CreateUserPoolClient: 'UserPoolClientUpdate',
};

/**
 * The rate this tool allows itself for an operation: `share` of the category's account
 * quota (the quota is shared with the apps using the account), never above the
 * per-pool 5 RPS where it applies, and at least 1 per second.
 */
export function allowedRate(operation: string, share: number): number {
  const name = OPERATION_CATEGORY[operation];
  if (!name) return 5;
  const category: Category = CATEGORIES[name];
  const rate = category.rps * share;
  return Math.max(1, Math.min(rate, category.perPool ? 5 : rate));
}
