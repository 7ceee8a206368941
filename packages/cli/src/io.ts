/** Where commands write: stdout for results (one JSON object in --json mode), stderr for the rest. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  readonly errIsTTY: boolean;
  readonly errStream: NodeJS.WriteStream;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  get errIsTTY() { return process.stderr.isTTY === true; },
  errStream: process.stderr,
};

/** The whole stdout of a --json run: one object, pretty-printed, newline-terminated. */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + "\n");
}
