/**
 * One user as this tool exports and backs it up: what ListUsers, AdminGetUser and
 * AdminListGroupsForUser tell about them. Never a password: Cognito has no operation
 * that returns one (it keeps none in a readable form).
 */
import type {
  AdminGetUserCommandOutput,
  UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';

export const UserRecordSchema = z
  .object({
    username: z.string().min(1),
    status: z.string().min(1),
    enabled: z.boolean(),
    /** ISO 8601. */
    created: z.string(),
    modified: z.string(),
    attributes: z.record(z.string(), z.string()),
    mfa: z
      .object({
        /** SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP: the user's MFA settings. */
        enabled: z.array(z.string()),
        preferred: z.string().optional(),
      })
      .strict(),
    groups: z.array(z.string()),
  })
  .strict();

export type UserRecord = z.infer<typeof UserRecordSchema>;

const iso = (date: Date | undefined) => (date ? date.toISOString() : '');

/** A ListUsers entry and its AdminGetUser / AdminListGroupsForUser answers as one record. */
export function toUserRecord(
  user: UserType,
  details:
    | Pick<AdminGetUserCommandOutput, 'UserMFASettingList' | 'PreferredMfaSetting' | 'MFAOptions'>
    | undefined,
  groups: string[],
): UserRecord {
  const attributes: Record<string, string> = {};
  for (const attribute of user.Attributes ?? []) {
    if (attribute.Name !== undefined) attributes[attribute.Name] = attribute.Value ?? '';
  }
  const enabled = new Set(details?.UserMFASettingList ?? []);
  // Legacy SMS MFA (MFAOptions) is an SMS setting too.
  if ((details?.MFAOptions ?? []).some((option) => option.DeliveryMedium === 'SMS')) {
    enabled.add('SMS_MFA');
  }
  return {
    username: user.Username ?? '',
    status: user.UserStatus ?? 'UNKNOWN',
    enabled: user.Enabled ?? true,
    created: iso(user.UserCreateDate),
    modified: iso(user.UserLastModifiedDate),
    attributes,
    mfa: {
      enabled: [...enabled].sort(),
      ...(details?.PreferredMfaSetting ? { preferred: details.PreferredMfaSetting } : {}),
    },
    groups: [...groups].sort(),
  };
}
