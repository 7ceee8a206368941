/** The commander program: global settings, then one command per file under commands/. */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerConvert } from "./commands/convert.js";
import { registerEval } from "./commands/eval.js";
import { registerInspect } from "./commands/inspect.js";
import { registerQuantize } from "./commands/quantize.js";
import { registerRun } from "./commands/run.js";
import type { Io } from "./io.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export function createProgram(io: Io): Command {
  const program = new Command("quantpass");
  // Settings first: `program.command()` copies them into every subcommand.
  program
    .description("quantpass: a model-compression compiler (quantization and pruning as IR passes)")
    .version(version(), "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      // Usage errors surface as CommanderError; cli.ts prints them as one line.
      outputError: () => undefined,
    })
    .showSuggestionAfterError(true)
    .addHelpText("after", `
Exit status: 0 success, 2 bad input (files, flags, models; one line on stderr), 1 a bug.

Examples:
  $ quantpass inspect testdata/models/fmnist-cnn/model.onnx
  $ quantpass convert testdata/models/fmnist-cnn/model.onnx fmnist.qir
  $ quantpass run fmnist.qir --input x=images.npy --out out/
  $ quantpass eval fmnist.qir --data fashion-mnist:1000
  $ quantpass quantize testdata/models/fmnist-cnn/model.onnx --preset a8w8 --calib fashion-mnist:512 --out fmnist-a8w8.onnx`);
  registerInspect(program, io);
  registerRun(program, io);
  registerConvert(program, io);
  registerEval(program, io);
  registerQuantize(program, io);
  return program;
}
