/** Writing output files so that a reader never sees half of one. */

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';

export interface AtomicWriter {
  write(text: string): Promise<void>;
  /** Renames the finished file into place. */
  commit(): Promise<void>;
  /** Removes the unfinished file. */
  abort(): Promise<void>;
}

/** Streams to `<file>.<random>.tmp`, renamed to `file` on commit (owner-only: it holds PII). */
export function atomicWriter(file: string): AtomicWriter {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const stream = createWriteStream(temp, { mode: 0o600 });
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async commit() {
      stream.end();
      await once(stream, 'finish');
      await rename(temp, file);
    },
    async abort() {
      // The file is opened asynchronously: wait until the stream has closed (the open
      // included), or a late open would create the file after it was removed.
      if (!stream.closed) {
        const closed = once(stream, 'close');
        stream.destroy();
        await closed;
      }
      await rm(temp, { force: true });
    },
  };
}
