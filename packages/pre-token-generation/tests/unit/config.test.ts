import { ConfigError } from '@authwatch/kit';
import { describe, expect, it } from 'vitest';
import { effectiveBudget, loadPreTokenConfig, PRE_TOKEN_ENV } from '../../src/index.js';

describe('the pre token generation config', () => {
  it('defaults to the bundled rules file name, V2_0 and the task root', () => {
    expect(loadPreTokenConfig({ LAMBDA_TASK_ROOT: '/var/task' })).toEqual({
      rulesFile: 'claims-rules.yaml',
      baseDir: '/var/task',
      triggerVersion: 'V2_0',
      tokenSizeBudget: undefined,
    });
  });

  it('reads every variable', () => {
    const config = loadPreTokenConfig({
      [PRE_TOKEN_ENV.rulesFile]: '/opt/rules.yaml',
      [PRE_TOKEN_ENV.triggerVersion]: 'V3_0',
      [PRE_TOKEN_ENV.tokenSizeBudget]: '8000',
    });

    expect(config).toMatchObject({
      rulesFile: '/opt/rules.yaml',
      triggerVersion: 'V3_0',
      tokenSizeBudget: 8000,
    });
  });

  it.each([
    [PRE_TOKEN_ENV.triggerVersion, '2'],
    [PRE_TOKEN_ENV.tokenSizeBudget, 'big'],
    [PRE_TOKEN_ENV.tokenSizeBudget, '10'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadPreTokenConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadPreTokenConfig({ [name]: value })).toThrow(name);
  });

  it('prefers the environment budget over the file, and the file over the default', () => {
    expect(effectiveBudget({ tokenSizeBudget: 5000 }, 3000)).toBe(5000);
    expect(effectiveBudget({}, 3000)).toBe(3000);
    expect(effectiveBudget({})).toBe(4096);
  });
});
