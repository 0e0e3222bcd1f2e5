import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLambdaContext, getTestEvent } from '@authwatch/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_RULES_FILE, PRE_TOKEN_ENV, type V2Response } from '../../src/index.js';

type Answer = { userName?: string; response: V2Response };

const saved = { ...process.env };

async function importHandler(env: Record<string, string>) {
  vi.resetModules();
  Object.assign(process.env, { AUDIT_ENABLED: 'false', POWERTOOLS_LOG_LEVEL: 'SILENT', ...env });
  return (await import('../../src/handler.js')).handler;
}

describe('the pre token generation handler', () => {
  beforeEach(() => {
    process.env = { ...saved };
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('answers Cognito with the event and the rules response', async () => {
    const handler = await importHandler({
      [PRE_TOKEN_ENV.rulesFile]: DEFAULT_RULES_FILE,
      [PRE_TOKEN_ENV.triggerVersion]: 'V3_0',
    });
    const event = getTestEvent('pre-token-generation/v2/authentication');

    const result = (await handler(structuredClone(event), createLambdaContext())) as Answer;

    expect(result.userName).toBe(event.userName);
    expect(
      result.response.claimsAndScopeOverrideDetails.idTokenGeneration?.claimsToAddOrOverride,
    ).toMatchObject({
      tenant: 'tenant-42',
    });
  });

  it('reads a rules path relative to LAMBDA_TASK_ROOT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'task-'));
    writeFileSync(
      join(dir, 'claims-rules.yaml'),
      'rules:\n  - then: { claims: { from: task-root } }\n',
    );
    const handler = await importHandler({ LAMBDA_TASK_ROOT: dir });

    const result = (await handler(
      getTestEvent('pre-token-generation/v2/refresh-tokens'),
      createLambdaContext(),
    )) as Answer;

    expect(
      result.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride,
    ).toEqual({ from: 'task-root' });
  });

  it('fails the cold start on a bad rules file, naming the rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'rules:\n  - name: evil\n    then: { idToken: { claims: { sub: root } } }\n',
    );

    await expect(importHandler({ [PRE_TOKEN_ENV.rulesFile]: file })).rejects.toThrow(
      /rule 1 \(evil\) then\.idToken\.claims\.sub/,
    );
  });

  it('fails the cold start on a bad trigger version variable', async () => {
    await expect(
      importHandler({
        [PRE_TOKEN_ENV.rulesFile]: DEFAULT_RULES_FILE,
        [PRE_TOKEN_ENV.triggerVersion]: 'V9',
      }),
    ).rejects.toThrow(/CLAIMS_TRIGGER_VERSION/);
  });

  it('refuses a malformed event with the generic message', async () => {
    const handler = await importHandler({ [PRE_TOKEN_ENV.rulesFile]: DEFAULT_RULES_FILE });

    await expect(
      handler({ version: '2', triggerSource: 'nope' }, createLambdaContext()),
    ).rejects.toThrow('the request could not be completed, please try again later');
  });
});
