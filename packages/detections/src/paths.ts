/** Paths inside this package, for the CLI, the CDK construct and the local stack. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder. */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The default rules file shipped with the function: `rules/default.yaml`. */
export const DEFAULT_RULES_FILE = join(PACKAGE_DIR, 'rules', 'default.yaml');

/** The generated JSON Schema of rules files. */
export const RULES_JSON_SCHEMA_FILE = join(PACKAGE_DIR, 'schema', 'rules.schema.json');

/** The Lambda entry (bundled by infra, run by the local stack). */
export const HANDLER_ENTRY = join(PACKAGE_DIR, 'src', 'handler.ts');
