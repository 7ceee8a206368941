/**
 * Kernels for quantpass's quantization ops. Integer matmul accumulates exactly in
 * int32; requantization multiplies in f32: y = f32(acc) * f32(sx * sw[n]) (+ bias).
 * weight_quant_matmul dequantizes the weight and calls the MatMul kernel, so a
 * weight-only int graph equals its fake-quant graph bit for bit. quantize, dequantize and
 * fake_quant run the whole-tensor loops of kernels/quant-tensor.ts (WebAssembly SIMD), equal
 * bit for bit to the per-element quant-math.ts.
 */
import { Tensor, ZERO_RANGE_SCALE, getOp, makeInferContext, quantFromAttrs, roundHalfEven, type QuantType } from "@quantpass/ir";
import { defineKernel, getKernel, type KernelContext } from "../kernel-registry.js";
import { dequantizeTensor } from "./quant-math.js";
import { bytesOf, dequantizeTensorFast, fakeQuantTensorFast, quantizeTensorFast } from "../kernels/quant-tensor.js";
import { matmulQ8, type Q8 } from "./gemm-q8.js";

function attrQuant(ctx: KernelContext, x: Tensor): QuantType {
  const def = getOp(ctx.node.op)!;
  const ic = makeInferContext(def, ctx.node, () => undefined, () => undefined);
  return quantFromAttrs(ic, x.shape, "f32");
}

function inputQuant(ctx: KernelContext, i: number): QuantType {
  const q = ctx.inputTypes[i]?.quant;
  if (!q) return ctx.fail(`input ${i} has no quant type`);
  return q;
}

defineKernel("observe", (inputs) => [inputs[0]!]);
/** dequantizeTensorFast for 8- and 4-bit integers, the per-element loop for any other dtype. */
function dequantize(t: Tensor, q: QuantType): Tensor {
  return dequantizeTensorFast(t, q) ?? dequantizeTensor(t, q);
}

defineKernel("fake_quant", (inputs, ctx) => [fakeQuantTensorFast(inputs[0]!, attrQuant(ctx, inputs[0]!))]);
defineKernel("quantize", (inputs, ctx) => [quantizeTensorFast(inputs[0]!, attrQuant(ctx, inputs[0]!))]);
defineKernel("kv_quant", (inputs, ctx) => [quantizeTensorFast(inputs[0]!, attrQuant(ctx, inputs[0]!))]);
defineKernel("dequantize", (inputs, ctx) => [dequantize(inputs[0]!, inputQuant(ctx, 0))]);
defineKernel("kv_dequant", (inputs, ctx) => [dequantize(inputs[0]!, inputQuant(ctx, 0))]);

/** Per-token (per last-axis row) symmetric int8: scale = absmax / 127. */
defineKernel("dynamic_quant", (inputs) => {
  const x = inputs[0]!;
  const xs = x.toF32();
  const k = x.shape[x.shape.length - 1]!;
  const rows = k ? xs.length / k : 0;
  const q = new Int8Array(xs.length);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let j = 0; j < k; j++) m = Math.max(m, Math.abs(xs[r * k + j]!));
    const s = m > 0 && Number.isFinite(m) ? Math.fround(m / 127) : ZERO_RANGE_SCALE;
    scale[r] = s;
    for (let j = 0; j < k; j++) {
      const v = roundHalfEven(Math.fround(xs[r * k + j]! / s));
      q[r * k + j] = Number.isNaN(v) ? 0 : Math.max(-128, Math.min(127, v));
    }
  }
  return [new Tensor("i8", x.shape, q), new Tensor("f32", [...x.shape.slice(0, -1), 1], scale)];
});

/** 8-bit storage as a typed array matmulQ8 accepts (int4 is widened to one value a byte). */
function q8(t: Tensor): Q8 {
  return bytesOf(t) ?? Uint8Array.from({ length: t.size }, (_, i) => t.get(i));
}

defineKernel("quant_matmul", (inputs, ctx) => {
  const [x, w, xScale, bias] = inputs;
  const xq = inputQuant(ctx, 0);
  const wq = inputQuant(ctx, 1);
  const K = w!.shape[0]!;
  const N = w!.shape[1]!;
  const M = K ? x!.size / K : 0;
  const perToken = xq.granularity.kind === "per-token";
  const perChannel = wq.granularity.kind === "per-axis";
  const ws = wq.scale!;
  const acc = matmulQ8({
    m: M, n: N, k: K,
    a: q8(x!), b: q8(w!),
    za: [xq.zeroPoint ? xq.zeroPoint[0]! : 0],
    zb: wq.zeroPoint ?? [0],
    y: new Int32Array(M * N),
  });
  const out = new Float32Array(M * N);
  for (let m = 0; m < M; m++) {
    const sx = perToken ? xScale!.get(m) : xq.scale![0]!;
    for (let n = 0; n < N; n++) {
      const y = Math.fround(Math.fround(acc[m * N + n]!) * Math.fround(sx * ws[perChannel ? n : 0]!));
      out[m * N + n] = bias ? Math.fround(y + bias.get(bias.size === 1 ? 0 : n)) : y;
    }
  }
  return [new Tensor("f32", [...x!.shape.slice(0, -1), N], out)];
});

defineKernel("weight_quant_matmul", (inputs, ctx) => {
  const [x, w, bias] = inputs;
  const wd = dequantize(w!, inputQuant(ctx, 1));
  const matmul = getKernel("MatMul") ?? ctx.fail("no MatMul kernel");
  const [y] = matmul([x!, wd], ctx);
  if (!bias) return [y!];
  const add = getKernel("Add") ?? ctx.fail("no Add kernel");
  return add([y!, bias], ctx);
});
