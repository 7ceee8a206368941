/**
 * Image-classifier accuracy: feeds [b,1,28,28] f32 batches (pixels / 255) to an Executor
 * and counts argmax(logits) == label. The model's one input must accept that shape; a
 * fixed batch dim forces the batch size (the last batch is zero-padded, padding ignored).
 */
import { dimsCompatible, formatShape, Tensor, UserError, type Executor, type Graph } from "@quantpass/ir";
import { CLASSES, COLS, ROWS, type LabeledImages } from "../data/fashion-mnist.js";

export interface EvalPlan {
  readonly input: string;
  readonly output: string;
  readonly batch: number;
  /** The input's batch dim is a fixed number: every batch has exactly `batch` rows. */
  readonly fixedBatch: boolean;
}

export const DEFAULT_BATCH = 1000;

/** Checks the graph can classify [b,1,28,28] f32 images and picks the batch size. */
export function planImageEval(graph: Graph, requested?: number): EvalPlan {
  if (graph.inputs.length !== 1)
    throw new UserError(`eval needs a model with one image input, this one has ${graph.inputs.length} (${graph.inputs.join(", ")})`, "--data");
  const input = graph.inputs[0]!;
  const t = graph.values[input]!;
  const want = `f32 [batch,1,${ROWS},${COLS}]`;
  if (t.dtype !== "f32" || t.shape.length !== 4 || !dimsCompatible(t.shape[1]!, 1) || !dimsCompatible(t.shape[2]!, ROWS) || !dimsCompatible(t.shape[3]!, COLS))
    throw new UserError(`input '${input}' is ${t.dtype} ${formatShape(t.shape)}; fashion-mnist images are ${want}`, input);
  const b = t.shape[0]!;
  let batch = requested ?? DEFAULT_BATCH;
  if (typeof b === "number") {
    if (requested !== undefined && requested !== b)
      throw new UserError(`--batch ${requested}: input '${input}' has a fixed batch dim of ${b}`, "--batch");
    batch = b;
  }
  const output = graph.outputs[0];
  if (output === undefined) throw new UserError("the model has no outputs", "--data");
  const o = graph.values[output];
  if (o && (o.shape.length !== 2 || !dimsCompatible(o.shape[1]!, CLASSES)))
    throw new UserError(`output '${output}' is ${o.dtype} ${formatShape(o.shape)}; expected logits [batch,${CLASSES}]`, output);
  return { input, output, batch, fixedBatch: typeof b === "number" };
}

/** Index of the largest value in row r of a [rows, n] matrix (first one on ties). */
export function argmaxRow(t: Tensor, r: number, n: number): number {
  let best = 0;
  let bestV = -Infinity;
  for (let c = 0; c < n; c++) {
    const v = t.get(r * n + c);
    if (v > bestV) { bestV = v; best = c; }
  }
  return best;
}

/** The [b,1,28,28] f32 batch for images [start, start + b) (zeros past the end). */
export function imageBatch(data: LabeledImages, start: number, b: number): Tensor {
  const px = ROWS * COLS;
  const out = new Float32Array(b * px);
  const end = Math.min(data.count, start + b);
  for (let i = start * px, j = 0; i < end * px; i++, j++) out[j] = data.pixels[i]! / 255;
  return new Tensor("f32", [b, 1, ROWS, COLS], out);
}

export interface EvalResult {
  readonly correct: number;
  readonly samples: number;
  readonly accuracy: number;
}

export async function evaluateImages(
  executor: Executor,
  graph: Graph,
  data: LabeledImages,
  plan: EvalPlan,
  onProgress?: (done: number) => void,
): Promise<EvalResult> {
  let correct = 0;
  for (let start = 0; start < data.count; start += plan.batch) {
    const n = Math.min(plan.batch, data.count - start);
    const rows = plan.fixedBatch ? plan.batch : n;
    const outs = await executor.run(graph, { [plan.input]: imageBatch(data, start, rows) });
    const logits = outs[plan.output]!;
    if (logits.shape.length !== 2 || logits.shape[0] !== rows || logits.shape[1] !== CLASSES)
      throw new UserError(`output '${plan.output}' came out ${formatShape(logits.shape)} for a batch of ${rows}; expected [${rows},${CLASSES}]`, plan.output);
    for (let r = 0; r < n; r++) if (argmaxRow(logits, r, CLASSES) === data.labels[start + r]) correct++;
    if (onProgress) {
      onProgress(start + n);
      // Let timers run (the progress bar redraws) between synchronous batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return { correct, samples: data.count, accuracy: data.count === 0 ? 0 : correct / data.count };
}
