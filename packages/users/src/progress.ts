/**
 * A progress bar on standard error (cli-progress), drawn only on a terminal: in a pipe
 * or a test the bar stays silent and only the final count is printed.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number): void;
  update(done: number, total?: number): void;
  stop(): void;
}

export const silentProgress: Progress = {
  start: () => undefined,
  update: () => undefined,
  stop: () => undefined,
};

/** A bar labelled `label` when `stream` is a terminal, else a silent one. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silentProgress;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | {eta_formatted} left`,
      stream,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(Math.max(total, 0), 0),
    update: (done, total) => {
      if (total !== undefined) bar.setTotal(Math.max(total, done));
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}
