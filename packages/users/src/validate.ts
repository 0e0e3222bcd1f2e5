/**
 * Checks a user import file against the pool before anything is uploaded: its header
 * against GetCSVHeader, each row against the rules of the Developer Guide ("Formatting
 * the .csv file") and the pool's attribute schema. Every problem names its line.
 */
import type { SchemaAttributeType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { MAX_ROW_CHARS, type ParsedCsv } from './import-csv.js';

export interface Problem {
  line: number;
  message: string;
}

export interface PoolRules {
  /** GetCSVHeader's answer: every column the file must have. */
  header: string[];
  autoVerified: string[];
  /** ON, OFF or OPTIONAL. */
  mfa: string;
  schema: SchemaAttributeType[];
  usernameAttributes: string[];
  aliasAttributes: string[];
  caseSensitive: boolean;
}

export function poolRules(header: string[], pool: UserPoolType | undefined): PoolRules {
  return {
    header,
    autoVerified: pool?.AutoVerifiedAttributes ?? [],
    mfa: pool?.MfaConfiguration ?? 'OFF',
    schema: pool?.SchemaAttributes ?? [],
    usernameAttributes: pool?.UsernameAttributes ?? [],
    aliasAttributes: pool?.AliasAttributes ?? [],
    caseSensitive: pool?.UsernameConfiguration?.CaseSensitive ?? true,
  };
}

const USERNAME = 'cognito:username';
const MFA = 'cognito:mfa_enabled';
// An address with one @, no spaces, and a dot in its domain (what Cognito accepts as an email).
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
// E.164 as Cognito requires it: a plus sign and up to 15 digits, no spaces or dashes.
const PHONE = /^\+[1-9]\d{1,14}$/;
const BIRTHDATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const BOOLEAN = /^(true|false)$/i;

function validDate(value: string): boolean {
  const match = BIRTHDATE.exec(value);
  if (!match) return false;
  const [month, day, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

export interface Validation {
  problems: Problem[];
  /** Rows without a problem. */
  valid: number;
  /** Line number → username, to name the job's failed rows. */
  usernames: Map<number, string>;
}

/** Validates every row; the problems are in line order. */
export function validateImport(csv: ParsedCsv, rules: PoolRules): Validation {
  const problems: Problem[] = [...csv.problems];
  const usernames = new Map<number, string>();
  const header = csv.header;
  const known = new Set(rules.header);
  const seenColumns = new Set<string>();
  for (const column of header) {
    if (seenColumns.has(column))
      problems.push({ line: 1, message: `column ${column} appears twice` });
    seenColumns.add(column);
    if (!known.has(column)) {
      problems.push({
        line: 1,
        message: `unknown attribute ${column}: the pool has no such column`,
      });
    }
  }
  for (const column of rules.header) {
    if (!seenColumns.has(column))
      problems.push({ line: 1, message: `missing required column ${column}` });
  }
  if (rules.autoVerified.length === 0) {
    problems.push({
      line: 1,
      message:
        'the pool has no auto-verified attribute (email or phone_number): Cognito will not start the job',
    });
  }
  const headerBroken = problems.some((problem) => problem.line === 1);
  if (headerBroken) return { problems, valid: 0, usernames };

  const index = new Map(header.map((name, i) => [name, i]));
  const schema = new Map(rules.schema.map((attribute) => [attribute.Name ?? '', attribute]));
  const required = rules.schema.filter((a) => a.Required && a.Name && known.has(a.Name));
  const uniqueAttributes = [
    ...new Set([...rules.usernameAttributes, ...rules.aliasAttributes]),
  ].filter((name) => name === 'email' || name === 'phone_number' || name === 'preferred_username');
  // The columns with schema constraints (the verified flags are checked on their own).
  const constrained = header.flatMap((name, i): [number, string, SchemaAttributeType][] => {
    const attribute = schema.get(name);
    return attribute && !name.endsWith('_verified') ? [[i, name, attribute]] : [];
  });
  const seenUsers = new Map<string, number>();
  const seenUnique = new Map<string, number>();
  const key = (value: string) => (rules.caseSensitive ? value : value.toLowerCase());
  let valid = 0;

  // One reporter and one reader for every row (no closures made per row: 500,000 rows).
  let line = 0;
  let values: string[] = [];
  const report = (message: string) => problems.push({ line, message });
  const get = (name: string) => {
    const i = index.get(name);
    return i === undefined ? '' : (values[i] ?? '');
  };
  for (const row of csv.rows) {
    const before = problems.length;
    line = row.line;
    if (row.chars > MAX_ROW_CHARS)
      report(`the row has ${row.chars} characters; Cognito takes at most ${MAX_ROW_CHARS}`);
    if (row.fields.length !== header.length) {
      report(`the row has ${row.fields.length} values but the header has ${header.length} columns`);
      continue;
    }
    // Cognito trims every value; each is trimmed once here.
    // Cognito trims every value; each is trimmed once here.
    values = row.fields.map(trimmed);
    const username = get(USERNAME);
    if (username === '') report(`missing value in required column ${USERNAME}`);
    else {
      usernames.set(row.line, username);
      if (/[ \t]/.test(username)) report(`${USERNAME} "${username}" contains a space or a tab`);
      const earlier = seenUsers.get(key(username));
      if (earlier !== undefined) report(`duplicate user ${username} (also on line ${earlier})`);
      else seenUsers.set(key(username), row.line);
    }
    const mfa = get(MFA);
    if (mfa === '') report(`missing value in required column ${MFA}`);
    else if (!BOOLEAN.test(mfa)) report(`${MFA} must be true or false, got "${mfa}"`);
    else if (rules.mfa === 'ON' && mfa.toLowerCase() !== 'true')
      report(`${MFA} must be true: the pool requires MFA`);
    else if (rules.mfa === 'OFF' && mfa.toLowerCase() !== 'false')
      report(`${MFA} must be false: the pool has MFA off`);

    let anyVerified = false;
    for (const attribute of ['email', 'phone_number']) {
      const flag = get(`${attribute}_verified`);
      if (flag !== '' && !BOOLEAN.test(flag)) {
        report(`${attribute}_verified must be true or false, got "${flag}"`);
        continue;
      }
      const verified = flag.toLowerCase() === 'true';
      if (verified && get(attribute) === '')
        report(`${attribute}_verified is true but ${attribute} is empty`);
      if (verified && rules.autoVerified.includes(attribute)) anyVerified = true;
    }
    if (rules.autoVerified.length > 0 && !anyVerified) {
      report(
        rules.autoVerified.length === 1
          ? `${rules.autoVerified[0]}_verified must be true (the pool's only auto-verified attribute)`
          : 'none of the auto-verified attributes is true (email_verified or phone_number_verified)',
      );
    }
    const email = get('email');
    if (email !== '' && !EMAIL.test(email)) report(`bad email format "${email}"`);
    const phone = get('phone_number');
    if (phone !== '' && !PHONE.test(phone)) {
      report(`bad phone format "${phone}": use E.164, a plus sign and digits (+12065551212)`);
    }
    const birthdate = get('birthdate');
    if (birthdate !== '' && !validDate(birthdate))
      report(`bad birthdate "${birthdate}": use mm/dd/yyyy`);
    const updated = get('updated_at');
    if (updated !== '' && !/^\d+$/.test(updated))
      report(`bad updated_at "${updated}": use epoch seconds`);
    for (const attribute of required) {
      if (get(attribute.Name as string) === '')
        report(`missing value in required attribute ${attribute.Name}`);
    }
    for (const [i, name, attribute] of constrained) {
      const value = values[i] ?? '';
      if (value !== '') checkConstraints(name, value, attribute, report);
    }
    for (const name of uniqueAttributes) {
      const value = get(name);
      if (value === '') continue;
      const k = `${name}\u0000${value.toLowerCase()}`;
      const earlier = seenUnique.get(k);
      if (earlier !== undefined)
        report(`duplicate user: ${name} ${value} is also on line ${earlier}`);
      else seenUnique.set(k, row.line);
    }
    if (problems.length === before) valid += 1;
  }
  return { problems, valid, usernames };
}

const trimmed = (value: string) => value.trim();

function checkConstraints(
  name: string,
  value: string,
  attribute: SchemaAttributeType,
  report: (message: string) => void,
): void {
  if (attribute.AttributeDataType === 'Number') {
    if (!/^-?\d+(\.\d+)?$/.test(value)) {
      report(`${name} must be a number, got "${value}"`);
      return;
    }
    const { MinValue, MaxValue } = attribute.NumberAttributeConstraints ?? {};
    if (MinValue !== undefined && MinValue !== '' && Number(value) < Number(MinValue))
      report(`${name} is below its minimum ${MinValue}`);
    if (MaxValue !== undefined && MaxValue !== '' && Number(value) > Number(MaxValue))
      report(`${name} is above its maximum ${MaxValue}`);
    return;
  }
  if (attribute.AttributeDataType === 'Boolean' && !BOOLEAN.test(value)) {
    report(`${name} must be true or false, got "${value}"`);
    return;
  }
  const { MinLength, MaxLength } = attribute.StringAttributeConstraints ?? {};
  const length = [...value].length;
  if (MinLength !== undefined && MinLength !== '' && length < Number(MinLength))
    report(`${name} is shorter than ${MinLength} characters`);
  if (MaxLength !== undefined && MaxLength !== '' && length > Number(MaxLength))
    report(`${name} is longer than ${MaxLength} characters`);
}
