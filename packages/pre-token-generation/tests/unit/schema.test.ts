import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES_JSON_SCHEMA_FILE, rulesJsonSchema } from '../../src/index.js';

describe('the JSON Schema of rules files', () => {
  it('is up to date with the zod schema (run pnpm schema)', () => {
    expect(JSON.parse(readFileSync(RULES_JSON_SCHEMA_FILE, 'utf8'))).toEqual(rulesJsonSchema());
  });

  it('describes the rule fields editors complete', () => {
    const text = JSON.stringify(rulesJsonSchema());

    for (const field of [
      'scopesToAdd',
      'roleMapping',
      'triggerSources',
      'TokenGeneration_ClientCredentials',
    ]) {
      expect(text).toContain(field);
    }
  });
});
