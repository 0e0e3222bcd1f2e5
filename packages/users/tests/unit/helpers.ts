/** Shared fixtures of the unit tests: a pool as DescribeUserPool and GetCSVHeader answer it. */
import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { type PoolRules, poolRules } from '../../src/validate.js';

/** GetCSVHeader's answer for a pool with one custom attribute (Developer Guide sample order). */
export const CSV_HEADER = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
  'custom:tenant',
  'cognito:mfa_enabled',
  'cognito:username',
];

export const POOL: UserPoolType = {
  Id: 'eu-west-1_Test1234',
  Name: 'authwatch-test',
  AutoVerifiedAttributes: ['email'],
  MfaConfiguration: 'OPTIONAL',
  UsernameConfiguration: { CaseSensitive: false },
  SchemaAttributes: [
    { Name: 'sub', AttributeDataType: 'String', Required: true, Mutable: false },
    { Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true },
    { Name: 'email_verified', AttributeDataType: 'Boolean', Mutable: true },
    { Name: 'phone_number', AttributeDataType: 'String', Mutable: true },
    {
      Name: 'custom:tenant',
      AttributeDataType: 'String',
      Mutable: true,
      StringAttributeConstraints: { MinLength: '1', MaxLength: '12' },
    },
  ],
};

export const RULES: PoolRules = poolRules(CSV_HEADER, POOL);

/** One import row with the values given, every other column empty. */
export function row(values: Record<string, string>): string {
  return CSV_HEADER.map((column) => (values[column] ?? '').replaceAll(',', '\\,')).join(',');
}

export function importFile(rows: Record<string, string>[]): string {
  return `${CSV_HEADER.join(',')}\n${rows.map(row).join('\n')}\n`;
}

export const GOOD = {
  'cognito:username': 'jane',
  email: 'jane@example.com',
  email_verified: 'true',
  'cognito:mfa_enabled': 'false',
};
