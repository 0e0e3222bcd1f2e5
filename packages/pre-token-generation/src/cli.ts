/**
 * `authwatch-claims`: validate, preview and explain a rules file.
 *
 *   authwatch-claims validate <rules> [--version 1|2|3]
 *   authwatch-claims preview  <rules> --user <json|file|fixture> [--client id] [--scopes a,b]
 *                             [--groups a,b] [--version 1|2|3] [--source TokenGeneration_...] [--json]
 *   authwatch-claims explain  <rules> --user ... (same options)
 *   authwatch-claims schema [--out FILE]  (the JSON Schema of rules files, to stdout or FILE)
 *
 * Exit codes: 0 fine, 1 the rules file is invalid, 2 bad usage or input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type PreTokenGenerationEvent, PreTokenGenerationEventSchema } from '@authwatch/kit';
import { getTestEvent } from '@authwatch/testing';
import { ruleMatches, whyNot } from './compile.js';
import { evaluate, factsOf, toResponse } from './engine.js';
import { formatProblem, RulesError, RulesFileUnreadableError } from './errors.js';
import { type LoadedRules, loadRulesFile } from './load.js';
import { estimateSizes } from './pre-token.js';
import {
  CLIENT_CREDENTIALS_SOURCE,
  TOKEN_TRIGGER_SOURCES,
  type TriggerVersion,
} from './reserved.js';
import { rulesJsonSchema } from './schema.js';
import { applyResponse, type Claims, untouchedClaims } from './token.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Clock for token times (tests pass a fixed one). */
  now?: () => number;
  cwd?: string;
}

const USAGE = `usage:
  authwatch-claims validate <rules> [--version 1|2|3]
  authwatch-claims preview  <rules> --user <json|file.json|fixture> [--client <id>] [--scopes a,b]
                            [--groups a,b] [--version 1|2|3] [--source <trigger source>] [--json]
  authwatch-claims explain  <rules> --user ... (options as preview)
  authwatch-claims schema [--out FILE]
The trigger version defaults to 3 (V3_0), as the stack wires it; rules are numbered from 1.
fixtures: v1/authentication, v2/hosted-auth, v3/client-credentials, ... (packages/testing/events/pre-token-generation)`;

class UsageError extends Error {}

const VERSIONS: Record<string, TriggerVersion> = {
  '1': 'V1_0',
  '2': 'V2_0',
  '3': 'V3_0',
  V1_0: 'V1_0',
  V2_0: 'V2_0',
  V3_0: 'V3_0',
};

const PREVIEW_CLIENT = 'previewclient0000000000000';

/**
 * The trigger version when none is given: V3_0, as infra and the local stack wire the
 * trigger (with a machine client, so client-credentials tokens are customised too).
 */
const DEFAULT_VERSION: TriggerVersion = 'V3_0';

function parseVersion(raw: string | undefined): TriggerVersion | undefined {
  if (raw === undefined) return undefined;
  const version = Object.hasOwn(VERSIONS, raw) ? VERSIONS[raw] : undefined;
  if (version === undefined) throw new UsageError(`--version must be 1, 2 or 3, got "${raw}"`);
  return version;
}

const csv = (raw: string | undefined): string[] | undefined =>
  raw === undefined
    ? undefined
    : raw
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);

interface UserSpec {
  userName?: string;
  attributes: Record<string, string>;
  groups?: string[];
  roles?: string[];
  preferredRole?: string | null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A user given as JSON: its attributes (flat, or under `attributes` with `userName`,
 * `groups`, `roles`, `preferredRole`). A member of the wrong type is a UsageError that
 * names it, never a silent conversion (`"abc"` is no attribute map, `[1]` no group list).
 */
function userFromJson(value: unknown): UserSpec {
  if (!isObject(value)) throw new UsageError('--user JSON must be an object');
  const structured = ['attributes', 'groups', 'userName', 'roles', 'preferredRole'].some(
    (key) => key in value,
  );
  const attributes = structured ? (value.attributes ?? {}) : value;
  if (!isObject(attributes)) throw new UsageError('--user attributes must be an object');
  for (const [key, item] of Object.entries(attributes)) {
    if (typeof item !== 'string') throw new UsageError(`--user attribute ${key} must be a string`);
  }
  const strings = (key: 'groups' | 'roles'): string[] | undefined => {
    const list = value[key];
    if (list === undefined) return undefined;
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) {
      throw new UsageError(`--user ${key} must be a list of strings`);
    }
    return list as string[];
  };
  if (value.userName !== undefined && typeof value.userName !== 'string') {
    throw new UsageError('--user userName must be a string');
  }
  const preferredRole = value.preferredRole;
  if (preferredRole !== undefined && preferredRole !== null && typeof preferredRole !== 'string') {
    throw new UsageError('--user preferredRole must be a string or null');
  }
  return {
    userName: value.userName as string | undefined,
    attributes: attributes as Record<string, string>,
    groups: strings('groups'),
    roles: strings('roles'),
    preferredRole: preferredRole as string | null | undefined,
  };
}

interface EventOptions {
  user?: string;
  client?: string;
  scopes?: string;
  groups?: string;
  version?: string;
  source?: string;
}

/** Builds the event a preview runs: a fixture, or a user given as JSON, with overrides. */
export function previewEvent(options: EventOptions, cwd = process.cwd()): PreTokenGenerationEvent {
  const version = parseVersion(options.version);
  const raw = options.user;
  if (raw === undefined) throw new UsageError('--user is required');
  let event: Record<string, unknown>;
  const trimmed = raw.trim();
  if (trimmed.startsWith('{')) {
    event = eventForUser(userFromJson(JSON.parse(trimmed)), version ?? DEFAULT_VERSION);
  } else if (/\.json$/i.test(trimmed) && existsSync(`${cwd}/${trimmed}`)) {
    event = eventForUser(
      userFromJson(JSON.parse(readFileSync(`${cwd}/${trimmed}`, 'utf8'))),
      version ?? DEFAULT_VERSION,
    );
  } else if (/\.json$/i.test(trimmed) && existsSync(trimmed)) {
    event = eventForUser(
      userFromJson(JSON.parse(readFileSync(trimmed, 'utf8'))),
      version ?? DEFAULT_VERSION,
    );
  } else {
    const name = trimmed.startsWith('pre-token-generation/')
      ? trimmed
      : `pre-token-generation/${trimmed}`;
    try {
      event = getTestEvent(name);
    } catch {
      throw new UsageError(
        `--user "${raw}" is neither JSON, a JSON file nor a fixture (e.g. v2/authentication)`,
      );
    }
    if (version !== undefined) event.version = version.slice(1, 2);
  }
  const request = event.request as Record<string, unknown>;
  if (options.client !== undefined)
    event.callerContext = { ...(event.callerContext as object), clientId: options.client };
  if (options.source !== undefined) {
    if (!(TOKEN_TRIGGER_SOURCES as readonly string[]).includes(options.source)) {
      throw new UsageError(`--source must be one of ${TOKEN_TRIGGER_SOURCES.join(', ')}`);
    }
    event.triggerSource = options.source;
    if (options.source === CLIENT_CREDENTIALS_SOURCE) {
      event.version = '3';
      delete event.userName;
      request.userAttributes = {};
      request.groupConfiguration = {
        groupsToOverride: [],
        iamRolesToOverride: [],
        preferredRole: null,
      };
    }
  }
  const scopes = csv(options.scopes);
  if (scopes !== undefined) request.scopes = scopes;
  const groups = csv(options.groups);
  if (groups !== undefined) {
    request.groupConfiguration = {
      ...(request.groupConfiguration as object),
      groupsToOverride: groups,
    };
  }
  if (event.version === '1') delete request.scopes;
  const parsed = PreTokenGenerationEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new UsageError(
      `the preview event is not valid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

function eventForUser(user: UserSpec, version: TriggerVersion): Record<string, unknown> {
  const sub = user.attributes.sub ?? '00000000-0000-4000-8000-00000000beef';
  return {
    version: version.slice(1, 2),
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_PREVIEW00',
    userName: user.userName ?? sub,
    callerContext: { awsSdkVersion: 'authwatch-claims-preview', clientId: PREVIEW_CLIENT },
    request: {
      userAttributes: { sub, ...user.attributes },
      groupConfiguration: {
        groupsToOverride: user.groups ?? [],
        iamRolesToOverride: user.roles ?? [],
        preferredRole: user.preferredRole ?? null,
      },
      clientMetadata: {},
      ...(version === 'V1_0' ? {} : { scopes: ['openid', 'email', 'profile'] }),
    },
    response: {},
  };
}

const show = (value: unknown): string => JSON.stringify(value);

/** Lines describing how `after` differs from `before`. */
export function diffClaims(before: Claims, after: Claims): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(after)) {
    if (!Object.hasOwn(before, name)) lines.push(`+ ${name}: ${show(value)}`);
    else if (show(before[name]) !== show(value))
      lines.push(`~ ${name}: ${show(before[name])} -> ${show(value)}`);
  }
  for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) lines.push(`- ${name}`);
  return lines;
}

function loadFor(path: string, version: TriggerVersion, io: CliIo): LoadedRules {
  const rules = loadRulesFile(path, { triggerVersion: version, baseDir: io.cwd ?? process.cwd() });
  for (const warning of rules.warnings) io.err(`warning: ${formatProblem(warning)}`);
  return rules;
}

function preview(path: string, options: EventOptions & { json?: boolean }, io: CliIo): number {
  const event = previewEvent(options, io.cwd);
  const version = parseVersion(options.version) ?? (`V${event.version}_0` as TriggerVersion);
  const rules = loadFor(path, version, io);
  const outcome = evaluate(rules.compiled, event);
  const response = toResponse(outcome);
  const before = untouchedClaims(event, (io.now ?? Date.now)());
  const after = applyResponse(before, response);
  const sizes = estimateSizes(after);
  const diff = {
    id: before.id && after.id ? diffClaims(before.id, after.id) : undefined,
    access: diffClaims(before.access, after.access),
  };
  if (options.json) {
    io.out(
      JSON.stringify({ matched: outcome.matched, tokens: after, diff, sizes, response }, null, 2),
    );
    return 0;
  }
  io.out(
    `rules: ${rules.source} (${rules.compiled.rules.length} rules, ${version}); event: ${event.triggerSource} v${event.version}`,
  );
  io.out(`matched: ${outcome.matched.length > 0 ? outcome.matched.join(', ') : '(none)'}`);
  const sections: ['id' | 'access', string][] = [
    ['id', 'ID token'],
    ['access', 'access token'],
  ];
  for (const [key, title] of sections) {
    const claims = after[key];
    if (!claims) {
      io.out(`\n${title}: none (client credentials)`);
      continue;
    }
    io.out(`\n${title} (about ${sizes[key]} characters):`);
    io.out(JSON.stringify(claims, null, 2));
    const lines = diff[key] ?? [];
    io.out(`changes against the untouched ${title}:`);
    for (const line of lines.length > 0 ? lines : ['(none)']) io.out(`  ${line}`);
  }
  return 0;
}

function explain(path: string, options: EventOptions, io: CliIo): number {
  const event = previewEvent(options, io.cwd);
  const version = parseVersion(options.version) ?? (`V${event.version}_0` as TriggerVersion);
  const rules = loadFor(path, version, io);
  const facts = factsOf(event);
  const outcome = evaluate(rules.compiled, event, facts);
  io.out(`rules: ${rules.source} (${version}); event: ${event.triggerSource} v${event.version}`);
  io.out('\nrules:');
  let stopped: string | undefined;
  for (const rule of rules.compiled.rules) {
    if (stopped) {
      io.out(`  - ${rule.label}: not evaluated (${stopped} stops evaluation)`);
      continue;
    }
    if (ruleMatches(rule, facts)) {
      io.out(`  ✓ ${rule.label}: matched`);
      if (rule.stop) stopped = rule.label;
    } else {
      io.out(`  ✗ ${rule.label}: no match (${whyNot(rule, facts) ?? 'no match'})`);
    }
  }
  const tokens = [
    ['ID token', outcome.id, 'id'],
    ['access token', outcome.access, 'access'],
  ] as const;
  for (const [title, token, key] of tokens) {
    if (key === 'id' && outcome.machine) continue;
    if (key === 'access' && version === 'V1_0') continue;
    io.out(`\n${title}:`);
    for (const [name, claim] of token.set)
      io.out(`  ${name} = ${show(claim.value)}  <- ${claim.rule}`);
    for (const [name, rule] of token.suppress) {
      const overriddenBy = rules.compiled.rules
        .filter((candidate) => outcome.matched.includes(candidate.label))
        .filter((candidate) => candidate[key].claims.some(([claim]) => claim === name))
        .map((candidate) => candidate.label);
      io.out(
        `  ${name} suppressed  <- ${rule}${overriddenBy.length > 0 ? ` (override by ${overriddenBy.join(', ')} dropped: suppression wins)` : ''}`,
      );
    }
    if (token.set.size === 0 && token.suppress.size === 0) io.out('  (no claim changed)');
  }
  if (version !== 'V1_0') {
    io.out('\nscopes:');
    for (const [scope, rule] of outcome.access.scopesToAdd) io.out(`  + ${scope}  <- ${rule}`);
    for (const [scope, rule] of outcome.access.scopesToSuppress) io.out(`  - ${scope}  <- ${rule}`);
    if (outcome.access.scopesToAdd.size + outcome.access.scopesToSuppress.size === 0)
      io.out('  (no scope changed)');
  }
  if (!outcome.machine) {
    const groups = outcome.groups;
    io.out('\ngroups:');
    io.out(`  cognito:groups = ${show(groups.groups)}`);
    io.out(`  cognito:roles = ${show(groups.iamRoles)}`);
    io.out(`  cognito:preferred_role = ${show(groups.preferredRole)}`);
    io.out(
      `  ${groups.changedBy.length > 0 ? `changed by ${groups.changedBy.join(', ')}` : 'unchanged (copied from groupConfiguration)'}`,
    );
  }
  return 0;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        user: { type: 'string' },
        client: { type: 'string' },
        scopes: { type: 'string' },
        groups: { type: 'string' },
        version: { type: 'string' },
        source: { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, path, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    if (command === 'schema') {
      const schema = JSON.stringify(rulesJsonSchema(), null, 2);
      if (values.out === undefined) {
        io.out(schema);
        return 0;
      }
      const file = resolve(io.cwd ?? process.cwd(), values.out);
      try {
        writeFileSync(file, `${schema}\n`);
      } catch (error) {
        throw new UsageError(
          `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
      io.err(`wrote ${file}`);
      return 0;
    }
    if (!['validate', 'preview', 'explain'].includes(command))
      throw new UsageError(`unknown command "${command}"`);
    if (path === undefined) throw new UsageError(`${command} needs a rules file`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    if (command === 'validate') {
      const version = parseVersion(values.version) ?? DEFAULT_VERSION;
      const rules = loadFor(path, version, io);
      io.out(
        `${rules.source}: ${rules.file.rules.length} rule(s) valid for ${version}${rules.warnings.length > 0 ? `, ${rules.warnings.length} warning(s)` : ''}`,
      );
      return 0;
    }
    if (command === 'preview') return preview(path, values, io);
    return explain(path, values, io);
  } catch (error) {
    if (error instanceof RulesFileUnreadableError) {
      io.err(`error: ${error.problems[0]?.message ?? `cannot read ${error.file}`}`);
      return 2;
    }
    if (error instanceof RulesError) {
      io.err(`${error.source}: ${error.problems.length} problem(s)`);
      for (const problem of error.problems) io.err(`  - ${formatProblem(problem)}`);
      return 1;
    }
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.err(`error: ${(error as Error).message}`);
      io.err(USAGE);
      return 2;
    }
    if (error instanceof SyntaxError) {
      io.err(`error: --user is not valid JSON (${error.message})`);
      return 2;
    }
    throw error;
  }
}

/** The process entry: real stdout/stderr and exit code. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  // A closed pipe (`| head`) ends the output, not the process with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    process.exitCode = await runCli(argv, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      cwd: process.env.INIT_CWD ?? process.cwd(),
    });
  } catch (error) {
    // Bad input and bad rules are answered by runCli; this is anything else.
    const detail = argv.includes('--verbose')
      ? ((error as Error).stack ?? String(error))
      : `${(error as Error).message}\n(run again with --verbose for the stack trace)`;
    process.stderr.write(`authwatch-claims failed: ${detail}\n`);
    process.exitCode = 1;
  }
}
