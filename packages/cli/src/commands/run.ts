/** `quantpass run <model> --input name=x.npy ... --out <dir>`: runs the cpu interpreter. */
import { join } from "node:path";
import type { Command } from "commander";
import { writeNpy } from "@quantpass/formats";
import { formatShape } from "@quantpass/ir";
import type { Io } from "../io.js";
import { printJson } from "../io.js";
import { loadModel } from "../model-io.js";
import { collect } from "../options.js";
import { parseInputSpecs, readFeeds } from "../run/feeds.js";
import { outputFileNames } from "../run/output-names.js";
import { checkOutDir, writeAllOrNothing } from "../run/write-outputs.js";

interface RunOpts {
  input?: string[];
  out: string;
  json?: boolean;
}

export function registerRun(program: Command, io: Io): void {
  program
    .command("run")
    .description("run a model on .npy inputs with the cpu interpreter and write every output as .npy")
    .argument("<model>", "model file (.onnx or .qir)")
    .option("-i, --input <name=file.npy>", "value of a graph input (repeat for each input; a bare file is allowed when the model has one input)", collect)
    .requiredOption("-o, --out <dir>", "directory for the outputs (created if missing; its parent must exist)")
    .option("--json", "print one JSON object on stdout: { outputs: [{ name, file, dtype, shape }] }")
    .addHelpText("after", `
Each graph output is written to <dir>/<file>.npy. The file name is the output name with
every character other than A-Z a-z 0-9 . _ - replaced by '_', a leading '.' replaced by '_',
cut to 200 characters; when two outputs map to the same name (ignoring case), _2, _3, ...
is appended. Inputs are checked against the model (dtype, shape, symbolic dims) before
running. Outputs are written all-or-nothing: into a temp directory next to <dir>, then
moved in; a failure leaves <dir> as it was.

Examples:
  $ quantpass run testdata/models/fmnist-cnn/model.onnx --input x=images.npy --out out/
  $ quantpass run model.qir -i x=a.npy -o out --json`)
    .action(async (model: string, opts: RunOpts) => {
      checkOutDir(opts.out);
      const graph = await loadModel(model);
      const specs = parseInputSpecs(opts.input ?? [], graph);
      const feeds = await readFeeds(graph, specs);
      const results = new (await import("@quantpass/backends")).CpuInterpreter().runSync(graph, feeds);
      const files = outputFileNames(graph.outputs);
      const outputs = graph.outputs.map((name, k) => {
        const t = results[name]!;
        return { name, file: join(opts.out, files[k]!), dtype: t.dtype as string, shape: [...t.shape], tensor: t };
      });
      await writeAllOrNothing(opts.out, outputs.map((o, k) => ({
        name: files[k]!,
        write: (path: string) => writeNpy(path, { dtype: o.tensor.dtype, dims: [...o.tensor.shape], data: o.tensor.data }),
      })));
      if (opts.json) {
        printJson(io, { outputs: outputs.map(({ name, file, dtype, shape }) => ({ name, file, dtype, shape })) });
        return;
      }
      const w = Math.max(...outputs.map((o) => o.name.length));
      for (const o of outputs) io.out(`${o.name.padEnd(w)}  ${o.dtype} ${formatShape(o.shape)}  -> ${o.file}\n`);
    });
}
