import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CognitoError, createCognitoEmulator } from '../../src/cognito/index.js';
import { AREAS, OPERATIONS } from '../../src/cognito/operations.js';
import { REGION } from './helpers.js';
import { README, readmeOperationsMap, renderOperationsMap } from './operations-map.js';

describe('the operation table', () => {
  it('is what the README shows as the map area → file → operations', () => {
    const shown = readmeOperationsMap(readFileSync(README, 'utf8'));
    expect(shown, 'rewrite it with `npx tsx tests/cognito/operations-map.ts`').toBe(
      renderOperationsMap(),
    );
  });

  it('names, for every operation, the file whose exports hold its handler', async () => {
    for (const area of AREAS) {
      const specifier = `../../src/cognito/${area.file.replace(/\.ts$/, '.js')}`;
      const module = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
      const exported = new Set(Object.values(module));
      for (const [name, handler] of Object.entries(area.operations)) {
        expect(exported.has(handler), `${name} in ${area.file}`).toBe(true);
      }
    }
  });

  it('lists each operation once', () => {
    const names = AREAS.flatMap((area) => Object.keys(area.operations));
    expect(new Set(names).size).toBe(names.length);
    expect(OPERATIONS.size).toBe(names.length);
  });

  it('answers UnknownOperationException for any name not in it, Object.prototype members included', async () => {
    const emulator = createCognitoEmulator({ region: REGION, baseUrl: 'http://127.0.0.1:1' });
    for (const name of ['AssociateSoftwareToken', 'toString', 'constructor', '__proto__', '']) {
      const failure = await emulator.call(name, {}).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure, name).toBeInstanceOf(CognitoError);
      expect((failure as CognitoError).type, name).toBe('UnknownOperationException');
    }
  });

  it('dispatches every operation it lists to its handler', async () => {
    const emulator = createCognitoEmulator({ region: REGION, baseUrl: 'http://127.0.0.1:1' });
    for (const name of OPERATIONS.keys()) {
      // An empty request fails validation in most handlers; it must never be unknown.
      const failure = await emulator.call(name, {}).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failure !== undefined) {
        expect(failure, name).toBeInstanceOf(CognitoError);
        expect((failure as CognitoError).type, name).not.toBe('UnknownOperationException');
      }
    }
  });
});
