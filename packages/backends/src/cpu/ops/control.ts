/** Control flow and inference no-ops: If (runs one branch with the outer scope visible), Dropout. */
import { isFloat, Tensor, type Graph } from "@quantpass/ir";
import { defineKernel } from "../kernel-registry.js";
import { NumpyRandom } from "./numpy-random.js";

defineKernel("If", ([cond], ctx) => {
  if (cond!.size !== 1) ctx.fail(`cond must hold one element, got ${cond!.size}`);
  const branch = ctx.attr<Graph>(cond!.get(0) !== 0 ? "then_branch" : "else_branch");
  return ctx.runSubgraph(branch);
});

/**
 * Dropout: identity unless training_mode is true and ratio > 0. Training mode draws
 * numpy's stream (np.random.seed(seed); uniform(0, 1, shape) >= ratio keeps an element,
 * kept values are scaled by 1 / (1 - ratio)) so it matches the ONNX reference; the seed
 * attribute defaults to 0, which keeps the interpreter deterministic.
 */
defineKernel("Dropout", ([x, ratio, training], ctx) => {
  const train = training ? training.get(0) !== 0 : false;
  const r = ratio ? ratio.get(0) : 0.5;
  const n = x!.size;
  const mask = new Uint8Array(n).fill(1);
  let y = x!;
  if (train && r !== 0) {
    if (!(r > 0 && r < 1)) ctx.fail(`ratio must be in [0, 1), got ${r}`);
    if (!isFloat(x!.dtype)) ctx.fail(`training-mode Dropout needs a float input, got ${x!.dtype}`);
    const u = new NumpyRandom(ctx.has("seed") ? ctx.attr<number>("seed") : 0).uniform(n);
    const scale = Math.fround(1 / (1 - r));
    y = Tensor.zeros(x!.dtype, x!.shape);
    for (let i = 0; i < n; i++) {
      mask[i] = u[i]! >= r ? 1 : 0;
      y.set(i, Math.fround(Math.fround(mask[i]! * x!.get(i)) * scale));
    }
  }
  const outs = [y];
  if (ctx.node.outputs.length > 1) outs.push(new Tensor("bool", x!.shape, mask));
  return outs;
});
