/**
 * Evaluating compiled rules against one event, and turning the outcome into the
 * response Cognito expects for the event's version.
 *
 * Cognito's semantics, followed exactly:
 * - a claim both overridden and suppressed is suppressed (so the override is dropped);
 * - a scope both added and suppressed is suppressed;
 * - groupOverrideDetails replaces the user's groups, roles and preferred role as a whole:
 *   an empty or partial one removes what it leaves out. So the response always carries a
 *   full copy of `groupConfiguration` (changed by the rules, or as it came).
 * - a client-credentials token (V3_0) has no user and no ID token: no idTokenGeneration
 *   and no groupOverrideDetails are returned.
 */
import { InvalidEventError, type PreTokenGenerationEvent } from '@authwatch/kit';
import {
  type CompiledRule,
  type CompiledRules,
  type Facts,
  type ResolvedValue,
  ruleMatches,
} from './compile.js';
import { CLIENT_CREDENTIALS_SOURCE, type TriggerVersion } from './reserved.js';

/** The subset of a pre token generation event the engine reads. */
export type TokenEvent = Pick<
  PreTokenGenerationEvent,
  'version' | 'triggerSource' | 'region' | 'userPoolId' | 'userName' | 'callerContext'
> & {
  request: Pick<
    PreTokenGenerationEvent['request'],
    'userAttributes' | 'groupConfiguration' | 'scopes'
  >;
};

export interface ClaimSet {
  value: ResolvedValue;
  /** The label of the rule that set the value (the last one wins). */
  rule: string;
}

export interface TokenOutcome {
  set: Map<string, ClaimSet>;
  /** Suppressed claim -> the rule that suppressed it. */
  suppress: Map<string, string>;
}

export interface GroupOutcome {
  groups: string[];
  iamRoles: string[];
  preferredRole: string | null;
  /** Labels of the rules that changed groups, roles or the preferred role. */
  changedBy: string[];
}

/** What the rules decided for one event. */
export interface Outcome {
  version: TriggerVersion;
  machine: boolean;
  matched: string[];
  id: TokenOutcome;
  access: TokenOutcome & {
    scopesToAdd: Map<string, string>;
    scopesToSuppress: Map<string, string>;
  };
  groups: GroupOutcome;
}

const VERSION_BY_EVENT: Readonly<Record<string, TriggerVersion>> = {
  '1': 'V1_0',
  '2': 'V2_0',
  '3': 'V3_0',
};

/** The trigger version of an event; an unknown `version` is an InvalidEventError. */
export function versionOf(event: Pick<TokenEvent, 'version'>): TriggerVersion {
  const version = Object.hasOwn(VERSION_BY_EVENT, event.version)
    ? VERSION_BY_EVENT[event.version]
    : undefined;
  if (version === undefined) {
    throw new InvalidEventError('PreTokenGeneration', [
      { path: 'version', code: 'invalid_value', message: 'expected "1", "2" or "3"' },
    ]);
  }
  return version;
}

/** The facts rules match on and templates read. */
export function factsOf(event: TokenEvent): Facts {
  const machine = event.triggerSource === CLIENT_CREDENTIALS_SOURCE;
  const groups = machine ? [] : event.request.groupConfiguration.groupsToOverride;
  const scopes = event.request.scopes ?? [];
  return {
    machine,
    attributes: machine ? {} : event.request.userAttributes,
    groups,
    scopes,
    groupSet: new Set(groups),
    scopeSet: new Set(scopes),
    clientId: event.callerContext.clientId,
    userName: event.userName ?? '',
    triggerSource: event.triggerSource,
    userPoolId: event.userPoolId,
    region: event.region,
  };
}

function applyClaims(
  rule: CompiledRule,
  edits: CompiledRule['id'],
  out: TokenOutcome,
  facts: Facts,
) {
  for (const [name, fn] of edits.claims) {
    const value = fn(facts);
    if (value !== undefined) out.set.set(name, { value, rule: rule.label });
  }
  for (const name of edits.suppress) out.suppress.set(name, rule.label);
}

function applyGroups(rule: CompiledRule, state: GroupOutcome): void {
  let changed = false;
  if (rule.groups !== undefined) {
    state.groups = [...rule.groups];
    changed = true;
  }
  if (rule.roleMapping !== undefined && rule.roleByGroup !== undefined) {
    const member = new Set(state.groups);
    const byGroup = rule.roleByGroup;
    const roles: string[] = [];
    for (const group of state.groups) {
      const role = byGroup.get(group);
      if (role !== undefined && !roles.includes(role)) roles.push(role);
    }
    state.iamRoles = roles;
    state.preferredRole = rule.roleMapping.find(([group]) => member.has(group))?.[1] ?? null;
    changed = true;
  }
  if (rule.iamRoles !== undefined) {
    state.iamRoles = [...rule.iamRoles];
    changed = true;
  }
  if (rule.preferredRole !== undefined) {
    state.preferredRole = rule.preferredRole;
    changed = true;
  }
  if (changed) state.changedBy.push(rule.label);
}

/** Runs the rules over one event (already schema-validated). */
export function evaluate(rules: CompiledRules, event: TokenEvent, facts = factsOf(event)): Outcome {
  const version = versionOf(event);
  const config = event.request.groupConfiguration;
  const outcome: Outcome = {
    version,
    machine: facts.machine,
    matched: [],
    id: { set: new Map(), suppress: new Map() },
    access: {
      set: new Map(),
      suppress: new Map(),
      scopesToAdd: new Map(),
      scopesToSuppress: new Map(),
    },
    groups: {
      groups: [...config.groupsToOverride],
      iamRoles: [...config.iamRolesToOverride],
      preferredRole: config.preferredRole,
      changedBy: [],
    },
  };
  const hasAccess = version !== 'V1_0';
  for (const rule of rules.rules) {
    if (!ruleMatches(rule, facts)) continue;
    outcome.matched.push(rule.label);
    if (!facts.machine) {
      applyClaims(rule, rule.id, outcome.id, facts);
      applyGroups(rule, outcome.groups);
    }
    if (hasAccess) {
      applyClaims(rule, rule.access, outcome.access, facts);
      for (const scope of rule.access.scopesToAdd)
        outcome.access.scopesToAdd.set(scope, rule.label);
      for (const scope of rule.access.scopesToSuppress)
        outcome.access.scopesToSuppress.set(scope, rule.label);
    }
    if (rule.stop) break;
  }
  // Suppression wins over override, as in Cognito.
  for (const token of [outcome.id, outcome.access]) {
    for (const name of token.suppress.keys()) token.set.delete(name);
  }
  for (const scope of outcome.access.scopesToSuppress.keys())
    outcome.access.scopesToAdd.delete(scope);
  return outcome;
}

/** V1_0 claims are strings: lists are comma-joined, other values JSON-encoded. */
function asV1String(value: ResolvedValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export interface GroupOverrideDetails {
  groupsToOverride: string[];
  iamRolesToOverride: string[];
  preferredRole?: string;
}

export interface V1Response {
  claimsOverrideDetails: {
    claimsToAddOrOverride?: Record<string, string>;
    claimsToSuppress?: string[];
    groupOverrideDetails: GroupOverrideDetails;
  };
}

export interface V2Response {
  claimsAndScopeOverrideDetails: {
    idTokenGeneration?: {
      claimsToAddOrOverride?: Record<string, ResolvedValue>;
      claimsToSuppress?: string[];
    };
    accessTokenGeneration?: {
      claimsToAddOrOverride?: Record<string, ResolvedValue>;
      claimsToSuppress?: string[];
      scopesToAdd?: string[];
      scopesToSuppress?: string[];
    };
    groupOverrideDetails?: GroupOverrideDetails;
  };
}

export type TokenResponse = V1Response | V2Response;

function groupDetails(groups: GroupOutcome): GroupOverrideDetails {
  const details: GroupOverrideDetails = {
    groupsToOverride: [...groups.groups],
    iamRolesToOverride: [...groups.iamRoles],
  };
  if (groups.preferredRole !== null) details.preferredRole = groups.preferredRole;
  return details;
}

function claimsObject<T>(
  set: Map<string, ClaimSet>,
  map: (value: ResolvedValue) => T,
): Record<string, T> | undefined {
  if (set.size === 0) return undefined;
  const out: Record<string, T> = {};
  for (const [name, claim] of set) out[name] = map(claim.value);
  return out;
}

const list = (keys: Iterable<string>): string[] | undefined => {
  const out = [...keys];
  return out.length === 0 ? undefined : out;
};

/** The `response` object for Cognito, shaped for the outcome's version. */
export function toResponse(outcome: Outcome): TokenResponse {
  if (outcome.version === 'V1_0') {
    const details: V1Response['claimsOverrideDetails'] = {
      groupOverrideDetails: groupDetails(outcome.groups),
    };
    const claims = claimsObject(outcome.id.set, asV1String);
    if (claims) details.claimsToAddOrOverride = claims;
    const suppress = list(outcome.id.suppress.keys());
    if (suppress) details.claimsToSuppress = suppress;
    return { claimsOverrideDetails: details };
  }
  const details: V2Response['claimsAndScopeOverrideDetails'] = {};
  if (!outcome.machine) {
    const id: NonNullable<typeof details.idTokenGeneration> = {};
    const claims = claimsObject(outcome.id.set, (value) => value);
    if (claims) id.claimsToAddOrOverride = claims;
    const suppress = list(outcome.id.suppress.keys());
    if (suppress) id.claimsToSuppress = suppress;
    details.idTokenGeneration = id;
  }
  const access: NonNullable<typeof details.accessTokenGeneration> = {};
  const claims = claimsObject(outcome.access.set, (value) => value);
  if (claims) access.claimsToAddOrOverride = claims;
  const suppress = list(outcome.access.suppress.keys());
  if (suppress) access.claimsToSuppress = suppress;
  const add = list(outcome.access.scopesToAdd.keys());
  if (add) access.scopesToAdd = add;
  const remove = list(outcome.access.scopesToSuppress.keys());
  if (remove) access.scopesToSuppress = remove;
  details.accessTokenGeneration = access;
  if (!outcome.machine) details.groupOverrideDetails = groupDetails(outcome.groups);
  return { claimsAndScopeOverrideDetails: details };
}
