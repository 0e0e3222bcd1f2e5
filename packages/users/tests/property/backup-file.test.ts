/** Property tests of the backup-file parser: any JSON is read or refused with one line. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKUP_FORMAT, type Backup, parseBackup } from '../../src/backup-file.js';
import { InputError } from '../../src/errors.js';

const userArbitrary = fc.record({
  username: fc.string({ minLength: 1, maxLength: 20 }),
  status: fc.constantFrom(
    'CONFIRMED',
    'FORCE_CHANGE_PASSWORD',
    'RESET_REQUIRED',
    'EXTERNAL_PROVIDER',
  ),
  enabled: fc.boolean(),
  created: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  modified: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  attributes: fc.dictionary(
    // Any name but "__proto__", which parseBackup refuses by name (its own test below).
    fc.string({ minLength: 1, maxLength: 10 }).filter((name) => name !== '__proto__'),
    fc.string({ maxLength: 20 }),
  ),
  mfa: fc.record({
    enabled: fc.array(fc.constantFrom('SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP')),
  }),
  groups: fc.array(fc.string({ minLength: 1, maxLength: 10 })),
});

const backupArbitrary: fc.Arbitrary<Backup> = fc.record({
  format: fc.constant(BACKUP_FORMAT),
  version: fc.constant(1 as const),
  createdAt: fc.constant('2026-12-06T12:00:00.000Z'),
  source: fc.record({
    userPoolId: fc.constant('eu-west-1_Abc123'),
    region: fc.constant('eu-west-1'),
  }),
  pool: fc.record({
    Name: fc.string({ minLength: 1 }),
    MfaConfiguration: fc.constantFrom('OFF', 'ON'),
  }),
  clients: fc.array(
    fc.record({ ClientName: fc.string({ minLength: 1 }), hadSecret: fc.boolean() }),
  ),
  groups: fc.array(fc.record({ GroupName: fc.string({ minLength: 1 }), Precedence: fc.nat() })),
  resourceServers: fc.array(
    fc.record({ Identifier: fc.webUrl(), Name: fc.string({ minLength: 1 }) }),
  ),
  identityProviders: fc.array(
    fc.record({
      ProviderName: fc.string({ minLength: 1 }),
      ProviderType: fc.constantFrom('SAML', 'OIDC', 'Google'),
      removedSecrets: fc.array(fc.constant('client_secret'), { maxLength: 1 }),
    }),
  ),
  users: fc.uniqueArray(userArbitrary, { selector: (user) => user.username, maxLength: 5 }),
});

describe('parseBackup (fast-check)', () => {
  it('reads back every backup it could have written', () => {
    fc.assert(
      fc.property(backupArbitrary, (backup) => {
        expect(parseBackup(JSON.stringify(backup))).toEqual(backup);
      }),
    );
  });

  it('refuses any other JSON with an InputError on one line, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), backupArbitrary.chain(mutate)), (value) => {
        try {
          parseBackup(JSON.stringify(value), 'b.json');
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as Error).message).toMatch(/^b\.json/);
          expect((error as Error).message).not.toContain('\n');
        }
      }),
    );
  });

  it('refuses text that is not JSON, naming the file', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!isJson(text));
        expect(() => parseBackup(text, 'b.json')).toThrow('b.json is not JSON');
      }),
    );
  });

  it('names the version it reads when a file has another one', () => {
    expect(() =>
      parseBackup(JSON.stringify({ format: BACKUP_FORMAT, version: 2 }), 'b.json'),
    ).toThrow('b.json has version 2; this tool reads version 1');
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A backup with one member replaced by an arbitrary JSON value. */
function mutate(backup: Backup): fc.Arbitrary<unknown> {
  const keys = Object.keys(backup) as (keyof Backup)[];
  return fc
    .tuple(fc.constantFrom(...keys), fc.jsonValue())
    .map(([key, value]) => ({ ...backup, [key]: value }));
}

describe('parseBackup and a "__proto__" key', () => {
  it('refuses it, naming where it is, instead of dropping it', () => {
    const text = JSON.stringify({
      format: BACKUP_FORMAT,
      version: 1,
    }).replace('}', ',"users":[{"attributes":{"__proto__":"x"}}]}');
    expect(() => parseBackup(text, 'b.json')).toThrow(
      'b.json: users.0.attributes.__proto__: a key named __proto__ is not allowed',
    );
  });
});
