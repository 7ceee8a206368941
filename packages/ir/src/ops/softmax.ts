/** Softmax, LogSoftmax and Hardmax in their opset-13 form: along one `axis` (default -1). */
import { defineOp } from "../op-registry.js";
import { FLOAT_TYPES, normAxis, requireDType } from "./shape-util.js";

for (const [name, doc] of [
  ["Softmax", "e^x / sum(e^x) along axis, computed as e^(x - max)"],
  ["LogSoftmax", "x - max - log(sum(e^(x - max))) along axis"],
  ["Hardmax", "1 at the first maximum along axis, 0 elsewhere"],
] as const)
  defineOp({
    name,
    doc,
    inputs: ["input"],
    outputs: ["output"],
    attrs: { axis: { kind: "int", default: -1 } },
    infer(ctx) {
      const x = requireDType(ctx, 0, FLOAT_TYPES, "a float type");
      if (x.shape.length === 0) ctx.fail("input must have rank >= 1");
      normAxis(ctx, ctx.attr<number>("axis"), x.shape.length);
      return [{ dtype: x.dtype, shape: x.shape }];
    },
  });
