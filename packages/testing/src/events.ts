/**
 * Loads the JSON trigger events under `events/`, built from the shapes the Amazon
 * Cognito developer guide documents for each trigger source. Every call returns a
 * fresh deep copy, so a test can change its event without touching another test's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder that holds the fixtures. */
export const EVENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'events');

const cache = new Map<string, unknown>();

/**
 * Returns a deep copy of the fixture `name` (its path under `events/` without `.json`).
 *
 * @example
 * ```ts
 * const event = getTestEvent<PreSignUpTriggerEvent>('pre-signup/admin-create-user');
 * ```
 */
export function getTestEvent<T = Record<string, unknown>>(name: string): T {
  if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(name)) {
    throw new Error(`Test event name "${name}" must be a path like "pre-signup/sign-up"`);
  }
  let event = cache.get(name);
  if (event === undefined) {
    const file = join(EVENTS_DIR, `${name}.json`);
    try {
      event = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`Test event "${name}" not found or not JSON (${file})`, { cause: error });
    }
    cache.set(name, event);
  }
  return structuredClone(event) as T;
}

/** Every fixture's name, e.g. `['custom-challenge/create', ...]`, sorted. */
export function listTestEvents(prefix = ''): string[] {
  const names: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json'))
        names.push(relative(EVENTS_DIR, path).slice(0, -'.json'.length));
    }
  };
  walk(EVENTS_DIR);
  return names.filter((name) => name.startsWith(prefix)).sort();
}
