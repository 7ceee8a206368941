/** Process entry (bin/quantpass.js imports this after registering tsx). */
import { runCli } from "./cli.js";

// `quantpass inspect m.onnx --json | head -1`: a closed stdout is not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

// exitCode, not process.exit(): piped stdout is flushed before the process ends.
process.exitCode = await runCli(process.argv.slice(2));
