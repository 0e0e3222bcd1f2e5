/**
 * A quiet passing run: the handlers' structured logs and EMF metrics go to stdout, so
 * each test starts with stdout and stderr swallowed. A test about what the triggers
 * write (logs.test.ts, secret-reader.test.ts) spies on them itself and reads it all.
 */
import { afterEach, beforeEach, vi } from 'vitest';

beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockReturnValue(true);
  vi.spyOn(process.stderr, 'write').mockReturnValue(true);
});

afterEach(() => {
  vi.restoreAllMocks();
});
