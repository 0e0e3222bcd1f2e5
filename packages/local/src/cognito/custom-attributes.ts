/**
 * AddCustomAttributes: new `custom:` attributes in a pool's schema (API reference,
 * AddCustomAttributes and SchemaAttributeType; developer guide, "Custom attributes").
 *
 * As Cognito: a name is given without its prefix and stored as `custom:<name>` (a name
 * sent as `custom:x` becomes `custom:custom:x`, as in Cognito); 1 to 25 attributes a call,
 * names of 1 to 20 characters; a pool holds at most 50 custom attributes; a name already
 * in the schema, or twice in the call, is refused with Cognito's "Existing attribute
 * already has name" message; custom attributes cannot be required; nothing is added while
 * a user import job of the pool runs. There is no call to remove one: once added, an
 * attribute stays. A new attribute is at once writable through AdminUpdateUserAttributes
 * and listed by GetCSVHeader. A refused call adds nothing.
 */
import type { EmulatorContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import { importJobRunning } from './import-jobs.js';
import { type Json, shown } from './input.js';
import { requirePool } from './lookup.js';
import { STANDARD_ATTRIBUTES } from './model.js';
import { validation } from './pool-config.js';
import { isJsonObject, type PoolRecord, type SchemaAttribute } from './state.js';

/** Cognito's quota: custom attributes per user pool (not adjustable). */
export const MAX_CUSTOM_ATTRIBUTES = 50;
const MAX_PER_CALL = 25;
const NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,20}$/u;
const TYPES = new Set(['String', 'Number', 'DateTime', 'Boolean']);
const INTEGER = /^\d{1,10}$/;
const NUMBER = /^-?\d{1,15}$/;

/** The custom attributes of a pool's schema (a created pool's may be stored without prefix). */
export function customAttributeNames(pool: PoolRecord): string[] {
  return pool.schema
    .map((attr) => attr.Name)
    .filter((name) => name !== 'sub' && !STANDARD_ATTRIBUTES.has(name))
    .map((name) => (name.startsWith('custom:') ? name : `custom:${name}`));
}

function optionalBoolean(item: Json, name: string, at: string): boolean | undefined {
  const value = item[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw validation(
      value,
      `${at}.${name.charAt(0).toLowerCase()}${name.slice(1)}`,
      'Member must be a boolean',
    );
  }
  return value;
}

function constraints(
  item: Json,
  member: 'StringAttributeConstraints' | 'NumberAttributeConstraints',
  at: string,
): Record<string, string> | undefined {
  const value = item[member];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw invalidParameter(`${member} must be an object`);
  const [low, high, form] =
    member === 'StringAttributeConstraints'
      ? (['MinLength', 'MaxLength', INTEGER] as const)
      : (['MinValue', 'MaxValue', NUMBER] as const);
  const out: Record<string, string> = {};
  for (const name of [low, high]) {
    const bound = value[name];
    if (bound === undefined || bound === null) continue;
    if (typeof bound !== 'string' || !form.test(bound)) {
      throw invalidParameter(
        `${at}: ${member}.${name} must be a number as a string, got ${shown(bound)}`,
      );
    }
    out[name] = bound;
  }
  if (member === 'StringAttributeConstraints' && Number(out.MaxLength ?? 0) > 2048) {
    throw invalidParameter(`${at}: StringAttributeConstraints.MaxLength cannot be over 2048`);
  }
  if (out[low] !== undefined && out[high] !== undefined && Number(out[low]) > Number(out[high])) {
    throw invalidParameter(`${at}: ${member}.${low} is greater than ${member}.${high}`);
  }
  return out;
}

function readAttribute(item: unknown, index: number): SchemaAttribute {
  const at = `customAttributes.${index + 1}.member`;
  if (!isJsonObject(item)) throw invalidParameter(`CustomAttributes[${index}] must be an object`);
  const name = item.Name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw validation(
      name,
      `${at}.name`,
      'Member must have length less than or equal to 20, greater than or equal to 1 and satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+',
    );
  }
  const type = item.AttributeDataType ?? 'String';
  if (typeof type !== 'string' || !TYPES.has(type)) {
    throw validation(
      type,
      `${at}.attributeDataType`,
      'Member must satisfy enum value set: [String, Number, DateTime, Boolean]',
    );
  }
  if (optionalBoolean(item, 'Required', at) === true) {
    throw invalidParameter('Required custom attributes are not supported currently.');
  }
  const attribute: SchemaAttribute = {
    Name: `custom:${name}`,
    AttributeDataType: type,
    DeveloperOnlyAttribute: optionalBoolean(item, 'DeveloperOnlyAttribute', at) ?? false,
    Mutable: optionalBoolean(item, 'Mutable', at) ?? true,
    Required: false,
  };
  const text = constraints(item, 'StringAttributeConstraints', at);
  const number = constraints(item, 'NumberAttributeConstraints', at);
  if (type === 'String' && text !== undefined) attribute.StringAttributeConstraints = text;
  if (type === 'Number' && number !== undefined) attribute.NumberAttributeConstraints = number;
  return attribute;
}

export function addCustomAttributes(ctx: EmulatorContext, i: Json): Json {
  const pool = requirePool(ctx, i.UserPoolId);
  const list = i.CustomAttributes;
  if (!Array.isArray(list) || list.length < 1 || list.length > MAX_PER_CALL) {
    throw validation(
      Array.isArray(list) ? 'list' : list,
      'customAttributes',
      `Member must have length less than or equal to ${MAX_PER_CALL} and greater than or equal to 1`,
    );
  }
  // Everything is read and checked before anything changes: a refused call adds nothing.
  const added = list.map(readAttribute);
  const taken = new Set(customAttributeNames(pool));
  for (const attribute of added) {
    if (taken.has(attribute.Name)) {
      throw invalidParameter(
        `${attribute.Name}: Existing attribute already has name ${attribute.Name}.`,
      );
    }
    taken.add(attribute.Name);
  }
  if (taken.size > MAX_CUSTOM_ATTRIBUTES) {
    throw invalidParameter(
      `A user pool can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes (it has ${taken.size - added.length}).`,
    );
  }
  if (importJobRunning(ctx, pool.id)) {
    throw new CognitoError(
      'UserImportInProgressException',
      'A user import job is in progress for this user pool.',
    );
  }
  pool.schema.push(...added);
  pool.modified = ctx.now();
  ctx.changed();
  return {};
}
