/**
 * Elementwise unary kernels. Float math runs in f64 and rounds once on store, so f32 results
 * are the correctly rounded value (within an ulp or two of numpy/onnxruntime float32, which
 * round each step); float attributes are rounded to f32 first, as ONNX stores them.
 * Integer Abs/Neg/Relu/Sign/Clip are exact (wrap like C); i64 uses bigints.
 */
import { Tensor, type DType } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { bigOut, finishNums, isBigDType, numOut, nums, roundHalfEven, type BigArr, type NumArr } from "./elementwise-util.js";
import { erf } from "./erf.js";

type Loop = (x: NumArr, o: NumArr, n: number) => void;
type F = (v: number) => number;

const gen = (f: F): Loop => (x, o, n) => {
  for (let i = 0; i < n; i++) o[i] = f(x[i]!);
};

/** Applies a number loop; the output has the input dtype unless `od` is given. */
function mapNums(t: Tensor, loop: Loop, od = t.dtype): Tensor {
  const out = numOut(od, t.size);
  loop(nums(t), out, t.size);
  return finishNums(od, t.shape, out);
}

function mapBig(t: Tensor, f: (v: bigint) => bigint): Tensor {
  const x = t.data as BigArr;
  const o = bigOut(t.dtype, t.size);
  for (let i = 0; i < t.size; i++) o[i] = f(x[i]!);
  return new Tensor(t.dtype, t.shape, o);
}

/** A kernel from a float loop (built per node from its attributes and input dtype) and an optional bigint form. */
function unary(make: (ctx: KernelContext, dtype: DType) => Loop, big?: (v: bigint) => bigint) {
  return (inputs: readonly (Tensor | undefined)[], ctx: KernelContext): Tensor[] => {
    const t = inputs[0]!;
    if (big && isBigDType(t.dtype)) return [mapBig(t, big)];
    return [mapNums(t, make(ctx, t.dtype))];
  };
}

const simple = (loop: Loop, big?: (v: bigint) => bigint) => unary(() => loop, big);
const fattr = (ctx: KernelContext, name: string): number => Math.fround(ctx.attr<number>(name));

// Hot activations: literal loops.
defineKernel("Relu", simple((x, o, n) => { for (let i = 0; i < n; i++) { const v = x[i]!; o[i] = v < 0 ? 0 : v; } }, (v) => (v < 0n ? 0n : v)));
defineKernel("Sigmoid", simple((x, o, n) => { for (let i = 0; i < n; i++) o[i] = 1 / (1 + Math.exp(-x[i]!)); }));
defineKernel("Tanh", simple((x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]!); }));
defineKernel("Sqrt", simple((x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]!); }));
defineKernel("Exp", simple((x, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]!); }));
defineKernel("Erf", simple((x, o, n) => { for (let i = 0; i < n; i++) o[i] = erf(x[i]!); }));

defineKernel("Abs", simple(gen(Math.abs), (v) => (v < 0n ? -v : v)));
defineKernel("Neg", simple((x, o, n) => { for (let i = 0; i < n; i++) o[i] = -x[i]!; }, (v) => -v));
defineKernel("Sign", simple(gen(Math.sign), (v) => (v > 0n ? 1n : v < 0n ? -1n : 0n)));

const softplus: F = (v) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
for (const [name, f] of [
  ["Log", Math.log], ["Reciprocal", (v: number) => 1 / v],
  ["Floor", Math.floor], ["Ceil", Math.ceil], ["Round", roundHalfEven],
  ["Sin", Math.sin], ["Cos", Math.cos], ["Tan", Math.tan], ["Asin", Math.asin], ["Acos", Math.acos], ["Atan", Math.atan],
  ["Sinh", Math.sinh], ["Cosh", Math.cosh], ["Asinh", Math.asinh], ["Acosh", Math.acosh], ["Atanh", Math.atanh],
  ["Softplus", softplus],
  ["Softsign", (v: number) => v / (1 + Math.abs(v))],
  ["Mish", (v: number) => v * Math.tanh(softplus(v))],
] as const)
  defineKernel(name, simple(gen(f)));

defineKernel("LeakyRelu", unary((ctx) => {
  const a = fattr(ctx, "alpha");
  return (x, o, n) => { for (let i = 0; i < n; i++) { const v = x[i]!; o[i] = v < 0 ? a * v : v; } };
}));
// e^v - 1 for Elu/Selu/Celu: expm1 in f64, so results near 0 are the correctly rounded value.
// numpy and onnxruntime compute exp(v) - 1 in float32, whose cancellation amplifies their exp
// rounding: they differ from this (and from each other) by up to ~2e-6 relative for |v| < 0.1.
defineKernel("Elu", unary((ctx) => {
  const a = fattr(ctx, "alpha");
  return gen((v) => (v < 0 ? a * Math.expm1(v) : v));
}));
defineKernel("Celu", unary((ctx) => {
  const a = fattr(ctx, "alpha");
  return gen((v) => Math.max(0, v) + Math.min(0, a * Math.expm1(v / a)));
}));
defineKernel("Selu", unary((ctx) => {
  const a = fattr(ctx, "alpha"), g = fattr(ctx, "gamma");
  return gen((v) => (v > 0 ? g * v : g * a * Math.expm1(v)));
}));
defineKernel("ThresholdedRelu", unary((ctx) => {
  const a = fattr(ctx, "alpha");
  return gen((v) => (v > a ? v : 0));
}));
// HardSigmoid/HardSwish round each step like float32 code: near the kink alpha*x + beta cancels,
// and this keeps them bit-identical to onnxruntime there. f64 inputs compute in f64.
const stepRound = (d: DType): F => (d === "f64" ? (v) => v : Math.fround);
defineKernel("HardSigmoid", unary((ctx, d) => {
  const a = fattr(ctx, "alpha"), b = fattr(ctx, "beta"), r = stepRound(d);
  return gen((v) => Math.max(0, Math.min(1, r(r(a * v) + b))));
}));
defineKernel("HardSwish", unary((_, d) => {
  const a = Math.fround(1 / 6), r = stepRound(d);
  return gen((v) => v * Math.max(0, Math.min(1, r(r(a * v) + 0.5))));
}));
defineKernel("Gelu", unary((ctx) => {
  if (ctx.attr<string>("approximate") === "tanh")
    return gen((v) => 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v))));
  return (x, o, n) => { for (let i = 0; i < n; i++) { const v = x[i]!; o[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2)); } };
}));

defineKernel("Not", (inputs) => [mapNums(inputs[0]!, gen((v) => (v ? 0 : 1)))]);
defineKernel("IsNaN", (inputs) => [mapNums(inputs[0]!, gen((v) => (v !== v ? 1 : 0)), "bool")]);
defineKernel("IsInf", (inputs, ctx) => {
  const neg = ctx.attr<number>("detect_negative") !== 0, pos = ctx.attr<number>("detect_positive") !== 0;
  return [mapNums(inputs[0]!, gen((v) => ((pos && v === Infinity) || (neg && v === -Infinity) ? 1 : 0)), "bool")];
});

defineKernel("Identity", (inputs) => [inputs[0]!]);

/** Clip: v < lo ? lo : v, then > hi ? hi : v, so NaN passes through and lo > hi gives hi. */
defineKernel("Clip", (inputs, ctx) => {
  const t = inputs[0]!, lo = inputs[1], hi = inputs[2];
  for (const b of [lo, hi]) if (b && b.size !== 1) ctx.fail(`bounds must be scalars, got ${b.size} elements`);
  if (isBigDType(t.dtype)) {
    const l = lo ? (lo.data as BigArr)[0]! : undefined, h = hi ? (hi.data as BigArr)[0]! : undefined;
    return [mapBig(t, (v) => {
      const w = l !== undefined && v < l ? l : v;
      return h !== undefined && w > h ? h : w;
    })];
  }
  const l = lo ? nums(lo)[0]! : -Infinity, h = hi ? nums(hi)[0]! : Infinity;
  return [mapNums(t, (x, o, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      const w = v < l ? l : v;
      o[i] = w > h ? h : w;
    }
  })];
});
