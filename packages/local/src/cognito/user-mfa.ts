/**
 * AdminSetUserMFAPreference: which MFA factors a user has turned on, and which one is
 * preferred (API reference, AdminSetUserMFAPreference and SMSMfaSettingsType /
 * SoftwareTokenMfaSettingsType / EmailMfaSettingsType / WebAuthnMfaSettingsType).
 *
 * As Cognito: a factor the call leaves out keeps its setting; only one factor can be
 * preferred; SMS_MFA is turned on only for a user with a `phone_number`, EMAIL_OTP only
 * for one with an `email` and in a pool of the Essentials tier or higher (the API
 * reference's EmailMfaSettingsType); SOFTWARE_TOKEN_MFA can be turned on and preferred
 * before the user registers an authenticator app (the API reference says so: the app is
 * then set up at the next sign-in). AdminGetUser and GetUser
 * then report `UserMFASettingList` and `PreferredMfaSetting`. The emulator does not
 * challenge for MFA at sign-in (see README, "Differences from Cognito"), so a preference
 * changes what the user's record says, not how the next sign-in goes.
 */
import type { EmulatorContext } from './context.js';
import { invalidParameter } from './errors.js';
import type { Json } from './input.js';
import { requirePool, requireUser } from './lookup.js';
import { validation } from './pool-config.js';
import { isJsonObject, type UserRecord } from './state.js';

export type MfaFactor = 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP';

/** A user's MFA settings (kept on the user record). */
export interface UserMfaRecord {
  /** Turned-on factors, in Cognito's order. */
  enabled: MfaFactor[];
  preferred?: MfaFactor;
}

const FACTORS: readonly { member: string; factor: MfaFactor; path: string }[] = [
  { member: 'SMSMfaSettings', factor: 'SMS_MFA', path: 'sMSMfaSettings' },
  {
    member: 'SoftwareTokenMfaSettings',
    factor: 'SOFTWARE_TOKEN_MFA',
    path: 'softwareTokenMfaSettings',
  },
  { member: 'EmailMfaSettings', factor: 'EMAIL_OTP', path: 'emailMfaSettings' },
];

function flag(settings: Json, name: string, path: string): boolean | undefined {
  const value = settings[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw validation(
      value,
      `${path}.${name.charAt(0).toLowerCase()}${name.slice(1)}`,
      'Member must be a boolean',
    );
  return value;
}

function settingsAt(i: Json, member: string): Json | undefined {
  const value = i[member];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidParameter(`${member} must be an object`);
  return value;
}

/** Whether the user can receive `factor` (TOTP: set up at the next sign-in). */
function canReceive(user: UserRecord, factor: MfaFactor): boolean {
  if (factor === 'SMS_MFA') return (user.attributes.phone_number ?? '') !== '';
  if (factor === 'EMAIL_OTP') return (user.attributes.email ?? '') !== '';
  return true;
}

/** What AdminGetUser and GetUser report of a user's MFA settings. */
export function userMfaView(user: UserRecord): Json {
  const mfa = user.mfa;
  return {
    UserMFASettingList: [...(mfa?.enabled ?? [])],
    ...(mfa?.preferred !== undefined ? { PreferredMfaSetting: mfa.preferred } : {}),
  };
}

export function adminSetUserMFAPreference(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const user = requireUser(pool, i.Username);
  // Everything is read and checked before anything changes: a refused call changes nothing.
  const enabled = new Set(user.mfa?.enabled ?? []);
  let preferred = user.mfa?.preferred;
  const preferredNow: MfaFactor[] = [];
  for (const { member, factor, path } of FACTORS) {
    const settings = settingsAt(i, member);
    if (settings === undefined) continue;
    const on = flag(settings, 'Enabled', path);
    const prefer = flag(settings, 'PreferredMfa', path);
    if (on === true && factor === 'EMAIL_OTP' && pool.config?.settings?.UserPoolTier === 'LITE') {
      throw invalidParameter(
        'Email MFA needs a user pool of the Essentials tier or higher (UserPoolTier is LITE)',
      );
    }
    if (on === true && !enabled.has(factor) && !canReceive(user, factor)) {
      throw invalidParameter(`User does not have delivery config set to turn on ${factor}`);
    }
    if (on === true) enabled.add(factor);
    if (on === false) enabled.delete(factor);
    if (prefer === true) {
      if (!enabled.has(factor)) {
        throw invalidParameter(`${factor} cannot be preferred while it is not enabled`);
      }
      preferredNow.push(factor);
    } else if ((prefer === false || on === false) && preferred === factor) {
      preferred = undefined;
    }
  }
  if (preferredNow.length > 1) {
    throw invalidParameter('Only one MFA type can be set as preferred');
  }
  if (preferredNow[0] !== undefined) preferred = preferredNow[0];
  const web = settingsAt(i, 'WebAuthnMfaSettings');
  if (web !== undefined && flag(web, 'Enabled', 'webAuthnMfaSettings') === true) {
    // Passkeys are not emulated: no user has one to use as a second factor.
    throw invalidParameter('User does not have delivery config set to turn on WEB_AUTHN');
  }
  const order = FACTORS.map((f) => f.factor).filter((factor) => enabled.has(factor));
  user.mfa = {
    enabled: order,
    ...(preferred !== undefined && enabled.has(preferred) ? { preferred } : {}),
  };
  user.modified = ctx.now();
  ctx.changed();
  return {};
}
