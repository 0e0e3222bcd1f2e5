/**
 * Loading a rules file: parse (YAML or JSON), check the structure with the zod schema,
 * then check what Cognito would refuse. Every problem is collected, then one
 * {@link RulesError} lists them all; a file with warnings only loads.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { issueProblems, parseYamlText, protoKeyPaths } from '@authwatch/kit/rules-text';
import type * as z from 'zod';
import { type CompiledRules, compileRules } from './compile.js';
import { RulesError, RulesFileUnreadableError, type RulesProblem } from './errors.js';
import {
  ACCESS_TOKEN_AUD_TEMPLATE,
  CLIENT_CREDENTIALS_SOURCE,
  ID_TOKEN_SIMPLE_ONLY_CLAIMS,
  NON_ADDABLE_SCOPES,
  reservedReason,
  type TriggerVersion,
} from './reserved.js';
import {
  type ClaimValue,
  type Rule,
  RuleSchema,
  type RulesFile,
  RulesFileSchema,
} from './schema.js';
import { LIST_VARIABLES, parseTemplate } from './template.js';

export interface LoadOptions {
  /**
   * The trigger version the rules will run under (the user pool's LambdaVersion).
   * V1_0 refuses what only V2_0 can do. Default V2_0.
   */
  triggerVersion?: TriggerVersion;
  /** How the file is named in messages (default `rules`). */
  source?: string;
}

/** A loaded, validated file: its rules, warnings and the compiled engine. */
export interface LoadedRules {
  file: RulesFile;
  warnings: RulesProblem[];
  compiled: CompiledRules;
  triggerVersion: TriggerVersion;
  source: string;
}

const CLAIM_NAME = /^[^\s]{1,256}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;

/**
 * Parses YAML or JSON text (JSON is YAML) into a plain value; syntax errors become
 * problems with their line and column.
 */
export function parseRulesText(text: string, source = 'rules'): unknown {
  const parsed = parseYamlText(text);
  if ('problems' in parsed) {
    throw new RulesError(source, parsed.problems, parsed.cause ? { cause: parsed.cause } : {});
  }
  return parsed.value;
}

function zodProblems(
  issues: z.core.$ZodIssue[],
  rule: number | undefined,
  ruleName: string | undefined,
  prefix: string[] = [],
): RulesProblem[] {
  return issueProblems(issues, { prefix }).map((problem) => ({ rule, ruleName, ...problem }));
}

class Collector {
  readonly errors: RulesProblem[] = [];
  readonly warnings: RulesProblem[] = [];
  constructor(
    private readonly rule: number,
    private readonly ruleName: string | undefined,
  ) {}
  error(field: string, message: string): void {
    this.errors.push({ rule: this.rule, ruleName: this.ruleName, field, message });
  }
  warn(field: string, message: string): void {
    this.warnings.push({ rule: this.rule, ruleName: this.ruleName, field, message });
  }
}

function isComplex(value: ClaimValue): boolean {
  return typeof value === 'object';
}

function checkTemplates(value: unknown, field: string, out: Collector): void {
  if (typeof value === 'string') {
    for (const message of parseTemplate(value).errors) out.error(field, message);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      checkTemplates(item, `${field}.${index}`, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) checkTemplates(item, `${field}.${key}`, out);
  }
}

function isWholeListTemplate(value: ClaimValue): boolean {
  if (typeof value !== 'string') return false;
  const { parts } = parseTemplate(value);
  const only = parts.length === 1 ? parts[0] : undefined;
  return only?.kind === 'var' && LIST_VARIABLES.has(only.name);
}

function checkClaims(
  claims: Record<string, ClaimValue> | undefined,
  tokens: ('id' | 'access')[],
  field: string,
  version: TriggerVersion,
  out: Collector,
): void {
  if (claims === undefined) return;
  for (const [name, value] of Object.entries(claims)) {
    const at = `${field}.${name}`;
    if (!CLAIM_NAME.test(name)) {
      out.error(at, 'a claim name must be 1-256 characters without spaces');
      continue;
    }
    for (const token of tokens) {
      if (token === 'access' && name === 'aud') {
        if (value !== ACCESS_TOKEN_AUD_TEMPLATE) {
          out.error(
            at,
            `aud in the access token must be the caller's app client id: write exactly "${ACCESS_TOKEN_AUD_TEMPLATE}"`,
          );
        }
        continue;
      }
      const reason = reservedReason(token, name, 'set');
      if (reason !== undefined) {
        out.error(at, `${name} ${reason}`);
        break;
      }
      if (token === 'id' && ID_TOKEN_SIMPLE_ONLY_CLAIMS.has(name)) {
        if (isComplex(value) || isWholeListTemplate(value)) {
          out.error(at, `${name} cannot take an array or JSON object value in the ID token`);
        }
      }
    }
    checkTemplates(value, at, out);
    if (version === 'V1_0' && tokens.includes('id') && typeof value !== 'string') {
      const kind = Array.isArray(value)
        ? 'an array'
        : typeof value === 'object'
          ? 'a JSON object'
          : `a ${typeof value}`;
      out.error(at, `${kind} value needs V2_0 (V1_0 claims are strings)`);
    }
  }
}

function checkSuppress(
  names: string[] | undefined,
  tokens: ('id' | 'access')[],
  field: string,
  out: Collector,
): void {
  names?.forEach((name, index) => {
    for (const token of tokens) {
      const reason = reservedReason(token, name, 'suppress');
      if (reason !== undefined) {
        out.error(`${field}.${index}`, `${name} ${reason}`);
        break;
      }
    }
  });
}

function checkScopes(scopes: string[] | undefined, field: string, adding: boolean, out: Collector) {
  scopes?.forEach((scope, index) => {
    if (/\s/.test(scope)) out.error(`${field}.${index}`, `scope "${scope}" contains a space`);
    else if (!SCOPE.test(scope)) out.error(`${field}.${index}`, `"${scope}" is not a valid scope`);
    else if (adding && NON_ADDABLE_SCOPES.has(scope)) {
      out.error(
        `${field}.${index}`,
        `${scope} cannot be added by a rule (it grants Cognito user APIs)`,
      );
    }
  });
}

function checkRole(role: string, field: string, out: Collector): void {
  if (!ROLE_ARN.test(role)) out.error(field, `"${role}" is not an IAM role ARN`);
}

function checkRule(rule: Rule, version: TriggerVersion, out: Collector): void {
  const { match, then } = rule;
  // Matchers
  for (const [name, matcher] of Object.entries(match?.attributes ?? {})) {
    const at = `match.attributes.${name}`;
    if (typeof matcher === 'string') continue;
    if (Object.keys(matcher).length === 0)
      out.error(at, 'give at least one of equals, in, regex, exists');
    if (matcher.regex !== undefined) {
      try {
        new RegExp(matcher.regex, 'u');
      } catch (error) {
        out.error(`${at}.regex`, `invalid regular expression: ${(error as Error).message}`);
      }
    }
  }
  for (const key of ['groups', 'scopes'] as const) {
    const matcher = match?.[key];
    if (matcher !== undefined && !Array.isArray(matcher) && Object.keys(matcher).length === 0) {
      out.error(`match.${key}`, 'give at least one of any, all, none');
    }
  }
  const sources = match?.triggerSources;
  const machineOnly = sources?.every((s) => s === CLIENT_CREDENTIALS_SOURCE);
  if (sources?.includes(CLIENT_CREDENTIALS_SOURCE) && version !== 'V3_0') {
    out.warn(
      'match.triggerSources',
      `${CLIENT_CREDENTIALS_SOURCE} is sent only to V3_0 triggers: ${machineOnly ? 'this rule never matches' : 'that source never matches'} under ${version}`,
    );
  }
  if (machineOnly && (match?.attributes !== undefined || match?.groups !== undefined)) {
    out.warn('match', 'machine tokens have no user: attribute and group matchers never match them');
  }
  if (version === 'V1_0' && match?.scopes !== undefined) {
    out.error('match.scopes', 'matching on scopes needs V2_0 (V1_0 events carry no scopes)');
  }
  // Claims
  const bothTokens: ('id' | 'access')[] = version === 'V1_0' ? ['id'] : ['id', 'access'];
  checkClaims(then.claims, bothTokens, 'then.claims', version, out);
  checkSuppress(then.suppress, bothTokens, 'then.suppress', out);
  checkClaims(then.idToken?.claims, ['id'], 'then.idToken.claims', version, out);
  checkSuppress(then.idToken?.suppress, ['id'], 'then.idToken.suppress', out);
  const access = then.accessToken;
  if (access !== undefined) {
    if (version === 'V1_0') {
      out.error(
        'then.accessToken',
        'access-token customisation needs V2_0 (V1_0 changes the ID token only)',
      );
    }
    checkClaims(access.claims, ['access'], 'then.accessToken.claims', 'V2_0', out);
    checkSuppress(access.suppress, ['access'], 'then.accessToken.suppress', out);
    checkScopes(access.scopesToAdd, 'then.accessToken.scopesToAdd', true, out);
    checkScopes(access.scopesToSuppress, 'then.accessToken.scopesToSuppress', false, out);
  }
  // Groups and roles
  then.iamRoles?.forEach((role, index) => {
    checkRole(role, `then.iamRoles.${index}`, out);
  });
  if (typeof then.preferredRole === 'string')
    checkRole(then.preferredRole, 'then.preferredRole', out);
  for (const [group, role] of Object.entries(then.roleMapping ?? {})) {
    checkRole(role, `then.roleMapping.${group}`, out);
  }
  if (
    then.roleMapping !== undefined &&
    (then.iamRoles !== undefined || then.preferredRole !== undefined)
  ) {
    out.warn(
      'then.roleMapping',
      'iamRoles / preferredRole of the same rule are applied after roleMapping',
    );
  }
  // Overridden and suppressed in one rule: suppression wins, as in Cognito.
  const suppressed = new Set([...(then.suppress ?? []), ...(then.idToken?.suppress ?? [])]);
  for (const name of Object.keys({ ...then.claims, ...then.idToken?.claims })) {
    if (suppressed.has(name))
      out.warn(`then.claims.${name}`, 'is also suppressed by this rule: suppression wins');
  }
}

/**
 * Validates a parsed rules file and compiles it. Throws a {@link RulesError} listing
 * every problem (rule index, name, field).
 */
export function validateRules(raw: unknown, options: LoadOptions = {}): LoadedRules {
  const source = options.source ?? 'rules';
  const version = options.triggerVersion ?? 'V2_0';
  const errors: RulesProblem[] = [];
  const warnings: RulesProblem[] = [];
  const shell = RulesFileSchema.omit({ rules: true }).loose().safeParse(raw);
  if (!shell.success) errors.push(...zodProblems(shell.error.issues, undefined, undefined));
  const rawRules = (raw as { rules?: unknown } | null | undefined)?.rules;
  if (!Array.isArray(rawRules)) {
    errors.push({ field: 'rules', message: 'must be a list of rules' });
    throw new RulesError(source, errors);
  }
  const names = new Map<string, number>();
  const rules: Rule[] = [];
  rawRules.forEach((rawRule, index) => {
    const rawName = (rawRule as { name?: unknown } | null)?.name;
    const ruleName = typeof rawName === 'string' ? rawName : undefined;
    const protos = protoKeyPaths(rawRule);
    if (protos.length > 0) {
      for (const field of protos) {
        errors.push({
          rule: index,
          ruleName,
          field,
          message: '__proto__ cannot be used as a name',
        });
      }
      return;
    }
    const parsed = RuleSchema.safeParse(rawRule);
    if (!parsed.success) {
      errors.push(...zodProblems(parsed.error.issues, index, ruleName));
      return;
    }
    const out = new Collector(index, ruleName);
    if (ruleName !== undefined) {
      const first = names.get(ruleName);
      if (first !== undefined) out.error('name', `duplicates the name of rule ${first + 1}`);
      else names.set(ruleName, index);
    }
    checkRule(parsed.data, version, out);
    errors.push(...out.errors);
    warnings.push(...out.warnings);
    rules.push(parsed.data);
  });
  if (errors.length > 0) throw new RulesError(source, errors);
  const file = RulesFileSchema.parse(raw);
  return {
    file,
    warnings,
    compiled: compileRules(file, version),
    triggerVersion: version,
    source,
  };
}

/** Parses and validates rules text (YAML or JSON). */
export function loadRulesText(text: string, options: LoadOptions = {}): LoadedRules {
  return validateRules(parseRulesText(text, options.source ?? 'rules'), options);
}

/**
 * Reads, validates and compiles a rules file. A relative path is resolved against
 * `baseDir` (the handler passes LAMBDA_TASK_ROOT); an unreadable file is a RulesError.
 */
export function loadRulesFile(
  path: string,
  options: LoadOptions & { baseDir?: string } = {},
): LoadedRules {
  const file = isAbsolute(path) ? path : resolve(options.baseDir ?? process.cwd(), path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RulesFileUnreadableError(path, file, error);
  }
  return loadRulesText(text, { ...options, source: options.source ?? path });
}
