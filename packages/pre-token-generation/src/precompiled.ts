/**
 * Rules compiled at synth. The CDK app validates the rules file when it synthesises
 * (a bad file fails the synth) and ships, next to it, this JSON form of the validated
 * rules; the deployed trigger reads that instead of the file, so its cold start parses
 * no YAML and runs no schema validation, only `JSON.parse` and `compileRules`. The
 * file carries its format, the trigger version it was validated for and a SHA-256 of
 * both with the rules: a file that is not one, was validated for another version or
 * was changed since fails the cold start with a message naming the variable, as any
 * other bad configuration does.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@authwatch/kit';
import { type CompiledRules, compileRules } from './compile.js';
import { PRE_TOKEN_ENV } from './config.js';
import type { RulesProblem } from './errors.js';
import type { TriggerVersion } from './reserved.js';
import type { RulesFile } from './schema.js';

/** The `format` of a compiled rules file this code reads. */
export const COMPILED_RULES_FORMAT = 'authwatch-claims-rules/1';

/** The compiled rules file's name in the rules layer, next to the rules file. */
export const COMPILED_RULES_FILE_NAME = 'rules.compiled.json';

/** What a compiled rules file holds. */
export interface PrecompiledRules {
  format: typeof COMPILED_RULES_FORMAT;
  /** The rules file it was made from, as named at synth (for messages). */
  source: string;
  triggerVersion: TriggerVersion;
  /** The validated rules (the schema's output). */
  file: RulesFile;
  /** The warnings validation gave, logged again at cold start. */
  warnings: RulesProblem[];
  /** SHA-256 (hex) of the format, trigger version and rules. */
  digest: string;
}

/** What the loader gives the handler, from either kind of file. */
export interface HandlerRules {
  compiled: CompiledRules;
  warnings: RulesProblem[];
}

function digestOf(triggerVersion: string, file: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([COMPILED_RULES_FORMAT, triggerVersion, file]))
    .digest('hex');
}

/**
 * The compiled rules file's text for rules validated by `loadRulesFile` (the CDK app
 * calls it at synth).
 *
 * @example
 * ```ts
 * const loaded = loadRulesFile('rules/default.yaml', { triggerVersion: 'V2_0' });
 * writeFileSync('out/rules.compiled.json', precompileRules(loaded));
 * ```
 */
export function precompileRules(loaded: {
  file: RulesFile;
  warnings: RulesProblem[];
  triggerVersion: TriggerVersion;
  source: string;
}): string {
  // Through JSON first, so the digest covers exactly what the reader will parse.
  const file = JSON.parse(JSON.stringify(loaded.file)) as RulesFile;
  const compiled: PrecompiledRules = {
    format: COMPILED_RULES_FORMAT,
    source: loaded.source,
    triggerVersion: loaded.triggerVersion,
    file,
    warnings: loaded.warnings,
    digest: digestOf(loaded.triggerVersion, file),
  };
  return `${JSON.stringify(compiled)}\n`;
}

/**
 * Reads a compiled rules file and compiles its rules for `triggerVersion`. Throws a
 * ConfigError naming CLAIMS_RULES_COMPILED when the file cannot be read, is not a
 * compiled rules file, was validated for another version or does not match its digest.
 */
export function readPrecompiledRules(path: string, triggerVersion: TriggerVersion): HandlerRules {
  const variable = PRE_TOKEN_ENV.compiledRulesFile;
  let parsed: Partial<PrecompiledRules> | null;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<PrecompiledRules> | null;
  } catch (error) {
    const reason =
      error instanceof SyntaxError
        ? 'is not JSON'
        : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new ConfigError(variable, `names ${path}, which ${reason}`);
  }
  if (parsed === null || typeof parsed !== 'object' || parsed.format !== COMPILED_RULES_FORMAT) {
    throw new ConfigError(
      variable,
      `names ${path}, which is not a compiled rules file (format ${COMPILED_RULES_FORMAT})`,
    );
  }
  if (parsed.triggerVersion !== triggerVersion) {
    throw new ConfigError(
      variable,
      `names rules validated for ${String(parsed.triggerVersion)}, but ${PRE_TOKEN_ENV.triggerVersion} is ${triggerVersion}`,
    );
  }
  if (
    typeof parsed.file !== 'object' ||
    parsed.file === null ||
    !Array.isArray(parsed.file.rules) ||
    parsed.digest !== digestOf(parsed.triggerVersion, parsed.file)
  ) {
    throw new ConfigError(variable, `names ${path}, whose rules do not match its digest`);
  }
  return {
    compiled: compileRules(parsed.file, triggerVersion),
    warnings: Array.isArray(parsed.warnings) ? parsed.warnings : [],
  };
}
