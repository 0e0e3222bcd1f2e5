/**
 * Stopping with the process that started the stack. `pnpm start` runs the stack as a
 * grandchild (pnpm → sh → node); a SIGTERM to pnpm ends pnpm and the shell but is not
 * passed on, so the stack would go on serving, reparented to init. Polling the parent
 * pid notices that within a moment and stops the stack as a SIGTERM would.
 */

/** Calls `onGone` once when this process's parent changes (it ended); returns a cancel. */
export function watchParent(
  onGone: () => void,
  options: { intervalMs?: number; parentPid?: () => number } = {},
): () => void {
  const parentPid = options.parentPid ?? (() => process.ppid);
  const initial = parentPid();
  const timer = setInterval(() => {
    if (parentPid() === initial) return;
    clearInterval(timer);
    onGone();
  }, options.intervalMs ?? 250);
  // Never the reason the process stays up.
  timer.unref();
  return () => clearInterval(timer);
}
