/**
 * Test support: runs the CLI in-process (no tsx start-up per call) with captured stdout and
 * stderr. Same code path as the binary from argument parsing on (runCli → commander →
 * command), so exit codes and messages are those of a real run.
 */
import { PassThrough } from "node:stream";
import { runCli } from "../cli.js";
import type { Io } from "../io.js";

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fake terminal stream for progress-bar tests (isTTY, columns, cursor methods). */
function fakeTty(onWrite: (s: string) => void): NodeJS.WriteStream {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  s.isTTY = true;
  s.columns = 100;
  s.on("data", (d: Buffer) => onWrite(d.toString()));
  (s as unknown as Record<string, unknown>).cursorTo = (_x: number, _y?: unknown, cb?: () => void) => { if (typeof cb === "function") cb(); return true; };
  (s as unknown as Record<string, unknown>).clearLine = (_d: number, cb?: () => void) => { if (typeof cb === "function") cb(); return true; };
  (s as unknown as Record<string, unknown>).moveCursor = (_x: number, _y: number, cb?: () => void) => { if (typeof cb === "function") cb(); return true; };
  (s as unknown as Record<string, unknown>).getWindowSize = () => [100, 40];
  return s;
}

export async function cli(args: readonly string[], opts: { tty?: boolean } = {}): Promise<InProcessResult> {
  let stdout = "";
  let stderr = "";
  const errStream = opts.tty ? fakeTty((s) => { stderr += s; }) : process.stderr;
  const io: Io = {
    out: (s) => { stdout += s; },
    err: (s) => { stderr += s; },
    errIsTTY: opts.tty === true,
    errStream,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

export function lines(s: string): string[] {
  return s.split("\n").filter((l) => l !== "");
}
