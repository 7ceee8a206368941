/**
 * MatMul, Gemm, MatMulInteger and QLinearMatMul kernels. Float products go through
 * matmulF32 (gemm-dispatch.ts, f32 accumulation in k order); integer products through the
 * exact gemmI32 (int32 wrap-around).
 */
import { Tensor, allocData, type DType } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { biasStrides } from "../kernels/gemm-args.js";
import { f32In, f32Out, isFloatType } from "./float-util.js";
import { gemmI32 } from "./gemm-i32.js";
import { matmulF32 } from "./gemm-dispatch.js";
import { planMatmul, type MatmulPlan } from "./matmul-plan.js";
import { groupParam, multiplier, q8, q8Range, q8Tensor, requantize } from "./requant.js";

function floatMatmul(a: Tensor, b: Tensor, p: MatmulPlan): Tensor {
  const { m, n, k, batch } = p;
  const A = f32In(a), B = f32In(b);
  const y = new Float32Array(batch * m * n);
  if (p.bShared) matmulF32({ m: batch * m, n, k, a: A, b: B, y });
  else for (let t = 0; t < batch; t++) matmulF32({ m, n, k, a: A, aOffset: p.aOffsets[t]!, b: B, bOffset: p.bOffsets[t]!, y, yOffset: t * m * n });
  return f32Out(a.dtype, p.shape, y);
}

/** Integer MatMul (i32/u32 wrap like C; i64/u64 in BigInt), element by element. */
function intMatmul(a: Tensor, b: Tensor, p: MatmulPlan): Tensor {
  const { m, n, k, batch } = p;
  const out = new Tensor(a.dtype, p.shape, allocData(a.dtype, batch * m * n));
  const big = a.dtype === "i64" || a.dtype === "u64";
  const A = a.data as ArrayLike<number | bigint>, B = b.data as ArrayLike<number | bigint>;
  const Y = out.data as unknown as { [i: number]: number | bigint };
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        const ar = p.aOffsets[t]! + i * k, bc = p.bOffsets[t]! + j;
        if (big) {
          let s = 0n;
          for (let q = 0; q < k; q++) s += (A[ar + q] as bigint) * (B[bc + q * n] as bigint);
          Y[(t * m + i) * n + j] = a.dtype === "i64" ? BigInt.asIntN(64, s) : BigInt.asUintN(64, s);
        } else {
          let s = 0;
          for (let q = 0; q < k; q++) s = (s + Math.imul(A[ar + q] as number, B[bc + q * n] as number)) | 0;
          Y[(t * m + i) * n + j] = s;
        }
      }
  return out;
}

defineKernel("MatMul", ([a, b], ctx) => {
  const p = planMatmul(a!.shape, b!.shape, ctx.fail);
  if (a!.dtype !== b!.dtype) ctx.fail(`input dtypes differ: ${a!.dtype} and ${b!.dtype}`);
  if (isFloatType(a!.dtype)) return [floatMatmul(a!, b!, p)];
  if (["i32", "u32", "i64", "u64"].includes(a!.dtype)) return [intMatmul(a!, b!, p)];
  return ctx.fail(`unsupported dtype ${a!.dtype}`);
});

defineKernel("Gemm", ([a, b, c], ctx) => {
  if (a!.shape.length !== 2 || b!.shape.length !== 2) ctx.fail("A and B must be 2-D");
  const transA = ctx.attr<number>("transA") !== 0, transB = ctx.attr<number>("transB") !== 0;
  const [m, k] = transA ? [a!.shape[1]!, a!.shape[0]!] : [a!.shape[0]!, a!.shape[1]!];
  const [kb, n] = transB ? [b!.shape[1]!, b!.shape[0]!] : [b!.shape[0]!, b!.shape[1]!];
  if (k !== kb) ctx.fail(`inner dimensions differ: ${k} and ${kb}`);
  let bias = {};
  if (c) {
    try {
      bias = { c: f32In(c), beta: ctx.attr<number>("beta"), ...biasStrides(c.shape, m, n) };
    } catch (e) {
      ctx.fail((e as Error).message);
    }
  }
  const y = matmulF32({ m, n, k, a: f32In(a!), transA, b: f32In(b!), transB, alpha: ctx.attr<number>("alpha"), ...bias });
  return [f32Out(a!.dtype, [m, n], y)];
});

/**
 * (x - zero point) for a u8/i8 operand as Int32Array. perRow: A's zero point is per row
 * (size 1, M, or every row of every batch entry); otherwise B's is per column (1, N or batch*N).
 */
function centered(t: Tensor, zp: Tensor | undefined, perRow: boolean, rows: number, cols: number, what: string, ctx: KernelContext): Int32Array {
  const x = q8(t, what, ctx.fail);
  const out = new Int32Array(x.length);
  const mats = x.length / (rows * cols) || 1;
  const z = groupParam(zp, 0, perRow ? [rows, rows * mats] : [cols, cols * mats], `${what} zero point`, ctx.fail);
  if (z.length === 1) {
    for (let i = 0; i < x.length; i++) out[i] = x[i]! - z[0]!;
    return out;
  }
  for (let i = 0; i < x.length; i++) {
    const row = Math.floor(i / cols), col = i % cols, mat = Math.floor(row / rows);
    out[i] = x[i]! - z[perRow ? (z.length === rows ? row % rows : row) : z.length === cols ? col : mat * cols + col]!;
  }
  return out;
}

/** The exact int32 product of centred operands, batched as MatMul. */
function intProduct(inputs: readonly (Tensor | undefined)[], ia: number, ib: number, izpa: number, izpb: number, ctx: KernelContext): { p: MatmulPlan; y: Int32Array } {
  const a = inputs[ia]!, b = inputs[ib]!;
  const p = planMatmul(a.shape, b.shape, ctx.fail);
  const A = centered(a, inputs[izpa], true, p.m, p.k, "A", ctx);
  const B = centered(b, inputs[izpb], false, p.k, p.n, "B", ctx);
  const y = new Int32Array(p.batch * p.m * p.n);
  if (p.bShared) gemmI32(p.batch * p.m, p.n, p.k, A, 0, B, 0, y, 0);
  else for (let t = 0; t < p.batch; t++) gemmI32(p.m, p.n, p.k, A, p.aOffsets[t]!, B, p.bOffsets[t]!, y, t * p.m * p.n);
  return { p, y };
}

defineKernel("MatMulInteger", (inputs, ctx) => {
  const { p, y } = intProduct(inputs, 0, 1, 2, 3, ctx);
  return [new Tensor("i32", p.shape, y)];
});

defineKernel("QLinearMatMul", (inputs, ctx) => {
  const { p, y } = intProduct(inputs, 0, 3, 2, 5, ctx);
  const { m, n, batch } = p;
  const sa = groupParam(inputs[1], 1, [m, batch * m], "a_scale", ctx.fail);
  const sb = groupParam(inputs[4], 1, [n, batch * n], "b_scale", ctx.fail);
  const sy = inputs[6]!.get(0);
  const yzp = inputs[7]!;
  if (yzp.size !== 1 || inputs[6]!.size !== 1) ctx.fail("y_scale and y_zero_point must be scalars");
  const zp = yzp.get(0);
  const dtype: DType = yzp.dtype;
  const [qmin, qmax] = q8Range(dtype);
  const out = q8Tensor(dtype, p.shape, y.length);
  const rowScale = (r: number) => sa[sa.length === 1 ? 0 : sa.length === m ? r % m : r]!;
  for (let r = 0; r < batch * m; r++) {
    const t = Math.floor(r / m);
    for (let j = 0; j < n; j++) {
      const mult = multiplier(rowScale(r), sb[sb.length === 1 ? 0 : sb.length === n ? j : t * n + j]!, sy);
      out.data[r * n + j] = requantize(y[r * n + j]!, mult, zp, qmin, qmax);
    }
  }
  return [out.t];
});
