/**
 * CPU time of the calling thread (Linux: `/proc/thread-self/stat`, 10 ms ticks), so a
 * benchmark can say what each thread cost per event whatever else the machine runs.
 * Undefined where that file does not exist.
 */
import { readFileSync } from 'node:fs';

const TICK_MS = 10;

/** User + system CPU time of the calling thread in ms, or undefined off Linux. */
export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the command name (which may hold spaces), in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}
