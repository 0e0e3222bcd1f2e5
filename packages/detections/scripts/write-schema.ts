/** Writes schema/rules.schema.json from the zod schema (`pnpm schema`). */
import { writeFileSync } from 'node:fs';
import { RULES_JSON_SCHEMA_FILE } from '../src/paths.js';
import { rulesJsonSchema } from '../src/schema.js';

writeFileSync(RULES_JSON_SCHEMA_FILE, `${JSON.stringify(rulesJsonSchema(), null, 2)}\n`);
console.log(`wrote ${RULES_JSON_SCHEMA_FILE}`);
