/**
 * A progress bar on stderr, drawn only when stderr is a terminal and the command is not in
 * --json mode; otherwise every call is a no-op.
 */
import cliProgress from "cli-progress";
import type { Io } from "./io.js";

export interface Progress {
  update(done: number): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

export function startProgress(io: Io, total: number, label: string, enabled: boolean): Progress {
  if (!enabled || !io.errIsTTY) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.errStream,
      format: `${label} [{bar}] {value}/{total} {percentage}% | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
