/**
 * Reduction kernels (opset-18 form: axes as an optional input), ArgMax/ArgMin and CumSum.
 * Float reductions accumulate in f64 in input order and round once to the output dtype
 * (at least as accurate as numpy's pairwise float32 sums and onnxruntime's float32 sums).
 * ≤32-bit integer reductions are exact in f64 and wrap like C on store (products use
 * Math.imul); i64/u64 reduce in bigints. CumSum adds in the output dtype step by step, as
 * numpy and onnxruntime do.
 */
import { Tensor, intRange, isFloat, type DType } from "@quantpass/ir";
import { defineKernel, type KernelContext } from "../kernel-registry.js";
import { bigOut, finishNums, isBigDType, kernelAxis, numOut, nums, splitAxis, type BigArr, type NumArr } from "./elementwise-util.js";

/** Reduced layout: merged input dims, whether each is reduced, and its output stride. */
interface Layout {
  dims: number[];
  reduced: boolean[];
  outStrides: number[];
  inStrides: number[];
  outShape: number[];
  outSize: number;
  /** Elements reduced into each output. */
  count: number;
}

function layout(shape: readonly number[], axes: readonly number[], keep: boolean): Layout {
  const outShape: number[] = [];
  const dims: number[] = [];
  const reduced: boolean[] = [];
  shape.forEach((d, k) => {
    const r = axes.includes(k);
    if (!r) outShape.push(d);
    else if (keep) outShape.push(1);
    if (d === 1) return;
    if (dims.length && reduced[reduced.length - 1] === r) dims[dims.length - 1]! *= d;
    else {
      dims.push(d);
      reduced.push(r);
    }
  });
  if (!dims.length) {
    dims.push(1);
    reduced.push(true);
  }
  const outStrides = new Array<number>(dims.length).fill(0);
  const inStrides = new Array<number>(dims.length).fill(0);
  let so = 1, si = 1;
  for (let k = dims.length - 1; k >= 0; k--) {
    inStrides[k] = si;
    si *= dims[k]!;
    if (!reduced[k]) {
      outStrides[k] = so;
      so *= dims[k]!;
    }
  }
  const count = axes.reduce((p, a) => p * shape[a]!, 1);
  return { dims, reduced, outStrides, inStrides, outShape, outSize: outShape.reduce((a, b) => a * b, 1), count };
}

/** Calls row(inOffset, outOffset, len, outStride) for every innermost row (input order). */
function walk(l: Layout, row: (io: number, oo: number, len: number, os: number) => void): void {
  const m = l.dims.length;
  const total = l.dims.reduce((a, b) => a * b, 1);
  if (total === 0) return;
  const len = l.dims[m - 1]!;
  const os = l.outStrides[m - 1]!;
  const idx = new Array<number>(m).fill(0);
  let oo = 0;
  for (let io = 0; io < total; io += len) {
    row(io, oo, len, os);
    for (let d = m - 2; d >= 0; d--) {
      idx[d]!++;
      oo += l.outStrides[d]!;
      if (idx[d]! < l.dims[d]!) break;
      oo -= l.outStrides[d]! * l.dims[d]!;
      idx[d] = 0;
    }
  }
}

type Row = (x: NumArr, io: number, acc: Float64Array, oo: number, len: number, os: number, aux: Float64Array) => void;
const sumRow: Row = (x, io, a, oo, n, os) => { for (let i = 0; i < n; i++) a[oo + i * os] += x[io + i]!; };
const absRow: Row = (x, io, a, oo, n, os) => { for (let i = 0; i < n; i++) a[oo + i * os] += Math.abs(x[io + i]!); };
const sqRow: Row = (x, io, a, oo, n, os) => { for (let i = 0; i < n; i++) { const v = x[io + i]!; a[oo + i * os] += v * v; } };
const prodRow: Row = (x, io, a, oo, n, os) => { for (let i = 0; i < n; i++) a[oo + i * os] *= x[io + i]!; };
const iprodRow: Row = (x, io, a, oo, n, os) => { for (let i = 0; i < n; i++) a[oo + i * os] = Math.imul(a[oo + i * os]!, x[io + i]!); };
const maxRow: Row = (x, io, a, oo, n, os) => {
  for (let i = 0; i < n; i++) { const v = x[io + i]!, j = oo + i * os; if (v > a[j]! || v !== v) a[j] = v; }
};
const minRow: Row = (x, io, a, oo, n, os) => {
  for (let i = 0; i < n; i++) { const v = x[io + i]!, j = oo + i * os; if (v < a[j]! || v !== v) a[j] = v; }
};
const expRow: Row = (x, io, a, oo, n, os, m) => { for (let i = 0; i < n; i++) a[oo + i * os] += Math.exp(x[io + i]! - m[oo + i * os]!); };

interface Reduction {
  init: number;
  row: (d: DType) => Row;
  finish?: (acc: number, count: number, d: DType) => number;
  big?: { init: (unsigned: boolean) => bigint; step: (a: bigint, v: bigint) => bigint; finish?: (a: bigint, count: number) => bigint };
  /** Empty-set value for integer outputs. */
  emptyInt?: "min" | "max";
}

const REDUCTIONS: Record<string, Reduction> = {
  ReduceSum: { init: 0, row: () => sumRow, big: { init: () => 0n, step: (a, v) => a + v } },
  ReduceMean: {
    init: 0,
    row: () => sumRow,
    finish: (a, c, d) => (isFloat(d) ? a / c : c ? Math.trunc(a / c) : 0),
    big: { init: () => 0n, step: (a, v) => a + v, finish: (a, c) => (c ? a / BigInt(c) : 0n) },
  },
  ReduceMax: { init: -Infinity, row: () => maxRow, big: { init: (u) => (u ? 0n : -(2n ** 63n)), step: (a, v) => (v > a ? v : a) }, emptyInt: "min" },
  ReduceMin: { init: Infinity, row: () => minRow, big: { init: (u) => (u ? 2n ** 64n - 1n : 2n ** 63n - 1n), step: (a, v) => (v < a ? v : a) }, emptyInt: "max" },
  ReduceProd: { init: 1, row: (d) => (isFloat(d) ? prodRow : iprodRow), big: { init: () => 1n, step: (a, v) => a * v } },
  ReduceL1: { init: 0, row: () => absRow, big: { init: () => 0n, step: (a, v) => a + (v < 0n ? -v : v) } },
  ReduceL2: { init: 0, row: () => sqRow, finish: (a) => Math.sqrt(a) },
  ReduceLogSum: { init: 0, row: () => sumRow, finish: (a) => Math.log(a) },
  ReduceSumSquare: { init: 0, row: () => sqRow, big: { init: () => 0n, step: (a, v) => a + v * v } },
  ReduceLogSumExp: { init: 0, row: () => expRow },
};

function reduceAxes(t: Tensor, axesT: Tensor | undefined, ctx: KernelContext): number[] | undefined {
  const axes = axesT ? axesT.toNumbers() : [];
  if (axes.length === 0) return ctx.attr<number>("noop_with_empty_axes") ? undefined : t.shape.map((_, i) => i);
  const norm = axes.map((a) => kernelAxis(a, t.shape.length, ctx.fail));
  if (new Set(norm).size !== norm.length) ctx.fail(`repeated axis in [${axes.join(",")}]`);
  return norm;
}

for (const [name, r] of Object.entries(REDUCTIONS))
  defineKernel(name, (inputs, ctx) => {
    const t = inputs[0]!;
    const axes = reduceAxes(t, inputs[1], ctx);
    if (!axes) return [t];
    const l = layout(t.shape, axes, ctx.attr<number>("keepdims") !== 0);
    const d = t.dtype;
    if (isBigDType(d) && r.big) return [reduceBig(t, l, r.big)];
    const x = nums(t);
    const acc = new Float64Array(l.outSize).fill(r.init);
    let aux = acc;
    if (name === "ReduceLogSumExp") {
      aux = new Float64Array(l.outSize).fill(-Infinity);
      walk(l, (io, oo, n, os) => maxRow(x, io, aux, oo, n, os, aux));
      // An all -inf (or empty) slice has sum 0 and log-sum-exp -inf; +inf or NaN maxima pass through.
      for (let i = 0; i < aux.length; i++) if (!Number.isFinite(aux[i]!)) acc[i] = NaN;
    }
    const row = r.row(d);
    walk(l, (io, oo, n, os) => row(x, io, acc, oo, n, os, aux));
    const out = numOut(d, l.outSize);
    const finish = name === "ReduceLogSumExp" ? (a: number, i: number) => (a !== a ? aux[i]! : aux[i]! + Math.log(a)) : undefined;
    for (let i = 0; i < l.outSize; i++)
      out[i] = finish ? finish(acc[i]!, i) : r.finish ? r.finish(acc[i]!, l.count, d) : acc[i]!;
    if (l.count === 0 && r.emptyInt && !isFloat(d)) {
      const v = intRange(d)[r.emptyInt === "min" ? 0 : 1];
      for (let i = 0; i < l.outSize; i++) out[i] = v;
    }
    return [finishNums(d, l.outShape, out)];
  });

function reduceBig(t: Tensor, l: Layout, r: NonNullable<Reduction["big"]>): Tensor {
  const x = t.data as BigArr;
  const acc = new Array<bigint>(l.outSize).fill(r.init(t.dtype === "u64"));
  walk(l, (io, oo, n, os) => {
    for (let i = 0; i < n; i++) acc[oo + i * os] = r.step(acc[oo + i * os]!, x[io + i]!);
  });
  const out = bigOut(t.dtype, l.outSize);
  for (let i = 0; i < l.outSize; i++) out[i] = r.finish ? r.finish(acc[i]!, l.count) : acc[i]!;
  return new Tensor(t.dtype, l.outShape, out);
}

for (const [name, max] of [["ArgMax", true], ["ArgMin", false]] as const)
  defineKernel(name, (inputs, ctx) => {
    const t = inputs[0]!;
    const axis = kernelAxis(ctx.attr<number>("axis"), t.shape.length, ctx.fail);
    const last = ctx.attr<number>("select_last_index") !== 0;
    const keep = ctx.attr<number>("keepdims") !== 0;
    const [outer, len, inner] = splitAxis(t.shape, axis);
    if (len === 0) ctx.fail(`cannot take ${name} over an empty axis`);
    // bigint storage compares as bigints; everything else as numbers. NaN wins, as in numpy.
    const x = (isBigDType(t.dtype) ? t.data : nums(t)) as unknown as ArrayLike<number>;
    const out = new BigInt64Array(outer * inner);
    for (let a = 0; a < outer; a++)
      for (let b = 0; b < inner; b++) {
        const base = a * len * inner + b;
        let best = 0;
        let bv = x[base]!;
        for (let k = 1; k < len; k++) {
          const v = x[base + k * inner]!;
          if (bv !== bv) break;
          const better = v !== v || (max ? v > bv : v < bv) || (last && v === bv);
          if (better) { best = k; bv = v; }
        }
        out[a * inner + b] = BigInt(best);
      }
    const shape = t.shape.flatMap((d, k) => (k !== axis ? [d] : keep ? [1] : []));
    return [new Tensor("i64", shape, out)];
  });

defineKernel("CumSum", (inputs, ctx) => {
  const t = inputs[0]!, axisT = inputs[1]!;
  if (axisT.size !== 1) ctx.fail(`axis must hold one value, got ${axisT.size}`);
  const axis = kernelAxis(axisT.get(0), t.shape.length, ctx.fail);
  const exclusive = ctx.attr<number>("exclusive") !== 0, reverse = ctx.attr<number>("reverse") !== 0;
  const [outer, len, inner] = splitAxis(t.shape, axis);
  const big = isBigDType(t.dtype);
  const x = (big ? t.data : nums(t)) as unknown as NumArr;
  const o = (big ? bigOut(t.dtype, t.size) : numOut(t.dtype, t.size)) as unknown as NumArr;
  const zero = (big ? 0n : 0) as number;
  for (let a = 0; a < outer; a++)
    for (let b = 0; b < inner; b++) {
      const base = a * len * inner + b;
      let prev = -1;
      for (let s = 0; s < len; s++) {
        const k = reverse ? len - 1 - s : s;
        const j = base + k * inner;
        const src = exclusive ? (prev < 0 ? zero : x[prev]!) : x[j]!;
        o[j] = prev < 0 ? src : o[prev]! + src;
        prev = j;
      }
    }
  return [big ? new Tensor(t.dtype, t.shape, o as unknown as BigArr) : finishNums(t.dtype, t.shape, o)];
});
