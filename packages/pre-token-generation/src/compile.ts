/**
 * Rules compiled once at cold start into closures: regexes built, lists turned into
 * sets, templates parsed. Evaluating an event is then a walk over small functions.
 */
import { CLIENT_CREDENTIALS_SOURCE, type TriggerVersion } from './reserved.js';
import type { ClaimValue, JsonValue, Rule, RulesFile } from './schema.js';
import { compileTemplate, parseTemplate, type TemplateScope } from './template.js';

/** What the rules read from one event. */
export interface Facts extends TemplateScope {
  groupSet: ReadonlySet<string>;
  scopeSet: ReadonlySet<string>;
  /** A client-credentials (machine) token: no user, no ID token. */
  machine: boolean;
}

/** A claim value after templates are resolved. */
export type ResolvedValue =
  | string
  | number
  | boolean
  | (string | number | boolean)[]
  | { [k: string]: JsonValue };

type ValueFn = (facts: Facts) => ResolvedValue | undefined;

interface Predicate {
  /** Human wording, for `explain`. */
  describe: string;
  test(facts: Facts): boolean;
}

export interface TokenEdits {
  claims: [name: string, value: ValueFn][];
  suppress: string[];
}

export interface CompiledRule {
  index: number;
  /** `name`, or `rule <n>` (numbered from 1) when the rule has none. */
  label: string;
  enabled: boolean;
  predicates: Predicate[];
  /** Attribute or group matchers: never match a machine token. */
  needsUser: boolean;
  id: TokenEdits;
  access: TokenEdits & { scopesToAdd: string[]; scopesToSuppress: string[] };
  groups?: string[];
  iamRoles?: string[];
  preferredRole?: string | null;
  roleMapping?: [group: string, role: string][];
  /** `roleMapping` as a map, built once. */
  roleByGroup?: ReadonlyMap<string, string>;
  stop: boolean;
}

export interface CompiledRules {
  rules: CompiledRule[];
  triggerVersion: TriggerVersion;
  tokenSizeBudget?: number;
}

function setPredicates(
  kind: 'group' | 'scope',
  matcher: string[] | { any?: string[]; all?: string[]; none?: string[] },
): Predicate[] {
  const spec = Array.isArray(matcher) ? { any: matcher } : matcher;
  // One accessor per kind keeps each closure's property access monomorphic.
  const setOf: (facts: Facts) => ReadonlySet<string> =
    kind === 'group' ? (facts) => facts.groupSet : (facts) => facts.scopeSet;
  const out: Predicate[] = [];
  if (spec.any) {
    const list = [...new Set(spec.any)];
    out.push({
      describe: `${kind}s include any of ${list.join(', ')}`,
      test: (facts) => {
        const set = setOf(facts);
        for (const item of list) if (set.has(item)) return true;
        return false;
      },
    });
  }
  if (spec.all) {
    const list = [...new Set(spec.all)];
    out.push({
      describe: `${kind}s include all of ${list.join(', ')}`,
      test: (facts) => {
        const set = setOf(facts);
        for (const item of list) if (!set.has(item)) return false;
        return true;
      },
    });
  }
  if (spec.none) {
    const list = [...new Set(spec.none)];
    out.push({
      describe: `${kind}s include none of ${list.join(', ')}`,
      test: (facts) => {
        const set = setOf(facts);
        for (const item of list) if (set.has(item)) return false;
        return true;
      },
    });
  }
  return out;
}

function attributePredicates(
  name: string,
  matcher: NonNullable<NonNullable<Rule['match']>['attributes']>[string],
): Predicate[] {
  const spec = typeof matcher === 'string' ? { equals: matcher } : matcher;
  const read = (facts: Facts): string | undefined =>
    Object.hasOwn(facts.attributes, name) ? facts.attributes[name] : undefined;
  const out: Predicate[] = [];
  if (spec.exists !== undefined) {
    const want = spec.exists;
    out.push({
      describe: `attribute ${name} ${want ? 'exists' : 'is absent'}`,
      test: (facts) => (read(facts) !== undefined) === want,
    });
  }
  if (spec.equals !== undefined) {
    const want = spec.equals;
    out.push({
      describe: `attribute ${name} equals "${want}"`,
      test: (facts) => read(facts) === want,
    });
  }
  if (spec.in !== undefined) {
    const set = new Set(spec.in);
    out.push({
      describe: `attribute ${name} is one of ${spec.in.join(', ')}`,
      test: (facts) => {
        const value = read(facts);
        return value !== undefined && set.has(value);
      },
    });
  }
  if (spec.regex !== undefined) {
    const regex = new RegExp(spec.regex, 'u');
    out.push({
      describe: `attribute ${name} matches /${spec.regex}/`,
      test: (facts) => {
        const value = read(facts);
        return value !== undefined && regex.test(value);
      },
    });
  }
  return out;
}

function compileValue(value: ClaimValue | JsonValue, top: boolean): ValueFn {
  if (typeof value === 'string') {
    const parsed = parseTemplate(value);
    if (!parsed.dynamic) {
      const text = parsed.parts.map((part) => (part.kind === 'text' ? part.text : '')).join('');
      return () => text;
    }
    const template = compileTemplate(parsed, true);
    if (!top) {
      return (facts) => {
        const out = template(facts);
        return Array.isArray(out) ? out.join(',') : out;
      };
    }
    // A whole claim that resolves to nothing is left out rather than added empty.
    return (facts) => {
      const out = template(facts);
      return out.length === 0 ? undefined : out;
    };
  }
  if (value === null || typeof value !== 'object') return () => value as ResolvedValue;
  if (Array.isArray(value)) {
    const items = value.map((item) => compileValue(item, false));
    if (!JSON.stringify(value).includes('${')) return () => value as ResolvedValue;
    return (facts) => items.map((item) => item(facts)) as ResolvedValue;
  }
  if (!JSON.stringify(value).includes('${')) return () => value as ResolvedValue;
  const entries = Object.entries(value).map(
    ([key, item]) => [key, compileValue(item, false)] as const,
  );
  return (facts) => {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of entries) out[key] = item(facts) as JsonValue;
    return out;
  };
}

function compileClaims(...maps: (Record<string, ClaimValue> | undefined)[]): TokenEdits['claims'] {
  const merged: Record<string, ClaimValue> = Object.assign({}, ...maps.filter(Boolean));
  return Object.entries(merged).map(([name, value]) => [name, compileValue(value, true)]);
}

/** Compiles one validated rule. */
export function compileRule(rule: Rule, index: number): CompiledRule {
  const { match, then } = rule;
  const predicates: Predicate[] = [];
  if (match?.clients) {
    const set = new Set(match.clients);
    predicates.push({
      describe: `client is one of ${match.clients.join(', ')}`,
      test: (f) => set.has(f.clientId),
    });
  }
  if (match?.triggerSources) {
    const set = new Set<string>(match.triggerSources);
    predicates.push({
      describe: `trigger source is one of ${match.triggerSources.join(', ')}`,
      test: (f) => set.has(f.triggerSource),
    });
  }
  if (match?.groups) predicates.push(...setPredicates('group', match.groups));
  for (const [name, matcher] of Object.entries(match?.attributes ?? {})) {
    predicates.push(...attributePredicates(name, matcher));
  }
  if (match?.scopes) predicates.push(...setPredicates('scope', match.scopes));
  return {
    index,
    label: rule.name ?? `rule ${index + 1}`,
    enabled: rule.enabled ?? true,
    predicates,
    needsUser: match?.attributes !== undefined || match?.groups !== undefined,
    id: {
      claims: compileClaims(then.claims, then.idToken?.claims),
      suppress: [...new Set([...(then.suppress ?? []), ...(then.idToken?.suppress ?? [])])],
    },
    access: {
      claims: compileClaims(then.claims, then.accessToken?.claims),
      suppress: [...new Set([...(then.suppress ?? []), ...(then.accessToken?.suppress ?? [])])],
      scopesToAdd: [...new Set(then.accessToken?.scopesToAdd ?? [])],
      scopesToSuppress: [...new Set(then.accessToken?.scopesToSuppress ?? [])],
    },
    groups: then.groups,
    iamRoles: then.iamRoles,
    preferredRole: then.preferredRole,
    roleMapping: then.roleMapping ? Object.entries(then.roleMapping) : undefined,
    roleByGroup: then.roleMapping ? new Map(Object.entries(then.roleMapping)) : undefined,
    stop: rule.stop ?? false,
  };
}

/** Compiles a validated file (use `validateRules` / `loadRulesFile`, which call this). */
export function compileRules(file: RulesFile, triggerVersion: TriggerVersion): CompiledRules {
  return {
    rules: file.rules.map(compileRule).filter((rule) => rule.enabled),
    triggerVersion,
    tokenSizeBudget: file.settings?.tokenSizeBudget,
  };
}

/** Whether `rule` matches; for a machine token, user matchers never match. */
export function ruleMatches(rule: CompiledRule, facts: Facts): boolean {
  if (facts.machine && rule.needsUser) return false;
  for (const predicate of rule.predicates) if (!predicate.test(facts)) return false;
  return true;
}

/** The first condition of `rule` that `facts` fail, in words; undefined when it matches. */
export function whyNot(rule: CompiledRule, facts: Facts): string | undefined {
  if (facts.machine && rule.needsUser)
    return 'a machine token has no user (attribute/group matchers)';
  return rule.predicates.find((predicate) => !predicate.test(facts))?.describe;
}

export { CLIENT_CREDENTIALS_SOURCE };
