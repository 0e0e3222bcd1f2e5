import { describe, expect, it } from 'vitest';
import { parseImportCsv } from '../../src/import-csv.js';
import { validateImport } from '../../src/validate.js';
import { CSV_HEADER, GOOD, importFile, RULES } from './helpers.js';

const validate = (text: string) => validateImport(parseImportCsv(text), RULES);

describe('validateImport', () => {
  it('accepts the rows Cognito accepts, upper-case TRUE/FALSE and \\, inside a value included', () => {
    const text = importFile([
      GOOD,
      {
        'cognito:username': 'john',
        email: 'john@example.com',
        email_verified: 'TRUE',
        'cognito:mfa_enabled': 'FALSE',
        address: '123 Any Street, Anytown',
        birthdate: '02/01/1985',
        phone_number: '+12345550100',
        updated_at: '1471453471',
        'custom:tenant': 'acme',
      },
    ]);
    const result = validate(text);
    expect(result.problems).toEqual([]);
    expect(result.valid).toBe(2);
  });

  it('names the line and the problem of every bad row, and counts only the good ones', () => {
    const text = importFile([
      GOOD,
      { ...GOOD, 'cognito:username': 'bob', email: 'not-an-email' },
      {
        ...GOOD,
        'cognito:username': 'carol',
        email: 'carol@example.com',
        phone_number: '0612345678',
      },
      { ...GOOD, 'cognito:username': 'JANE', email: 'other@example.com' },
      { ...GOOD, 'cognito:username': 'dave', email: 'dave@example.com', email_verified: 'false' },
      { ...GOOD, 'cognito:username': 'erin', email: 'erin@example.com', 'cognito:mfa_enabled': '' },
      {
        ...GOOD,
        'cognito:username': 'frank x',
        email: 'frank@example.com',
        birthdate: '1985-02-01',
      },
      {
        ...GOOD,
        'cognito:username': 'gina',
        email: 'gina@example.com',
        'custom:tenant': 'a-very-long-tenant',
      },
    ]);
    const { problems, valid } = validate(text);
    expect(problems).toEqual([
      { line: 3, message: 'bad email format "not-an-email"' },
      {
        line: 4,
        message: 'bad phone format "0612345678": use E.164, a plus sign and digits (+12065551212)',
      },
      { line: 5, message: 'duplicate user JANE (also on line 2)' },
      { line: 6, message: "email_verified must be true (the pool's only auto-verified attribute)" },
      { line: 7, message: 'missing value in required column cognito:mfa_enabled' },
      { line: 8, message: 'cognito:username "frank x" contains a space or a tab' },
      { line: 8, message: 'bad birthdate "1985-02-01": use mm/dd/yyyy' },
      { line: 9, message: 'custom:tenant is longer than 12 characters' },
    ]);
    expect(valid).toBe(1);
  });

  it('reports a missing required column and an unknown attribute on the header line, and checks no row', () => {
    const header = CSV_HEADER.filter((column) => column !== 'cognito:mfa_enabled');
    const text = `${[...header, 'custom:unknown'].join(',')}\njane${','.repeat(header.length)}\n`;
    const { problems, valid } = validate(text);
    expect(problems).toEqual([
      { line: 1, message: 'unknown attribute custom:unknown: the pool has no such column' },
      { line: 1, message: 'missing required column cognito:mfa_enabled' },
    ]);
    expect(valid).toBe(0);
  });

  it('reports a row whose number of values differs from the header, and a missing required attribute', () => {
    const text = `${importFile([{ ...GOOD, email: '', email_verified: '' }])}a,b\n`;
    const { problems } = validate(text);
    expect(problems).toEqual([
      { line: 2, message: "email_verified must be true (the pool's only auto-verified attribute)" },
      { line: 2, message: 'missing value in required attribute email' },
      { line: 3, message: `the row has 2 values but the header has ${CSV_HEADER.length} columns` },
    ]);
  });

  it('refuses a file with a byte order mark, and mfa_enabled values the pool MFA setting forbids', () => {
    const text = `\uFEFF${importFile([{ ...GOOD, 'cognito:mfa_enabled': 'true' }])}`;
    const off = validateImport(parseImportCsv(text), { ...RULES, mfa: 'OFF' });
    expect(off.problems).toEqual([
      {
        line: 1,
        message: 'the file starts with a byte order mark; Cognito wants UTF-8 without one',
      },
    ]);
    const noBom = validateImport(parseImportCsv(text.slice(1)), { ...RULES, mfa: 'OFF' });
    expect(noBom.problems).toEqual([
      { line: 2, message: 'cognito:mfa_enabled must be false: the pool has MFA off' },
    ]);
  });

  it('keeps line numbers across blank lines, as the import job log counts them', () => {
    const text = `${CSV_HEADER.join(',')}\n\n${importFile([{ ...GOOD, email: 'x' }]).split('\n')[1]}\n`;
    expect(validate(text).problems).toEqual([{ line: 3, message: 'bad email format "x"' }]);
  });
});
