/**
 * SQL literals. Rule values come from the rules file (checked at load: no control
 * characters, at most 512 characters); they are still quoted here, never pasted, so no
 * value can end a string literal. Time bounds are bound parameters, not text.
 */

/** A string literal: single quotes doubled. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A numeric literal from a finite number (integers stay integers). */
export function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return Number.isInteger(value) ? String(value) : String(value);
}

/** A literal of any scalar a filter holds. */
export function sqlScalar(value: string | number | boolean): string {
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return sqlNumber(value);
}

/** The escape character of every LIKE pattern the compiler writes. */
export const LIKE_ESCAPE = '\\';

/** A LIKE pattern literal matching `text` literally, with `%` added where asked. */
export function sqlLikePattern(
  text: string,
  where: 'contains' | 'startswith' | 'endswith',
): string {
  const escaped = text
    .replaceAll(LIKE_ESCAPE, `${LIKE_ESCAPE}${LIKE_ESCAPE}`)
    .replaceAll('%', `${LIKE_ESCAPE}%`)
    .replaceAll('_', `${LIKE_ESCAPE}_`);
  const pattern =
    where === 'contains' ? `%${escaped}%` : where === 'startswith' ? `${escaped}%` : `%${escaped}`;
  return `${sqlString(pattern)} ESCAPE ${sqlString(LIKE_ESCAPE)}`;
}
