/** Taking over what a thread writes to stdout and stderr, for handler logs. */
import { writeSync } from 'node:fs';

/**
 * Replaces `stream.write`: `take(chunk)` returns true when it dealt with the chunk
 * (wrote it synchronously, or dropped it), false to let the stream write it as before.
 * A taken chunk's callback runs at once, as a completed write's would.
 */
export function interceptWrites(
  stream: NodeJS.WriteStream,
  take: (chunk: string | Uint8Array) => boolean,
): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (!take(chunk)) return write(chunk, ...rest);
    const callback = rest.find((item) => typeof item === 'function') as
      | ((error?: Error | null) => void)
      | undefined;
    callback?.();
    return true;
  }) as typeof stream.write;
}

/** Appends a chunk to an open file, synchronously (nothing is lost if the thread dies next). */
export function writeChunk(fd: number, chunk: string | Uint8Array): void {
  if (typeof chunk === 'string') writeSync(fd, chunk);
  else writeSync(fd, chunk);
}
