/**
 * The operation table: every `X-Amz-Target` operation the emulator answers, by Cognito API
 * area, with the file that handles it. Any other operation answers UnknownOperationException.
 * The map in README.md is generated from this table (`tests/cognito/operations-map.ts`).
 */
import { adminInitiateAuth, initiateAuth } from './auth-initiate.js';
import { adminRespondToAuthChallenge, respondToAuthChallenge } from './auth-respond.js';
import * as clientConfig from './client-config.js';
import { recordApiCall } from './cloudtrail.js';
import type { CallContext, EmulatorContext } from './context.js';
import { addCustomAttributes } from './custom-attributes.js';
import * as domains from './domains.js';
import { CognitoError } from './errors.js';
import { adminLinkProviderForUser } from './federation.js';
import * as groupChanges from './group-changes.js';
import * as groups from './groups.js';
import * as idpChanges from './identity-provider-changes.js';
import * as identityProviders from './identity-providers.js';
import * as importJobs from './import-jobs.js';
import type { Json } from './input.js';
import * as passwords from './passwords.js';
import * as poolConfig from './pool-config.js';
import * as pools from './pools.js';
import {
  createResourceServerOp,
  describeResourceServer,
  listResourceServers,
} from './resource-servers.js';
import { adminUserGlobalSignOut, globalSignOut, revokeToken } from './revocation.js';
import { describeRiskConfiguration, setRiskConfiguration } from './risk-configuration.js';
import * as signUp from './sign-up.js';
import { adminSetUserMFAPreference } from './user-mfa.js';
import * as users from './users.js';
import { getSigningCertificate } from './well-known.js';

export type Operation = (
  ctx: EmulatorContext,
  input: Json,
  caller: CallContext,
) => Promise<Json> | Json;

export interface Area {
  area: string;
  /** The module under src/cognito/ that handles the operations. */
  file: string;
  operations: Record<string, Operation>;
}

export const AREAS: readonly Area[] = [
  {
    area: 'User pools and app clients',
    file: 'pools.ts',
    operations: {
      CreateUserPool: pools.createUserPoolOp,
      DescribeUserPool: pools.describeUserPool,
      ListUserPools: pools.listUserPoolsOp,
      CreateUserPoolClient: pools.createUserPoolClientOp,
      DescribeUserPoolClient: pools.describeUserPoolClient,
      ListUserPoolClients: pools.listUserPoolClients,
    },
  },
  {
    area: 'User pool configuration and MFA',
    file: 'pool-config.ts',
    operations: {
      UpdateUserPool: poolConfig.updateUserPool,
      DeleteUserPool: poolConfig.deleteUserPool,
      SetUserPoolMfaConfig: poolConfig.setUserPoolMfaConfig,
      GetUserPoolMfaConfig: poolConfig.getUserPoolMfaConfig,
    },
  },
  {
    area: 'Custom attributes',
    file: 'custom-attributes.ts',
    operations: { AddCustomAttributes: addCustomAttributes },
  },
  {
    area: 'User pool domains',
    file: 'domains.ts',
    operations: {
      CreateUserPoolDomain: domains.createUserPoolDomain,
      UpdateUserPoolDomain: domains.updateUserPoolDomain,
      DeleteUserPoolDomain: domains.deleteUserPoolDomain,
      DescribeUserPoolDomain: domains.describeUserPoolDomain,
    },
  },
  {
    area: 'Threat protection: risk configuration',
    file: 'risk-configuration.ts',
    operations: {
      SetRiskConfiguration: setRiskConfiguration,
      DescribeRiskConfiguration: describeRiskConfiguration,
    },
  },
  {
    area: 'App client changes',
    file: 'client-config.ts',
    operations: {
      UpdateUserPoolClient: clientConfig.updateUserPoolClient,
      DeleteUserPoolClient: clientConfig.deleteUserPoolClient,
    },
  },
  {
    area: 'Resource servers',
    file: 'resource-servers.ts',
    operations: {
      CreateResourceServer: createResourceServerOp,
      DescribeResourceServer: describeResourceServer,
      ListResourceServers: listResourceServers,
    },
  },
  {
    area: 'Identity providers',
    file: 'identity-providers.ts',
    operations: {
      CreateIdentityProvider: identityProviders.createIdentityProvider,
      DescribeIdentityProvider: identityProviders.describeIdentityProvider,
      ListIdentityProviders: identityProviders.listIdentityProviders,
    },
  },
  {
    area: 'User import jobs',
    file: 'import-jobs.ts',
    operations: {
      GetCSVHeader: importJobs.getCSVHeader,
      CreateUserImportJob: importJobs.createUserImportJob,
      DescribeUserImportJob: importJobs.describeUserImportJob,
      ListUserImportJobs: importJobs.listUserImportJobs,
      StartUserImportJob: importJobs.startUserImportJob,
      StopUserImportJob: importJobs.stopUserImportJob,
      // CloudWatch Logs on the same endpoint: the import jobs' logs (X-Amz-Target Logs_20140328.*).
      'Logs_20140328.GetLogEvents': importJobs.getLogEvents,
    },
  },
  {
    area: 'Signing keys',
    file: 'well-known.ts',
    operations: { GetSigningCertificate: getSigningCertificate },
  },
  {
    area: 'Users and attributes',
    file: 'users.ts',
    operations: {
      AdminGetUser: users.adminGetUser,
      AdminDeleteUser: users.adminDeleteUser,
      AdminDisableUser: users.adminDisableUser,
      AdminEnableUser: users.adminEnableUser,
      AdminUpdateUserAttributes: users.adminUpdateUserAttributes,
      ListUsers: users.listUsers,
      GetUser: users.getUser,
      UpdateUserAttributes: users.updateUserAttributes,
      DeleteUser: users.deleteUser,
    },
  },
  {
    area: 'User MFA preferences',
    file: 'user-mfa.ts',
    operations: { AdminSetUserMFAPreference: adminSetUserMFAPreference },
  },
  {
    area: 'Groups',
    file: 'groups.ts',
    operations: {
      CreateGroup: groups.createGroupOp,
      GetGroup: groups.getGroup,
      ListGroups: groups.listGroups,
      ListUsersInGroup: groups.listUsersInGroup,
      AdminAddUserToGroup: groups.adminAddUserToGroup,
      AdminRemoveUserFromGroup: groups.adminRemoveUserFromGroup,
      AdminListGroupsForUser: groups.adminListGroupsForUser,
    },
  },
  {
    area: 'Group changes',
    file: 'group-changes.ts',
    operations: { UpdateGroup: groupChanges.updateGroup, DeleteGroup: groupChanges.deleteGroup },
  },
  {
    area: 'Identity provider changes',
    file: 'identity-provider-changes.ts',
    operations: {
      UpdateIdentityProvider: idpChanges.updateIdentityProvider,
      DeleteIdentityProvider: idpChanges.deleteIdentityProvider,
    },
  },
  {
    area: 'Sign-up and confirmation',
    file: 'sign-up.ts',
    operations: {
      SignUp: signUp.signUp,
      ConfirmSignUp: signUp.confirmSignUp,
      ResendConfirmationCode: signUp.resendConfirmationCode,
      AdminCreateUser: signUp.adminCreateUser,
      AdminConfirmSignUp: signUp.adminConfirmSignUp,
    },
  },
  {
    area: 'Password reset and change',
    file: 'passwords.ts',
    operations: {
      ForgotPassword: passwords.forgotPassword,
      ConfirmForgotPassword: passwords.confirmForgotPassword,
      ChangePassword: passwords.changePassword,
      AdminSetUserPassword: passwords.adminSetUserPassword,
      AdminResetUserPassword: passwords.adminResetUserPassword,
    },
  },
  {
    area: 'Authentication: starting a sign-in',
    file: 'auth-initiate.ts',
    operations: { InitiateAuth: initiateAuth, AdminInitiateAuth: adminInitiateAuth },
  },
  {
    area: 'Authentication: answering a challenge',
    file: 'auth-respond.ts',
    operations: {
      RespondToAuthChallenge: respondToAuthChallenge,
      AdminRespondToAuthChallenge: adminRespondToAuthChallenge,
    },
  },
  {
    area: 'Token revocation and sign-out',
    file: 'revocation.ts',
    operations: {
      RevokeToken: revokeToken,
      GlobalSignOut: globalSignOut,
      AdminUserGlobalSignOut: adminUserGlobalSignOut,
    },
  },
  {
    area: 'Federated users',
    file: 'federation.ts',
    operations: { AdminLinkProviderForUser: adminLinkProviderForUser },
  },
];

/** Operation name → handler, from the table above. */
export const OPERATIONS: ReadonlyMap<string, Operation> = new Map(
  AREAS.flatMap((area) => Object.entries(area.operations)),
);

/** Runs one API operation; throws CognitoError. */
export async function callOperation(
  ctx: EmulatorContext,
  operation: string,
  input: Json,
  caller: CallContext,
): Promise<Json> {
  const handler = OPERATIONS.get(operation);
  if (!handler) {
    throw new CognitoError(
      'UnknownOperationException',
      `Operation ${operation} is not supported by the local emulator`,
    );
  }
  if (caller.source === undefined || ctx.onApiCall === undefined)
    return handler(ctx, input, caller);
  // What CloudTrail would record of the call, once it is answered.
  try {
    const output = await handler(ctx, input, caller);
    recordApiCall(ctx, operation, input, { output }, caller);
    return output;
  } catch (error) {
    recordApiCall(ctx, operation, input, { error }, caller);
    throw error;
  }
}
