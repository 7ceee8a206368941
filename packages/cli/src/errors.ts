/**
 * How the CLI reports failures. Bad input (the IR's UserError, formats' FormatError,
 * commander usage errors) prints one line `quantpass: error: <message>` and exits 2;
 * anything else is a bug in quantpass: the stack is printed and the exit code is 1.
 */
import { CommanderError } from "commander";
import { FormatError } from "@quantpass/formats";
import { UserError } from "@quantpass/ir";

export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_USAGE = 2;

/** True for errors caused by what the user gave us (files, flags, values). */
export function isUserFacing(e: unknown): boolean {
  return e instanceof UserError || e instanceof FormatError || e instanceof CommanderError;
}

/** One line: newlines folded, commander's own `error: ` prefix dropped. */
export function oneLine(message: string): string {
  return message
    .replace(/^error:\s*/i, "")
    .replace(/\s*[\r\n]+\s*/g, " ")
    .trim();
}

/** The text to print on stderr and the exit code for an error that escaped a command. */
export function describeFailure(e: unknown): { text: string; code: number } {
  if (e instanceof CommanderError) {
    // --help and --version end by "throwing" with exit code 0 (help already printed).
    if (e.exitCode === 0) return { text: "", code: EXIT_OK };
    // A bare `quantpass` prints the help on stderr; nothing more to say.
    if (e.code === "commander.help") return { text: "", code: EXIT_USAGE };
    return { text: `quantpass: error: ${oneLine(e.message)}\n`, code: EXIT_USAGE };
  }
  if (isUserFacing(e)) return { text: `quantpass: error: ${oneLine((e as Error).message)}\n`, code: EXIT_USAGE };
  const detail = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
  return {
    text: `quantpass: internal error (this is a bug in quantpass, please report it):\n${detail}\n`,
    code: EXIT_BUG,
  };
}
