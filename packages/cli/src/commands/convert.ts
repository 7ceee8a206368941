/** `quantpass convert <in> <out>`: between ONNX and the text IR, in any direction. */
import type { Command } from "commander";
import { UserError } from "@quantpass/ir";
import type { Io } from "../io.js";
import { printJson } from "../io.js";
import { loadModel, modelFormatOf, saveModel } from "../model-io.js";
import { positiveInt } from "../options.js";

interface ConvertOpts {
  opset?: number;
  json?: boolean;
}

export function registerConvert(program: Command, io: Io): void {
  program
    .command("convert")
    .description("convert a model between ONNX (.onnx) and quantpass text IR (.qir), by file extension")
    .argument("<in>", "input model (.onnx or .qir)")
    .argument("<out>", "output model (.onnx or .qir); written atomically")
    .option("--opset <n>", "ONNX opset to write (.onnx output only; default: the model's own opset when it can be written, else the newest)", positiveInt)
    .option("--json", "print one JSON object on stdout: { input, output, format, nodes }")
    .addHelpText("after", `
All four directions work: onnx→qir, qir→onnx, onnx→onnx (re-export, e.g. to another
opset) and qir→qir (re-print). The output is written to a temp file and renamed, so a
failure leaves no partial file.

Examples:
  $ quantpass convert testdata/models/fmnist-cnn/model.onnx fmnist.qir
  $ quantpass convert fmnist.qir fmnist.onnx --opset 17`)
    .action(async (input: string, output: string, opts: ConvertOpts) => {
      const from = modelFormatOf(input);
      const to = modelFormatOf(output);
      if (opts.opset !== undefined && to !== "onnx")
        throw new UserError(`--opset applies to .onnx output only, not '${output}'`, "--opset");
      const graph = await loadModel(input);
      await saveModel(graph, output, opts.opset === undefined ? {} : { opset: opts.opset });
      if (opts.json) printJson(io, { input, output, from, to, nodes: graph.nodes.length });
      else io.out(`wrote ${output} (${from} → ${to}, ${graph.nodes.length} nodes)\n`);
    });
}
