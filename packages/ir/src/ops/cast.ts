/**
 * Cast and CastLike (opset 21). `to` is the ONNX TensorProto.DataType code (1 = FLOAT,
 * 7 = INT64, 10 = FLOAT16, 16 = BFLOAT16, ...; see ONNX_DTYPE_CODES). Conversions: float to
 * float rounds to nearest even; float to integer truncates toward zero as a C cast on x86-64
 * (NaN and out-of-range give the integer-indefinite value, then narrower types wrap); to
 * int4/uint4 rounds half to even and saturates; to bool is x != 0; numbers to strings use
 * the shortest round-trip form (numpy's str); strings parse "INF", "-INF", "NaN".
 */
import { defineOp } from "../op-registry.js";
import { dtypeFromOnnxCode, input } from "./shape-util.js";

defineOp({
  name: "Cast",
  doc: "converts elements to the dtype given by the ONNX data type code `to`",
  inputs: ["input"],
  outputs: ["output"],
  attrs: {
    to: { kind: "int", required: true, doc: "ONNX TensorProto.DataType code of the output" },
    saturate: { kind: "int", default: 1, doc: "float8 only (no IR dtype uses it)" },
  },
  infer(ctx) {
    const t = input(ctx, 0);
    const to = ctx.attr<number>("to");
    const dtype = dtypeFromOnnxCode(to) ?? ctx.fail(`unsupported target data type code ${to}`);
    return [{ dtype, shape: t.shape }];
  },
});

defineOp({
  name: "CastLike",
  doc: "converts elements of input to the dtype of target_type (its values are not read)",
  inputs: ["input", "target_type"],
  outputs: ["output"],
  attrs: { saturate: { kind: "int", default: 1, doc: "float8 only (no IR dtype uses it)" } },
  infer(ctx) {
    return [{ dtype: input(ctx, 1).dtype, shape: input(ctx, 0).shape }];
  },
});
