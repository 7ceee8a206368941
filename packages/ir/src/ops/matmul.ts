/** Matrix products (ONNX semantics, opset 21): MatMul, Gemm, MatMulInteger, QLinearMatMul. */
import { defineOp, type InferContext } from "../op-registry.js";
import type { DType } from "../dtype.js";
import type { Dim, TensorType } from "../types.js";
import { broadcastShapes, input } from "./shape-util.js";

const MATMUL_FLOAT: readonly DType[] = ["f32", "f16", "bf16", "f64", "i32", "i64", "u32", "u64"];
const Q8: readonly DType[] = ["u8", "i8"];

/** numpy.matmul shape: 1-D operands are promoted (and the added dim removed), batch dims broadcast. */
export function matmulShape(ctx: InferContext, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  if (a.length === 0 || b.length === 0) ctx.fail("MatMul operands must have rank >= 1");
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const ka = a2[a2.length - 1]!;
  const kb = b2[b2.length - 2]!;
  if (typeof ka === "number" && typeof kb === "number" && ka !== kb)
    ctx.fail(`inner dimensions differ: [${a.join(",")}] x [${b.join(",")}]`);
  const batch = broadcastShapes(ctx, [a2.slice(0, -2), b2.slice(0, -2)]);
  return [...batch, ...(a.length > 1 ? [a2[a2.length - 2]!] : []), ...(b.length > 1 ? [b2[b2.length - 1]!] : [])];
}

function checkDtype(ctx: InferContext, t: TensorType, allowed: readonly DType[], what: string): void {
  if (!allowed.includes(t.dtype)) ctx.fail(`${what} must be one of ${allowed.join("/")}, got ${t.dtype}`);
}

/** An optional zero point must have its data input's dtype. */
function checkZeroPoint(ctx: InferContext, i: number, data: TensorType, what: string): void {
  const zp = ctx.inputs[i];
  if (zp && zp.dtype !== data.dtype) ctx.fail(`${what} zero point is ${zp.dtype} but ${what} is ${data.dtype}`);
}

defineOp({
  name: "MatMul",
  doc: "numpy.matmul: batched matrix product with broadcast batch dims and 1-D promotion",
  inputs: ["A", "B"],
  outputs: ["Y"],
  attrs: {},
  infer(ctx) {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    checkDtype(ctx, a, MATMUL_FLOAT, "A");
    if (a.dtype !== b.dtype) ctx.fail(`input dtypes differ: ${a.dtype} and ${b.dtype}`);
    return [{ dtype: a.dtype, shape: matmulShape(ctx, a.shape, b.shape) }];
  },
});

defineOp({
  name: "Gemm",
  doc: "Y = alpha * op(A) * op(B) + beta * C for 2-D A, B (op = optional transpose), C broadcast to [M,N]",
  inputs: ["A", "B", "C"],
  minInputs: 2,
  outputs: ["Y"],
  attrs: {
    alpha: { kind: "float", default: 1, doc: "scale of A*B" },
    beta: { kind: "float", default: 1, doc: "scale of C" },
    transA: { kind: "int", default: 0, doc: "transpose A first" },
    transB: { kind: "int", default: 0, doc: "transpose B first" },
  },
  infer(ctx) {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    checkDtype(ctx, a, MATMUL_FLOAT, "A");
    if (a.dtype !== b.dtype) ctx.fail(`input dtypes differ: ${a.dtype} and ${b.dtype}`);
    if (a.shape.length !== 2 || b.shape.length !== 2) ctx.fail("Gemm A and B must be 2-D");
    const ta = ctx.attr<number>("transA") !== 0;
    const tb = ctx.attr<number>("transB") !== 0;
    const [m, ka] = ta ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [kb, n] = tb ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (typeof ka === "number" && typeof kb === "number" && ka !== kb) ctx.fail(`inner dimensions differ: ${ka} and ${kb}`);
    const c = ctx.inputs[2];
    if (c) {
      if (c.dtype !== a.dtype) ctx.fail(`C is ${c.dtype} but A is ${a.dtype}`);
      if (c.shape.length > 2) ctx.fail("Gemm C must have rank <= 2");
      const want = [m, n];
      c.shape.forEach((d, k) => {
        const o = want[2 - c.shape.length + k]!;
        if (typeof d === "number" && d !== 1 && typeof o === "number" && d !== o)
          ctx.fail(`C [${c.shape.join(",")}] does not broadcast to [${m},${n}]`);
      });
    }
    return [{ dtype: a.dtype, shape: [m, n] }];
  },
});

defineOp({
  name: "MatMulInteger",
  doc: "int32 matmul of u8/i8 operands minus zero points (per tensor, per row of A, per column of B)",
  inputs: ["A", "B", "a_zero_point", "b_zero_point"],
  minInputs: 2,
  outputs: ["Y"],
  attrs: {},
  infer(ctx) {
    const a = input(ctx, 0);
    const b = input(ctx, 1);
    checkDtype(ctx, a, Q8, "A");
    checkDtype(ctx, b, Q8, "B");
    checkZeroPoint(ctx, 2, a, "A");
    checkZeroPoint(ctx, 3, b, "B");
    return [{ dtype: "i32", shape: matmulShape(ctx, a.shape, b.shape) }];
  },
});

defineOp({
  name: "QLinearMatMul",
  doc: "quantized matmul: saturate(round((a-azp)(b-bzp) * a_scale*b_scale/y_scale) + y_zp), round half to even",
  inputs: ["a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point", "y_scale", "y_zero_point"],
  outputs: ["y"],
  attrs: {},
  infer(ctx) {
    const a = input(ctx, 0);
    const b = input(ctx, 3);
    const yzp = input(ctx, 7);
    checkDtype(ctx, a, Q8, "a");
    checkDtype(ctx, b, Q8, "b");
    checkDtype(ctx, yzp, Q8, "y_zero_point");
    checkZeroPoint(ctx, 2, a, "a");
    checkZeroPoint(ctx, 5, b, "b");
    for (const i of [1, 4, 6]) {
      const s = input(ctx, i);
      if (s.dtype !== "f32" && s.dtype !== "f16" && s.dtype !== "bf16") ctx.fail(`scale input ${i} must be float, got ${s.dtype}`);
    }
    return [{ dtype: yzp.dtype, shape: matmulShape(ctx, a.shape, b.shape) }];
  },
});
