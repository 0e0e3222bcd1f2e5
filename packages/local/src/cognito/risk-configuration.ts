/**
 * Threat protection's risk configuration: SetRiskConfiguration and
 * DescribeRiskConfiguration (API reference, with RiskConfigurationType,
 * CompromisedCredentialsRiskConfigurationType, AccountTakeoverRiskConfigurationType and
 * RiskExceptionConfigurationType).
 *
 * As Cognito: both calls need threat protection on the pool (UpdateUserPool's
 * `UserPoolAddOns.AdvancedSecurityMode` AUDIT or ENFORCED), else
 * UserPoolAddOnNotEnabledException. A configuration applies to the whole pool, or to one
 * app client (`ClientId`, which then overrides the pool's for that client); a call that
 * gives none of the three configurations removes the one of its scope. Every member is
 * checked against the API's shapes and enums (actions, event filters, the notification
 * sender's ARN, at most 200 CIDR ranges per list) and a refused call changes nothing.
 * The emulator keeps and describes the configuration; it does not score sign-in risk,
 * so no sign-in is blocked, challenged or reported because of it.
 */
import { isIP } from 'node:net';
import type { EmulatorContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import { type Json, shown } from './input.js';
import { clientOf, requirePool } from './lookup.js';
import { validation } from './pool-config.js';
import { isJsonObject, type PoolRecord } from './state.js';

/** The three configurations as set (API shapes), and when. */
export interface RiskConfigurationRecord {
  compromisedCredentials?: Json;
  accountTakeover?: Json;
  riskException?: Json;
  modified: number;
}

/** The key of the pool-wide configuration (a client's is its id). */
const POOL_WIDE = 'ALL';
const ARN =
  /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/;
const EVENT_FILTERS = new Set(['SIGN_IN', 'PASSWORD_CHANGE', 'SIGN_UP']);
const TAKEOVER_ACTIONS = new Set(['BLOCK', 'MFA_IF_CONFIGURED', 'MFA_REQUIRED', 'NO_ACTION']);
const MAX_RANGES = 200;

const own = <T>(map: Record<string, T> | undefined, key: string): T | undefined =>
  map !== undefined && Object.hasOwn(map, key) ? map[key] : undefined;

function object(value: unknown, path: string): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidParameter(`${path} must be an object`);
  return value;
}

function requireEnabled(pool: PoolRecord): void {
  const addOns = pool.config?.settings?.UserPoolAddOns;
  const mode = isJsonObject(addOns) ? addOns.AdvancedSecurityMode : undefined;
  if (mode !== 'AUDIT' && mode !== 'ENFORCED') {
    throw new CognitoError(
      'UserPoolAddOnNotEnabledException',
      'Threat protection is not enabled for this user pool (UserPoolAddOns.AdvancedSecurityMode is OFF).',
    );
  }
}

function compromised(value: unknown): Json | undefined {
  const config = object(value, 'CompromisedCredentialsRiskConfiguration');
  if (config === undefined) return undefined;
  const out: Json = {};
  const filter = config.EventFilter;
  if (filter !== undefined && filter !== null) {
    if (!Array.isArray(filter) || filter.some((item) => !EVENT_FILTERS.has(item as string))) {
      throw validation(
        Array.isArray(filter) ? filter.find((item) => !EVENT_FILTERS.has(item as string)) : filter,
        'compromisedCredentialsRiskConfiguration.eventFilter',
        'Member must satisfy enum value set: [SIGN_IN, PASSWORD_CHANGE, SIGN_UP]',
      );
    }
    out.EventFilter = [...new Set(filter as string[])];
  }
  const actions = object(config.Actions, 'CompromisedCredentialsRiskConfiguration.Actions');
  const action = actions?.EventAction;
  if (action !== 'BLOCK' && action !== 'NO_ACTION') {
    throw validation(
      action,
      'compromisedCredentialsRiskConfiguration.actions.eventAction',
      'Member must satisfy enum value set: [BLOCK, NO_ACTION]',
    );
  }
  out.Actions = { EventAction: action };
  return out;
}

function notifyEmail(value: unknown, path: string): Json | undefined {
  const email = object(value, path);
  if (email === undefined) return undefined;
  const subject = email.Subject;
  if (typeof subject !== 'string' || subject.length < 1 || subject.length > 140) {
    throw validation(subject, `${path}.subject`, 'Member must have length between 1 and 140');
  }
  const out: Json = { Subject: subject };
  for (const body of ['HtmlBody', 'TextBody'] as const) {
    const text = email[body];
    if (text === undefined || text === null) continue;
    if (typeof text !== 'string' || text.length < 6 || text.length > 20_000) {
      throw validation(
        text,
        `${path}.${body.charAt(0).toLowerCase()}${body.slice(1)}`,
        'Member must have length between 6 and 20000',
      );
    }
    out[body] = text;
  }
  return out;
}

function accountTakeover(value: unknown): Json | undefined {
  const config = object(value, 'AccountTakeoverRiskConfiguration');
  if (config === undefined) return undefined;
  const path = 'accountTakeoverRiskConfiguration';
  const actions = object(config.Actions, `${path}.actions`);
  if (actions === undefined) {
    throw validation(config.Actions, `${path}.actions`, 'Member must not be null');
  }
  const out: Json = { Actions: {} };
  for (const level of ['LowAction', 'MediumAction', 'HighAction'] as const) {
    const at = `${path}.actions.${level.charAt(0).toLowerCase()}${level.slice(1)}`;
    const action = object(actions[level], at);
    if (action === undefined) continue;
    if (typeof action.Notify !== 'boolean') {
      throw validation(action.Notify, `${at}.notify`, 'Member must not be null');
    }
    if (!TAKEOVER_ACTIONS.has(action.EventAction as string)) {
      throw validation(
        action.EventAction,
        `${at}.eventAction`,
        'Member must satisfy enum value set: [BLOCK, MFA_IF_CONFIGURED, MFA_REQUIRED, NO_ACTION]',
      );
    }
    (out.Actions as Json)[level] = { Notify: action.Notify, EventAction: action.EventAction };
  }
  const notify = object(config.NotifyConfiguration, `${path}.notifyConfiguration`);
  if (notify !== undefined) {
    const at = `${path}.notifyConfiguration`;
    const source = notify.SourceArn;
    if (typeof source !== 'string' || !ARN.test(source)) {
      throw validation(
        source,
        `${at}.sourceArn`,
        `Member must satisfy regular expression pattern: ${ARN.source}`,
      );
    }
    const copy: Json = { SourceArn: source };
    for (const name of ['From', 'ReplyTo'] as const) {
      const address = notify[name];
      if (address === undefined || address === null) continue;
      if (typeof address !== 'string' || address === '') {
        throw invalidParameter(`NotifyConfiguration.${name} must be an email address`);
      }
      copy[name] = address;
    }
    for (const name of ['BlockEmail', 'NoActionEmail', 'MfaEmail'] as const) {
      const email = notifyEmail(
        notify[name],
        `${at}.${name.charAt(0).toLowerCase()}${name.slice(1)}`,
      );
      if (email !== undefined) copy[name] = email;
    }
    out.NotifyConfiguration = copy;
  }
  return out;
}

function cidr(value: unknown, path: string): string {
  const text = typeof value === 'string' ? value : '';
  const [address = '', bits, ...rest] = text.split('/');
  const family = isIP(address);
  const prefix = Number(bits);
  if (
    family === 0 ||
    rest.length > 0 ||
    bits === undefined ||
    !/^\d{1,3}$/.test(bits) ||
    prefix > (family === 4 ? 32 : 128)
  ) {
    throw invalidParameter(`${path}: ${shown(value)} is not a CIDR range (address/prefix)`);
  }
  return text;
}

function riskException(value: unknown): Json | undefined {
  const config = object(value, 'RiskExceptionConfiguration');
  if (config === undefined) return undefined;
  const out: Json = {};
  for (const name of ['BlockedIPRangeList', 'SkippedIPRangeList'] as const) {
    const list = config[name];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || list.length > MAX_RANGES) {
      throw validation(
        Array.isArray(list) ? 'list' : list,
        `riskExceptionConfiguration.${name.charAt(0).toLowerCase()}${name.slice(1)}`,
        `Member must have length less than or equal to ${MAX_RANGES}`,
      );
    }
    out[name] = list.map((item) => cidr(item, name));
  }
  return out;
}

function view(
  pool: PoolRecord,
  clientId: string | undefined,
  record?: RiskConfigurationRecord,
): Json {
  return {
    UserPoolId: pool.id,
    ...(clientId !== undefined ? { ClientId: clientId } : {}),
    ...(record?.compromisedCredentials
      ? { CompromisedCredentialsRiskConfiguration: record.compromisedCredentials }
      : {}),
    ...(record?.accountTakeover
      ? { AccountTakeoverRiskConfiguration: record.accountTakeover }
      : {}),
    ...(record?.riskException ? { RiskExceptionConfiguration: record.riskException } : {}),
    ...(record ? { LastModifiedDate: record.modified / 1000 } : {}),
  };
}

function scope(pool: PoolRecord, i: Json): string | undefined {
  if (i.ClientId === undefined || i.ClientId === null) return undefined;
  return clientOf(pool, i.ClientId).clientId;
}

export function setRiskConfiguration(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const clientId = scope(pool, i);
  requireEnabled(pool);
  // Everything is read and checked before anything changes: a refused call changes nothing.
  const compromisedCredentials = compromised(i.CompromisedCredentialsRiskConfiguration);
  const takeover = accountTakeover(i.AccountTakeoverRiskConfiguration);
  const exceptions = riskException(i.RiskExceptionConfiguration);
  pool.riskConfigurations ??= Object.create(null) as Record<string, RiskConfigurationRecord>;
  const key = clientId ?? POOL_WIDE;
  if (!compromisedCredentials && !takeover && !exceptions) {
    delete pool.riskConfigurations[key];
    ctx.changed();
    return { RiskConfiguration: view(pool, clientId) };
  }
  const record: RiskConfigurationRecord = {
    ...(compromisedCredentials ? { compromisedCredentials } : {}),
    ...(takeover ? { accountTakeover: takeover } : {}),
    ...(exceptions ? { riskException: exceptions } : {}),
    modified: ctx.now(),
  };
  pool.riskConfigurations[key] = record;
  ctx.changed();
  return { RiskConfiguration: view(pool, clientId, record) };
}

export function describeRiskConfiguration(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const clientId = scope(pool, i);
  requireEnabled(pool);
  const own_ = clientId !== undefined ? own(pool.riskConfigurations, clientId) : undefined;
  if (own_ !== undefined) return { RiskConfiguration: view(pool, clientId, own_) };
  // A client without its own configuration is under the pool's.
  return { RiskConfiguration: view(pool, undefined, own(pool.riskConfigurations, POOL_WIDE)) };
}
