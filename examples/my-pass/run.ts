/**
 * Running the example pass from TypeScript: import the pass file (its definePass call
 * registers `zero-small-weights`), then name it in a pipeline like any built-in pass.
 *
 *   pnpm exec tsx examples/my-pass/run.ts testdata/models/fmnist-cnn/model.onnx small.onnx
 */
import { saveQuantizedOnnx } from "@quantpass/backends";
import { loadOnnx } from "@quantpass/frontends";
import { formatPipeline, runPipeline, type PassRecord } from "@quantpass/passes";
import "./my-pass.js";

export async function pruneAndQuantize(model: string, out: string, threshold = 0.01): Promise<readonly PassRecord[]> {
  const float = await loadOnnx(model);
  const { graph, records } = await runPipeline(float, `zero-small-weights{threshold=${threshold}},rtn,fold-to-int`);
  await saveQuantizedOnnx(graph, out, { format: "qdq" });
  return records;
}

// Run as a script: print what each pass did.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [model, out] = process.argv.slice(2);
  if (!model || !out) throw new Error("usage: tsx examples/my-pass/run.ts <model.onnx> <out.onnx>");
  for (const r of await pruneAndQuantize(model, out))
    console.log(`${formatPipeline([{ pass: r.pass, options: {} }]).padEnd(20)} ${r.ms.toFixed(1).padStart(7)} ms  ${JSON.stringify(r.counts)}`);
}
