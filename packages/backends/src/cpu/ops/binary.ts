/**
 * Broadcasting elementwise binary and variadic kernels (ONNX opset 21).
 * Floats compute in f64 and round once on store (f32 results equal float32 arithmetic for
 * + - * /); f16/bf16 round through f32 as numpy and onnxruntime do. Integers are exact and
 * wrap like C: ≤32-bit types in JS numbers (Math.imul for products), i64/u64 in bigints.
 */
import { Tensor, isFloat, type DType } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import {
  bigOut, bigs, broadcastIndices, broadcastPlan, finishNums, forEachRow, isBigDType, numOut, nums,
  type BigArr, type NumArr,
} from "./elementwise-util.js";

type Row = (x: NumArr, xo: number, xs: number, y: NumArr, yo: number, ys: number, o: NumArr, oo: number, n: number) => void;
type F = (a: number, b: number) => number;
type BigF = (a: bigint, b: bigint) => bigint | number;

interface Spec {
  /** Floats (and integers unless `int` is given), in f64. */
  readonly f: F;
  /** ≤32-bit integers (result stored with C wrap-around). */
  readonly int?: F;
  /** i64/u64 when every input is an integer type. */
  readonly big?: BigF;
  /** A literal loop for float inputs (monomorphic, for the hot ops). */
  readonly row?: Row;
  /** Output dtype is bool. */
  readonly bool?: boolean;
}

const genRow = (f: F): Row => (x, xo, xs, y, yo, ys, o, oo, n) => {
  for (let i = 0; i < n; i++) o[oo + i] = f(x[xo + i * xs]!, y[yo + i * ys]!);
};

/** Applies a spec to two tensors with broadcasting; the output dtype is a's (or bool). */
export function applyBinary(spec: Spec, a: Tensor, b: Tensor): Tensor {
  const od: DType = spec.bool ? "bool" : a.dtype;
  const p = broadcastPlan([a.shape, b.shape]);
  const [sa, sb] = p.inner as [number, number];
  const intIn = !isFloat(a.dtype) && !isFloat(b.dtype);
  if (spec.big && intIn && (isBigDType(a.dtype) || isBigDType(b.dtype))) {
    const x = bigs(a), y = bigs(b), big = spec.big;
    const o = (od === "bool" ? new Uint8Array(p.n) : bigOut(od, p.n)) as unknown as { [i: number]: bigint | number };
    forEachRow(p, ([ao, bo], oo, n) => {
      for (let i = 0; i < n; i++) o[oo + i] = big(x[ao! + i * sa]!, y[bo! + i * sb]!);
    });
    return new Tensor(od, p.shape, o as unknown as BigArr);
  }
  const row = intIn ? genRow(spec.int ?? spec.f) : spec.row ?? genRow(spec.f);
  const x = nums(a), y = nums(b);
  const out = numOut(od, p.n);
  forEachRow(p, ([ao, bo], oo, n) => row(x, ao!, sa, y, bo!, sb, out, oo, n));
  return finishNums(od, p.shape, out);
}

const binary = (spec: Spec) => (inputs: readonly (Tensor | undefined)[]): Tensor[] => [applyBinary(spec, inputs[0]!, inputs[1]!)];

// Hot ops: literal loops so V8 keeps them monomorphic.
const addRow: Row = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs]! + y[yo + i * ys]!; };
const subRow: Row = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs]! - y[yo + i * ys]!; };
const mulRow: Row = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs]! * y[yo + i * ys]!; };
const divRow: Row = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = x[xo + i * xs]! / y[yo + i * ys]!; };
const powRow: Row = (x, xo, xs, y, yo, ys, o, oo, n) => { for (let i = 0; i < n; i++) o[oo + i] = Math.pow(x[xo + i * xs]!, y[yo + i * ys]!); };

const ADD: Spec = { f: (a, b) => a + b, big: (a, b) => a + b, row: addRow };
const MAX: Spec = { f: (a, b) => Math.max(a, b), big: (a, b) => (a > b ? a : b) };
const MIN: Spec = { f: (a, b) => Math.min(a, b), big: (a, b) => (a < b ? a : b) };

defineKernel("Add", binary(ADD));
defineKernel("Sub", binary({ f: (a, b) => a - b, big: (a, b) => a - b, row: subRow }));
defineKernel("Mul", binary({ f: (a, b) => a * b, int: Math.imul, big: (a, b) => a * b, row: mulRow }));
defineKernel("Div", binary({
  f: (a, b) => a / b,
  // Integer division by zero is undefined in ONNX; like numpy, it gives 0 here.
  int: (a, b) => (b === 0 ? 0 : Math.trunc(a / b)),
  big: (a, b) => (b === 0n ? 0n : a / b),
  row: divRow,
}));

/** Integer power by squaring on bigints; negative exponents truncate 1/a^-b toward zero. */
function bigPow(a: bigint, b: bigint): bigint {
  if (b >= 0n) return a ** b;
  if (a === 1n) return 1n;
  if (a === -1n) return b % 2n === 0n ? 1n : -1n;
  return 0n;
}
const POW: Spec = { f: Math.pow, big: bigPow, row: powRow };
const SQUARE: Spec = { f: (a) => a * a, row: (x, xo, xs, _y, _yo, _ys, o, oo, n) => { for (let i = 0; i < n; i++) { const v = x[xo + i * xs]!; o[oo + i] = v * v; } } };
defineKernel("Pow", (inputs) => {
  const a = inputs[0]!, b = inputs[1]!;
  // x^2 with a scalar float exponent (common in norms): one exact product, rounded once like pow.
  const square = b.size === 1 && isFloat(a.dtype) && isFloat(b.dtype) && b.get(0) === 2;
  return [applyBinary(square ? SQUARE : POW, a, b)];
});

defineKernel("Mod", (inputs, ctx) => {
  const fmod = ctx.attr<number>("fmod") !== 0;
  const spec: Spec = fmod
    ? { f: (a, b) => a % b, big: (a, b) => (b === 0n ? 0n : a % b) }
    : {
        f: (a, b) => {
          const r = a % b;
          return r !== 0 && r < 0 !== b < 0 ? r + b : r;
        },
        big: (a, b) => {
          if (b === 0n) return 0n;
          const r = a % b;
          return r !== 0n && r < 0n !== b < 0n ? r + b : r;
        },
      };
  return [applyBinary(spec, inputs[0]!, inputs[1]!)];
});

/** Folds a variadic op left to right with broadcasting. */
function variadic(spec: Spec, post?: (t: Tensor, count: number) => Tensor) {
  return (inputs: readonly (Tensor | undefined)[], ctx: KernelContext): Tensor[] => {
    const ts = inputs.filter((t): t is Tensor => t !== undefined);
    if (ts.length === 0) ctx.fail("needs at least one input");
    let acc = ts[0]!;
    for (let k = 1; k < ts.length; k++) acc = applyBinary(spec, acc, ts[k]!);
    return [post && ts.length > 1 ? post(acc, ts.length) : acc];
  };
}
defineKernel("Max", variadic(MAX));
defineKernel("Min", variadic(MIN));
defineKernel("Sum", variadic(ADD));
defineKernel("Mean", variadic(ADD, (t, count) => applyBinary({ f: (a, b) => a / b, row: divRow }, t, Tensor.scalar(t.dtype, count))));

const cmp = (f: (a: number, b: number) => boolean, big: (a: bigint, b: bigint) => boolean): Spec => ({
  f: (a, b) => (f(a, b) ? 1 : 0),
  big: (a, b) => (big(a, b) ? 1 : 0),
  bool: true,
});
const EQUAL = cmp((a, b) => a === b, (a, b) => a === b);
defineKernel("Equal", (inputs) => {
  const a = inputs[0]!, b = inputs[1]!;
  if (a.dtype !== "string") return [applyBinary(EQUAL, a, b)];
  const p = broadcastPlan([a.shape, b.shape]);
  const ia = broadcastIndices(p, 0), ib = broadcastIndices(p, 1);
  const x = a.data as string[], y = b.data as string[];
  const out = new Uint8Array(p.n);
  for (let i = 0; i < p.n; i++) out[i] = x[ia[i]!] === y[ib[i]!] ? 1 : 0;
  return [new Tensor("bool", p.shape, out)];
});
defineKernel("Less", binary(cmp((a, b) => a < b, (a, b) => a < b)));
defineKernel("Greater", binary(cmp((a, b) => a > b, (a, b) => a > b)));
defineKernel("LessOrEqual", binary(cmp((a, b) => a <= b, (a, b) => a <= b)));
defineKernel("GreaterOrEqual", binary(cmp((a, b) => a >= b, (a, b) => a >= b)));

defineKernel("And", binary({ f: (a, b) => a & b, bool: true }));
defineKernel("Or", binary({ f: (a, b) => a | b, bool: true }));
defineKernel("Xor", binary({ f: (a, b) => a ^ b, bool: true }));

const BITS: Partial<Record<DType, number>> = { u8: 8, u16: 16, u32: 32 };
defineKernel("BitShift", (inputs, ctx) => {
  const left = ctx.attr<string>("direction") === "LEFT";
  const bits = BITS[inputs[0]!.dtype] ?? 64;
  const spec: Spec = left
    ? { f: (a, b) => (b >= bits ? 0 : a << b), big: (a, b) => (b >= 64n ? 0n : a << b) }
    : { f: (a, b) => (b >= bits ? 0 : a >>> b), big: (a, b) => (b >= 64n ? 0n : a >> b) };
  return [applyBinary(spec, inputs[0]!, inputs[1]!)];
});

defineKernel("PRelu", binary({
  f: (x, s) => (x < 0 ? s * x : x),
  int: (x, s) => (x < 0 ? Math.imul(s, x) : x),
  big: (x, s) => (x < 0n ? s * x : x),
}));

/** condition ? X : Y, copying raw storage (any dtype; int4 through get/set). */
defineKernel("Where", (inputs) => {
  const c = inputs[0]!, x = inputs[1]!, y = inputs[2]!;
  const p = broadcastPlan([c.shape, x.shape, y.shape]);
  const od = x.dtype;
  const cd = c.data as Uint8Array;
  if (od === "i4" || od === "u4") {
    const out = Tensor.zeros(od, p.shape);
    const ic = broadcastIndices(p, 0), ix = broadcastIndices(p, 1), iy = broadcastIndices(p, 2);
    for (let i = 0; i < p.n; i++) out.set(i, cd[ic[i]!] ? x.get(ix[i]!) : y.get(iy[i]!));
    return [out];
  }
  const out = Tensor.zeros(od, p.shape);
  const o = out.data as unknown as { [i: number]: unknown };
  const xd = x.data as unknown as { [i: number]: unknown }, yd = y.data as unknown as { [i: number]: unknown };
  const [sc, sx, sy] = p.inner as [number, number, number];
  forEachRow(p, ([co, xo, yo], oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = cd[co! + i * sc] ? xd[xo! + i * sx] : yd[yo! + i * sy];
  });
  return [out];
});
