import { describe, expect, it } from 'vitest';
import { appClientSpecs, localPasswordClientSpec } from '../config/clients.js';
import { loadConfig, validateConfig } from '../config/index.js';
import { synthesizedAppClients } from '../lib/synthesized-clients.js';

describe('app client specs', () => {
  it.each(['dev', 'prod'])('are exactly the clients the %s stack synthesises', (envName) => {
    const config = loadConfig(envName);
    const specs = appClientSpecs(config);
    const synthesized = synthesizedAppClients(config);
    expect(Object.keys(synthesized).sort()).toEqual(['machine', 'web']);
    expect(synthesized.web).toEqual(specs.web);
    expect(synthesized.machine).toEqual(specs.machine);
  });

  it('leaves SRP off the web client in password-then-otp mode, where SRP runs inside CUSTOM_AUTH', () => {
    expect(appClientSpecs(loadConfig('prod')).web.explicitAuthFlows).toEqual([
      'ALLOW_CUSTOM_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ]);
    expect(appClientSpecs(loadConfig('dev')).web.explicitAuthFlows).toEqual([
      'ALLOW_CUSTOM_AUTH',
      'ALLOW_USER_SRP_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ]);
  });

  it('never allows USER_PASSWORD_AUTH on a deployed client; the local password client does', () => {
    for (const envName of ['dev', 'prod']) {
      const { web, machine } = appClientSpecs(loadConfig(envName));
      expect(web.explicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
      expect(machine?.explicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
      expect(localPasswordClientSpec(loadConfig(envName)).explicitAuthFlows).toContain(
        'ALLOW_USER_PASSWORD_AUTH',
      );
    }
  });

  it('has no machine client when the section turns it off', () => {
    const config = validateConfig('dev', {
      ...(loadConfig('dev') as object),
      userPool: { machineClient: { enabled: false } },
    });
    expect(appClientSpecs(config).machine).toBeUndefined();
    expect(Object.keys(synthesizedAppClients(config))).toEqual(['web']);
  });
});
