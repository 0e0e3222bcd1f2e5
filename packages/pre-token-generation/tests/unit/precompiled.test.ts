import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@authwatch/kit';
import { createLambdaContext, getTestEvent } from '@authwatch/testing';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  COMPILED_RULES_FORMAT,
  DEFAULT_RULES_FILE,
  decideTokens,
  loadRulesFile,
  PRE_TOKEN_ENV,
  precompileRules,
  readPrecompiledRules,
} from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'authwatch-compiled-rules-'));
let files = 0;
function write(text: string): string {
  files += 1;
  const path = join(dir, `rules-${files}.compiled.json`);
  writeFileSync(path, text);
  return path;
}

const loaded = loadRulesFile(DEFAULT_RULES_FILE, { triggerVersion: 'V2_0' });
const compiledText = precompileRules(loaded);

describe('rules compiled at synth', () => {
  it('decide every token as the rules file they were made from does', () => {
    // Prepare
    const fromCompiled = readPrecompiledRules(write(compiledText), 'V2_0');
    // Act / Assess: the same answer and audit facts for every V2 fixture
    for (const name of ['authentication', 'hosted-auth', 'refresh-tokens', 'authenticate-device']) {
      const event = getTestEvent(`pre-token-generation/v2/${name}`) as never;
      const a = decideTokens(event, loaded.compiled, { now: 0, budget: 4_096 });
      const b = decideTokens(event, fromCompiled.compiled, { now: 0, budget: 4_096 });
      expect(b.response).toEqual(a.response);
      expect(b.facts).toEqual(a.facts);
    }
    expect(fromCompiled.warnings).toEqual(loaded.warnings);
  });

  it('refuse rules validated for another trigger version, naming both variables', () => {
    expect(() => readPrecompiledRules(write(compiledText), 'V3_0')).toThrow(
      new ConfigError(
        PRE_TOKEN_ENV.compiledRulesFile,
        `names rules validated for V2_0, but ${PRE_TOKEN_ENV.triggerVersion} is V3_0`,
      ),
    );
  });

  it('refuse a file whose rules were changed after synth', () => {
    const changed = JSON.parse(compiledText);
    changed.file.rules[0].enabled = false;
    const path = write(JSON.stringify(changed));
    expect(() => readPrecompiledRules(path, 'V2_0')).toThrow(/CLAIMS_RULES_COMPILED.*digest/);
  });

  it('refuse a missing file, a file that is not JSON and a rules file that was not compiled', () => {
    expect(() => readPrecompiledRules(join(dir, 'absent.json'), 'V2_0')).toThrow(
      /CLAIMS_RULES_COMPILED.*cannot be read \(ENOENT\)/,
    );
    expect(() => readPrecompiledRules(write('rules:\n  - name: x\n'), 'V2_0')).toThrow(
      /CLAIMS_RULES_COMPILED.*is not JSON/,
    );
    expect(() => readPrecompiledRules(write('{"rules":[]}'), 'V2_0')).toThrow(
      `not a compiled rules file (format ${COMPILED_RULES_FORMAT})`,
    );
  });

  it('refuse any other JSON with a ConfigError naming the variable', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            format: fc.constant(COMPILED_RULES_FORMAT),
            triggerVersion: fc.constantFrom('V1_0', 'V2_0', 'V3_0'),
            file: fc.jsonValue(),
            digest: fc.string(),
          }),
        ),
        (value) => {
          const path = write(JSON.stringify(value));
          expect(() => readPrecompiledRules(path, 'V2_0')).toThrow(ConfigError);
          expect(() => readPrecompiledRules(path, 'V2_0')).toThrow(/CLAIMS_RULES_COMPILED/);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('the handler with CLAIMS_RULES_COMPILED', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads the compiled rules instead of the rules file', async () => {
    // Prepare: a rules file that cannot be read, and the compiled rules beside it
    vi.resetModules();
    Object.assign(process.env, {
      AUDIT_ENABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      [PRE_TOKEN_ENV.rulesFile]: join(dir, 'no-such-rules.yaml'),
      [PRE_TOKEN_ENV.compiledRulesFile]: write(compiledText),
      [PRE_TOKEN_ENV.triggerVersion]: 'V2_0',
    });
    const { handler } = await import('../../src/handler.js');
    const event = getTestEvent('pre-token-generation/v2/authentication');
    // Act
    const result = (await handler(structuredClone(event), createLambdaContext())) as {
      response: unknown;
    };
    // Assess
    const expected = decideTokens(event as never, loaded.compiled, { now: 0, budget: 4_096 });
    expect(result.response).toEqual(expected.response);
  });
});
