/**
 * ListUsers' `Filter`: `AttributeName Filter-Type "AttributeValue"` with `=` (exact)
 * or `^=` (starts with), on the attributes Cognito documents as searchable. Anything
 * else is an InvalidParameterException, as Cognito answers it.
 */
import { invalidParameter } from './errors.js';

export const FILTERABLE_ATTRIBUTES = [
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
] as const;

export type FilterAttribute = (typeof FILTERABLE_ATTRIBUTES)[number];

export interface UserFilter {
  attribute: FilterAttribute;
  operator: '=' | '^=';
  value: string;
}

const SYNTAX = /^\s*([A-Za-z_:]+)\s*(\^=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/s;

/** Parses a filter; undefined for an empty one (list everyone). */
export function parseUserFilter(text: string | undefined): UserFilter | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const match = SYNTAX.exec(text);
  if (!match) throw invalidParameter('Error while parsing filter.');
  const attribute = match[1] as string;
  if (!(FILTERABLE_ATTRIBUTES as readonly string[]).includes(attribute)) {
    throw invalidParameter(`Invalid search attribute: ${attribute}`);
  }
  const value = (match[3] as string).replace(/\\(.)/gs, '$1');
  return { attribute: attribute as FilterAttribute, operator: match[2] as '=' | '^=', value };
}

export interface FilterableUser {
  username: string;
  attributes: Record<string, string>;
  status: string;
  enabled: boolean;
}

/** True when the user matches; `cognito:user_status` compares case-insensitively. */
export function matchesFilter(user: FilterableUser, filter: UserFilter | undefined): boolean {
  if (!filter) return true;
  let actual: string | undefined;
  let { value } = filter;
  switch (filter.attribute) {
    case 'username':
      actual = user.username;
      break;
    case 'cognito:user_status':
      actual = user.status.toLowerCase();
      value = value.toLowerCase();
      break;
    case 'status':
      actual = user.enabled ? 'Enabled' : 'Disabled';
      break;
    default:
      actual = user.attributes[filter.attribute];
  }
  if (actual === undefined) return false;
  return filter.operator === '=' ? actual === value : actual.startsWith(value);
}
