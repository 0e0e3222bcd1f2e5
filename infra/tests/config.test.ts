import { describe, expect, it } from 'vitest';
import { dev } from '../config/dev.js';
import {
  ConfigSchema,
  InvalidConfigError,
  listEnvironments,
  loadConfig,
  validateConfig,
} from '../config/index.js';

/** The dev config with `patch` applied at the top level. */
function devWith(patch: Record<string, unknown>): Record<string, unknown> {
  return { ...structuredClone(dev), ...patch };
}

function errorOf(fn: () => unknown): InvalidConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidConfigError) return error;
    throw error;
  }
  throw new Error('expected an InvalidConfigError');
}

describe('loadConfig', () => {
  it('loads every configured environment', () => {
    for (const envName of listEnvironments()) {
      expect(loadConfig(envName).envName).toBe(envName);
    }
    expect(listEnvironments()).toEqual(['dev', 'prod']);
  });

  it('gives dev short retention, destroy and debug logs', () => {
    expect(loadConfig('dev')).toMatchObject({
      region: 'eu-west-1',
      removalPolicy: 'destroy',
      logRetentionDays: 14,
      logLevel: 'DEBUG',
    });
  });

  it('refuses an unknown environment, listing the known ones', () => {
    expect(() => loadConfig('staging')).toThrow(
      'Invalid infra config "staging": envName: no environment "staging" (known: dev, prod)',
    );
  });

  it('does not resolve names through the object prototype', () => {
    expect(() => loadConfig('constructor')).toThrow(InvalidConfigError);
  });
});

describe('validateConfig', () => {
  it.each([
    ['region', { region: 'Europe' }, 'must be an AWS region'],
    ['account', { account: '1234' }, 'must be a 12-digit AWS account id'],
    ['removalPolicy', { removalPolicy: 'snapshot' }, 'removalPolicy:'],
    ['logRetentionDays', { logRetentionDays: 10 }, "CloudWatch's retention periods"],
    ['logLevel', { logLevel: 'VERBOSE' }, 'logLevel:'],
    ['logSampleRate', { logSampleRate: 2 }, 'logSampleRate:'],
    ['envName', { envName: 'Dev Env' }, 'lower-case'],
  ])('names the field %s when its value is bad', (field, patch, message) => {
    // Act
    const error = errorOf(() =>
      validateConfig('envName' in patch ? String(patch.envName) : 'dev', devWith(patch)),
    );
    // Assess
    expect(error.fields).toContain(field);
    expect(error.message).toContain(`${field}: `);
    expect(error.message).toContain(message);
  });

  it('names a nested field by its dotted path', () => {
    const error = errorOf(() => validateConfig('dev', devWith({ tags: { project: 42 } })));
    expect(error.fields).toEqual(['tags.project']);
  });

  it('names a missing required field', () => {
    const { region: _region, ...withoutRegion } = structuredClone(dev);
    const error = errorOf(() => validateConfig('dev', withoutRegion));
    expect(error.fields).toEqual(['region']);
  });

  it('refuses an unknown field, naming it, so a typo cannot be ignored', () => {
    const error = errorOf(() => validateConfig('dev', devWith({ logRetentionDay: 14 })));
    expect(error.fields).toEqual(['logRetentionDay']);
    expect(error.message).toContain('logRetentionDay: is not a known config field');
  });

  it('lists every bad field at once', () => {
    const error = errorOf(() => validateConfig('dev', devWith({ region: 'x', logLevel: 'x' })));
    expect(error.fields.sort()).toEqual(['logLevel', 'region']);
  });

  it('refuses a config registered under another name', () => {
    const error = errorOf(() => validateConfig('prod', devWith({})));
    expect(error.message).toContain('envName: must be "prod"');
  });

  it('applies defaults, e.g. no tags', () => {
    const { tags: _tags, ...withoutTags } = structuredClone(dev);
    expect(ConfigSchema.parse(withoutTags).tags).toEqual({});
  });
});
