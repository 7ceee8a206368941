/**
 * Normalization kernels: BatchNormalization (inference and training mode),
 * LayerNormalization, InstanceNormalization, GroupNormalization (opset 21), LRN.
 * Inputs of any float dtype are read as f32; means, variances and normalized values are
 * computed in f64 (two passes: mean, then the mean of squared deviations) and rounded to
 * the output dtype once.
 */
import { Tensor } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { broadcastTo } from "./broadcast.js";
import { f32In, f32Out, numelOf } from "./float-util.js";

/** Mean and population variance of x[base + i*stride + j] over `count` runs of `len` values. */
function moments(x: Float32Array, starts: readonly number[], len: number): [number, number] {
  let s = 0;
  for (const b of starts) for (let i = 0; i < len; i++) s += x[b + i]!;
  const n = starts.length * len;
  const mean = s / n;
  let v = 0;
  for (const b of starts) for (let i = 0; i < len; i++) { const d = x[b + i]! - mean; v += d * d; }
  return [mean, v / n];
}

function perChannel(t: Tensor | undefined, c: number, what: string, ctx: KernelContext, dflt: number): Float32Array {
  if (!t) return new Float32Array(c).fill(dflt);
  if (t.size !== c) ctx.fail(`${what} has ${t.size} values, expected ${c}`);
  return f32In(t);
}

defineKernel("BatchNormalization", ([x, scale, b, mean, variance], ctx) => {
  const [n, c] = x!.shape as [number, number];
  const inner = numelOf(x!.shape.slice(2));
  const X = f32In(x!), S = perChannel(scale, c, "scale", ctx, 1), B = perChannel(b, c, "B", ctx, 0);
  const M = perChannel(mean, c, "input_mean", ctx, 0), V = perChannel(variance, c, "input_var", ctx, 1);
  const eps = ctx.attr<number>("epsilon");
  const training = ctx.attr<number>("training_mode") !== 0;
  const momentum = ctx.attr<number>("momentum");
  const Y = new Float32Array(X.length);
  const runMean = new Float32Array(c), runVar = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    const starts = Array.from({ length: n }, (_, i) => (i * c + ch) * inner);
    const [m, v] = training ? moments(X, starts, inner) : [M[ch]!, V[ch]!];
    if (training) {
      runMean[ch] = M[ch]! * momentum + m * (1 - momentum);
      runVar[ch] = V[ch]! * momentum + v * (1 - momentum);
    }
    const a = S[ch]! / Math.sqrt(v + eps);
    for (const st of starts) for (let i = 0; i < inner; i++) Y[st + i] = (X[st + i]! - m) * a + B[ch]!;
  }
  const y = f32Out(x!.dtype, x!.shape, Y);
  if (!training) return [y];
  const sd = mean!.dtype;
  return [y, f32Out(sd, [c], runMean), f32Out(sd, [c], runVar)];
});

defineKernel("LayerNormalization", ([x, scale, b], ctx) => {
  const r = x!.shape.length;
  let axis = ctx.attr<number>("axis");
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) ctx.fail(`axis ${ctx.attr<number>("axis")} out of range for rank ${r}`);
  const normShape = x!.shape.slice(axis);
  const len = numelOf(normShape), rows = numelOf(x!.shape.slice(0, axis));
  const bcast = (t: Tensor | undefined, dflt: number): Float32Array => {
    if (!t) return new Float32Array(len).fill(dflt);
    const src = f32In(t);
    let idx: Int32Array;
    try {
      idx = broadcastTo(t.shape, normShape);
    } catch {
      return ctx.fail(`[${t.shape}] does not broadcast to [${normShape}]`);
    }
    return Float32Array.from(idx, (i) => src[i]!);
  };
  const S = bcast(scale, 1), B = bcast(b, 0);
  const X = f32In(x!), Y = new Float32Array(X.length);
  const eps = ctx.attr<number>("epsilon");
  const means = new Float32Array(rows), invs = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    const base = row * len;
    const [m, v] = moments(X, [base], len);
    const inv = 1 / Math.sqrt(v + eps);
    means[row] = m, invs[row] = inv;
    for (let i = 0; i < len; i++) Y[base + i] = (X[base + i]! - m) * inv * S[i]! + B[i]!;
  }
  const statShape = x!.shape.map((d, k) => (k < axis ? d : 1));
  const sd = ctx.attr<number>("stash_type") === 1 ? "f32" : x!.dtype;
  return [f32Out(x!.dtype, x!.shape, Y), f32Out(sd, statShape, means), f32Out(sd, statShape, invs)];
});

/** Normalizes each (sample, channel group) over its channels and spatial dims, then per-channel affine. */
function groupNorm(x: Tensor, scale: Tensor | undefined, bias: Tensor | undefined, groups: number, eps: number, ctx: KernelContext): Tensor {
  const [n, c] = x.shape as [number, number];
  if (c % groups !== 0) ctx.fail(`${groups} groups do not divide ${c} channels`);
  const inner = numelOf(x.shape.slice(2)), cg = c / groups;
  const X = f32In(x), Y = new Float32Array(X.length);
  const S = perChannel(scale, c, "scale", ctx, 1), B = perChannel(bias, c, "bias", ctx, 0);
  for (let img = 0; img < n; img++)
    for (let g = 0; g < groups; g++) {
      const base = (img * c + g * cg) * inner;
      const [m, v] = moments(X, [base], cg * inner);
      const inv = 1 / Math.sqrt(v + eps);
      for (let k = 0; k < cg; k++) {
        const ch = g * cg + k, st = base + k * inner;
        for (let i = 0; i < inner; i++) Y[st + i] = (X[st + i]! - m) * inv * S[ch]! + B[ch]!;
      }
    }
  return f32Out(x.dtype, x.shape, Y);
}

defineKernel("InstanceNormalization", ([x, scale, b], ctx) => [groupNorm(x!, scale, b, x!.shape[1]!, ctx.attr<number>("epsilon"), ctx)]);

defineKernel("GroupNormalization", ([x, scale, b], ctx) => [groupNorm(x!, scale, b, ctx.attr<number>("num_groups"), ctx.attr<number>("epsilon"), ctx)]);

defineKernel("LRN", ([x], ctx) => {
  const [n, c] = x!.shape as [number, number];
  const inner = numelOf(x!.shape.slice(2));
  const size = ctx.attr<number>("size"), alpha = ctx.attr<number>("alpha"), beta = ctx.attr<number>("beta"), bias = ctx.attr<number>("bias");
  const lo = Math.floor((size - 1) / 2), hi = Math.ceil((size - 1) / 2);
  const X = f32In(x!), Y = new Float32Array(X.length);
  for (let img = 0; img < n; img++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < inner; i++) {
        let sq = 0;
        for (let k = Math.max(0, ch - lo); k <= Math.min(c - 1, ch + hi); k++) { const v = X[(img * c + k) * inner + i]!; sq += v * v; }
        const at = (img * c + ch) * inner + i;
        Y[at] = X[at]! / (bias + (alpha / size) * sq) ** beta;
      }
  return [f32Out(x!.dtype, x!.shape, Y)];
});
