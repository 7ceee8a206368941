/** Runs the CLI on an argument list and returns the exit code (never calls process.exit). */
import { describeFailure, EXIT_OK } from "./errors.js";
import { processIo, type Io } from "./io.js";
import { createProgram } from "./program.js";

export async function runCli(argv: readonly string[], io: Io = processIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: "user" });
    return EXIT_OK;
  } catch (e) {
    const { text, code } = describeFailure(e);
    if (text) io.err(text);
    return code;
  }
}
