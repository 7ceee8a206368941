/**
 * MatMul, Gemm, MatMulInteger and QLinearMatMul kernels. Float products go through
 * matmulF32 (gemm-dispatch.ts, f32 accumulation in k order); integer products through the
 * exact gemmI32 (int32 wrap-around).
 */
import { Tensor, allocData, type DType } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { biasStrides } from "../kernels/gemm-args.js";
import { f32In, f32Out, isFloatType } from "./float-util.js";
import { matmulQ8 } from "./gemm-q8.js";
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

/** Zero points (or scales) of one A matrix (per row) or B matrix (per column): 1 value or `per` values. */
function slice(z: Float64Array, per: number, mat: number): Float64Array {
  return z.length === 1 || z.length === per ? z : z.subarray(mat * per, (mat + 1) * per);
}

/**
 * The exact int32 product of u8/i8 operands minus zero points (A's per tensor, per row, or per
 * row of every A matrix; B's per tensor, per column, or per column of every B matrix), batched as MatMul.
 */
function intProduct(inputs: readonly (Tensor | undefined)[], ia: number, ib: number, izpa: number, izpb: number, ctx: KernelContext): { p: MatmulPlan; y: Int32Array } {
  const a = inputs[ia]!, b = inputs[ib]!;
  const p = planMatmul(a.shape, b.shape, ctx.fail);
  const { m, n, k, batch } = p;
  const A = q8(a, "A", ctx.fail), B = q8(b, "B", ctx.fail);
  const aMats = A.length / (m * k) || 1, bMats = B.length / (k * n) || 1;
  const za = groupParam(inputs[izpa], 0, [m, aMats * m], "A zero point", ctx.fail);
  const zb = groupParam(inputs[izpb], 0, [n, bMats * n], "B zero point", ctx.fail);
  const y = new Int32Array(batch * m * n);
  if (p.bShared) {
    // A's batch entries are consecutive rows: one product of (batch*m) x k by k x n
    const zaRows = za.length === m && batch > 1 ? Float64Array.from({ length: batch * m }, (_, r) => za[r % m]!) : za;
    matmulQ8({ m: batch * m, n, k, a: A, b: B, za: zaRows, zb: slice(zb, n, 0), y });
  } else
    for (let t = 0; t < batch; t++) {
      const am = p.aOffsets[t]! / (m * k), bm = p.bOffsets[t]! / (k * n);
      matmulQ8({ m, n, k, a: A, aOffset: p.aOffsets[t]!, b: B, bOffset: p.bOffsets[t]!, za: slice(za, m, am), zb: slice(zb, n, bm), y, yOffset: t * m * n });
    }
  return { p, y };
}

defineKernel("MatMulInteger", (inputs, ctx) => {
  const { p, y } = intProduct(inputs, 0, 1, 2, 3, ctx);
  return [new Tensor("i32", p.shape, y)];
});

defineKernel("QLinearMatMul", (inputs, ctx) => {
  const { p, y } = intProduct(inputs, 0, 3, 2, 5, ctx);
  const { m, n, k, batch } = p;
  const aMats = inputs[0]!.size / (m * k) || 1, bMats = inputs[3]!.size / (k * n) || 1;
  const sa = groupParam(inputs[1], 1, [m, aMats * m], "a_scale", ctx.fail);
  const sb = groupParam(inputs[4], 1, [n, bMats * n], "b_scale", ctx.fail);
  const yzp = inputs[7]!;
  if (yzp.size !== 1 || inputs[6]!.size !== 1) ctx.fail("y_scale and y_zero_point must be scalars");
  const sy = inputs[6]!.get(0), zp = yzp.get(0);
  const dtype: DType = yzp.dtype;
  const [qmin, qmax] = q8Range(dtype);
  const out = q8Tensor(dtype, p.shape, y.length);
  for (let t = 0; t < batch; t++) {
    const sat = slice(sa, m, p.aOffsets[t]! / (m * k)), sbt = slice(sb, n, p.bOffsets[t]! / (k * n));
    for (let i = 0; i < m; i++) {
      const si = sat[sat.length === 1 ? 0 : i]!, row = (t * m + i) * n;
      for (let j = 0; j < n; j++) out.data[row + j] = requantize(y[row + j]!, multiplier(si, sbt[sbt.length === 1 ? 0 : j]!, sy), zp, qmin, qmax);
    }
  }
  return [out.t];
});
