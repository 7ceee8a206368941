/** `quantpass inspect <model>`: op histogram, parameters, inputs and outputs of a model. */
import type { Command } from "commander";
import type { Io } from "../io.js";
import { printJson } from "../io.js";
import { loadModel, modelFormatOf } from "../model-io.js";
import { formatInspect, inspectGraph } from "../report/inspect-report.js";

export function registerInspect(program: Command, io: Io): void {
  program
    .command("inspect")
    .description("summarize a model: ops, parameters by dtype, inputs and outputs, opsets")
    .argument("<model>", "model file (.onnx or .qir)")
    .option("--json", "print one JSON object on stdout instead of text")
    .addHelpText("after", `
The op histogram is sorted by count (descending), then by op name. Parameters are the
graph's constant tensors (initializers), counted and sized per dtype. Shapes show symbolic
dims by name ([batch,1,28,28]) and unknown dims as '?'. Subgraphs (If branches) are included.

Examples:
  $ quantpass inspect testdata/models/fmnist-cnn/model.onnx
  $ quantpass inspect model.qir --json | jq '.parameters.params'`)
    .action(async (model: string, opts: { json?: boolean }) => {
      const format = modelFormatOf(model);
      const graph = await loadModel(model);
      const report = inspectGraph(graph, model, format);
      if (opts.json) printJson(io, report);
      else io.out(formatInspect(report));
    });
}
